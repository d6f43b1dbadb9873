/**
 * Progress and logs on stderr. On a terminal one status line is redrawn in place: the current
 * phase, then `<type> requests: done/total (pct) rate ETA`. Off a terminal (stderr not a TTY, CI
 * set and not false/0, or TERM dumb) nothing is redrawn; instead work that lasts longer than the
 * progress interval (LMEVAL_PROGRESS_INTERVAL seconds, default 10) prints one plain progress line
 * per interval, naming the request type and tasks, and a last line when it completes, as
 * lm-eval's tqdm bars do in logs. Logs go through `log(level, …)`,
 * filtered by the level (LMEVAL_LOG_LEVEL, else --verbosity, else INFO); a log line first erases
 * the status line so the two never mix.
 */
import { LOG_LEVELS } from './flags.ts';

export type Level = (typeof LOG_LEVELS)[number];

/** The stream surface the reporter needs (process.stderr, or a fake in tests). */
export interface ReporterStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ReporterOptions {
  stream?: ReporterStream;
  env?: NodeJS.ProcessEnv;
  /** clock in ms (tests) */
  now?: () => number;
  /** off-terminal progress interval in ms (default: LMEVAL_PROGRESS_INTERVAL seconds, else 10 s) */
  intervalMs?: number;
}

function intervalFromEnv(env: NodeJS.ProcessEnv): number {
  const v = Number(env.LMEVAL_PROGRESS_INTERVAL);
  return (Number.isFinite(v) && v > 0 ? v : 10) * 1000;
}

/** `a, b, c and 4 more` */
function taskList(tasks: string[]): string {
  return tasks.length <= 3 ? tasks.join(', ') : `${tasks.slice(0, 3).join(', ')} and ${tasks.length - 3} more`;
}

/** The effective level name: env LMEVAL_LOG_LEVEL wins over --verbosity; undefined if neither is valid. */
export function resolveLevel(verbosity: string | undefined, env: NodeJS.ProcessEnv = process.env): Level | undefined {
  const v = (env.LMEVAL_LOG_LEVEL || verbosity || 'INFO').trim().toUpperCase();
  return (LOG_LEVELS as readonly string[]).includes(v) ? (v as Level) : undefined;
}

export function isInteractive(stream: ReporterStream, env: NodeJS.ProcessEnv): boolean {
  const ci = (env.CI ?? '').trim().toLowerCase();
  const inCi = ci !== '' && ci !== 'false' && ci !== '0';
  return Boolean(stream.isTTY) && !inCi && env.TERM !== 'dumb';
}

export class Reporter {
  readonly interactive: boolean;
  private readonly level: number;
  private readonly stream: ReporterStream;
  private readonly now: () => number;
  private lastLine = '';
  private lastDraw = 0;
  /** start of the current progress series (per request type) */
  private seriesLabel = '';
  private seriesStart = 0;
  private readonly intervalMs: number;
  /** off-terminal: the series being reported, its timer and whether a line was printed */
  private plain: { label: string; done: number; total: number; tasks: string; timer: NodeJS.Timeout | null; printed: boolean } | null = null;

  constructor(verbosity: string | undefined, options: ReporterOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    const env = options.env ?? process.env;
    this.now = options.now ?? Date.now;
    this.interactive = isInteractive(this.stream, env);
    this.intervalMs = options.intervalMs ?? intervalFromEnv(env);
    this.level = LOG_LEVELS.indexOf(resolveLevel(verbosity, env) ?? 'INFO');
  }

  get debug(): boolean {
    return this.level === 0;
  }

  log(level: Level, message: string): void {
    if (LOG_LEVELS.indexOf(level) < this.level) return;
    this.clear();
    this.stream.write(`${level === 'INFO' ? '' : level + ': '}${message}\n`);
  }

  phase(name: string): void {
    this.seriesLabel = '';
    this.draw(`${name}…`);
  }

  progress(label: string, done: number, total: number, tasks?: string[]): void {
    const now = this.now();
    if (label !== this.seriesLabel || done === 0) {
      this.seriesLabel = label;
      this.seriesStart = now;
    }
    if (!this.interactive) {
      this.plainProgress(label, done, total, tasks);
      return;
    }
    // redraw at most 10 times a second, but always show the first and the last update
    if (done > 0 && done < total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw(progressLine(label, done, total, (now - this.seriesStart) / 1000));
  }

  /** Off a terminal: a line per interval while the series runs, and its last line. */
  private plainProgress(label: string, done: number, total: number, tasks?: string[]): void {
    if (LOG_LEVELS.indexOf('INFO') < this.level) return;
    let p = this.plain;
    if (!p || p.label !== label || done === 0) {
      this.stopPlain();
      p = { label, done, total, tasks: tasks?.length ? ` [${taskList(tasks)}]` : '', timer: null, printed: false };
      this.plain = p;
      const series = p;
      p.timer = setInterval(() => this.printPlain(series), this.intervalMs);
      p.timer.unref();
    }
    p.done = done;
    p.total = total;
    if (done >= total) {
      if (p.printed) this.printPlain(p);
      this.stopPlain();
    }
  }

  private printPlain(p: NonNullable<Reporter['plain']>): void {
    p.printed = true;
    this.stream.write(`${progressLine(p.label, p.done, p.total, (this.now() - this.seriesStart) / 1000)}${p.tasks}\n`);
  }

  private stopPlain(): void {
    if (this.plain?.timer) clearInterval(this.plain.timer);
    this.plain = null;
  }

  private draw(line: string): void {
    if (!this.interactive || line === this.lastLine) return;
    this.lastLine = line;
    const cols = this.stream.columns || 100;
    this.stream.write(`\r\x1b[2K${[...line].slice(0, Math.max(10, cols - 1)).join('')}`);
  }

  /** Stops the off-terminal timer (end of the run). */
  close(): void {
    this.stopPlain();
  }

  /** Erases the status line (before a log line, the results, or an error). */
  clear(): void {
    if (!this.interactive && this.plain && this.plain.done >= this.plain.total) this.stopPlain();
    if (this.interactive && this.lastLine) {
      this.stream.write('\r\x1b[2K');
      this.lastLine = '';
    }
  }
}

/** `loglikelihood requests: 40/64 (62%) 12.5 req/s ETA 2s`; rate and ETA once something is done. */
export function progressLine(label: string, done: number, total: number, elapsedSecs: number): string {
  const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
  let line = `${label}: ${done}/${total} (${pct}%)`;
  if (done > 0 && elapsedSecs > 0) {
    const rate = done / elapsedSecs;
    line += ` ${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} req/s`;
    line += done < total ? ` ETA ${formatSecs((total - done) / rate)}` : ` in ${formatSecs(elapsedSecs)}`;
  }
  return line;
}

export function formatSecs(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h) return `${h}h${String(m).padStart(2, '0')}m`;
  return m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
