/**
 * Progress on a TTY (phase, requests done/total, rate, ETA) on stderr; silent when stderr is
 * not a TTY or in CI. Logs go through `log(level, ...)` filtered by --verbosity.
 */
const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type Level = (typeof LEVELS)[number];

export class Reporter {
  readonly interactive: boolean;
  private level: number;
  private lastLine = '';
  private phaseStart = Date.now();
  private lastDraw = 0;

  constructor(verbosity: string | undefined, stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.interactive = Boolean(stream.isTTY) && !process.env.CI;
    const v = (process.env.LMEVAL_LOG_LEVEL ?? verbosity ?? 'INFO').toUpperCase();
    const idx = LEVELS.indexOf(v as Level);
    this.level = idx < 0 ? 1 : idx;
  }
  private readonly stream: NodeJS.WriteStream;

  get debug(): boolean {
    return this.level === 0;
  }

  log(level: Level, message: string): void {
    if (LEVELS.indexOf(level) < this.level) return;
    this.clear();
    this.stream.write(`${level === 'INFO' ? '' : level + ': '}${message}\n`);
  }

  phase(name: string): void {
    this.phaseStart = Date.now();
    this.draw(`${name}…`, true);
  }

  progress(label: string, done: number, total: number): void {
    const now = Date.now();
    if (done < total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const secs = (now - this.phaseStart) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? (total - done) / rate : 0;
    const pct = total ? Math.floor((100 * done) / total) : 100;
    this.draw(`${label}: ${done}/${total} (${pct}%) ${rate.toFixed(1)} req/s ETA ${formatSecs(eta)}`);
  }

  private draw(line: string, force = false): void {
    if (!this.interactive) return;
    if (!force && line === this.lastLine) return;
    this.lastLine = line;
    const cols = this.stream.columns ?? 100;
    this.stream.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
  }

  clear(): void {
    if (this.interactive && this.lastLine) {
      this.stream.write('\r\x1b[2K');
      this.lastLine = '';
    }
  }
}

function formatSecs(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const sec = Math.round(s % 60);
  return m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
