/**
 * Progress of an experiment set on a terminal: one line per running experiment (requests done of
 * total) and an overall line (experiments finished, skipped, failed), redrawn in place at most 10
 * times a second. Off a terminal or in CI nothing is drawn; start/finish lines are logged instead.
 */
import { isInteractive, progressLine, type ReporterStream } from './progress.ts';

interface Running {
  label: string;
  done: number;
  total: number;
  started: number;
}

export class ExperimentsProgress {
  readonly interactive: boolean;
  private readonly running = new Map<string, Running>();
  private finished = 0;
  private skipped = 0;
  private failed = 0;
  private drawn = 0;
  private lastDraw = 0;

  constructor(
    readonly total: number,
    private readonly stream: ReporterStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => number = Date.now,
  ) {
    this.interactive = isInteractive(stream, env);
  }

  start(id: string): void {
    this.running.set(id, { label: 'starting', done: 0, total: 0, started: this.now() });
    this.draw(true);
  }

  progress(id: string, label: string, done: number, total: number): void {
    const r = this.running.get(id);
    if (!r) return;
    if (r.label !== label) r.started = this.now();
    Object.assign(r, { label, done, total });
    this.draw(done === total);
  }

  end(id: string, how: 'done' | 'skipped' | 'failed'): void {
    this.running.delete(id);
    if (how === 'done') this.finished++;
    else if (how === 'skipped') this.skipped++;
    else this.failed++;
    this.draw(true);
  }

  overall(): string {
    const settled = this.finished + this.skipped + this.failed;
    const parts = [`experiments: ${settled}/${this.total} settled`, `${this.finished} run`];
    if (this.skipped) parts.push(`${this.skipped} already done`);
    if (this.failed) parts.push(`${this.failed} failed`);
    if (this.running.size) parts.push(`${this.running.size} running`);
    return parts.join(', ');
  }

  /** Erases the block (before a log line or the final output). */
  clear(): void {
    if (!this.interactive || this.drawn === 0) return;
    this.stream.write(`\r\x1b[2K${'\x1b[1A\x1b[2K'.repeat(this.drawn - 1)}\r`);
    this.drawn = 0;
  }

  private draw(force: boolean): void {
    if (!this.interactive) return;
    const now = this.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const cols = Math.max(20, (this.stream.columns || 100) - 1);
    const lines = [...this.running.entries()].slice(0, 12).map(([id, r]) => `  ${id}: ${r.total ? progressLine(r.label, r.done, r.total, (now - r.started) / 1000) : r.label + '…'}`);
    if (this.running.size > 12) lines.push(`  … and ${this.running.size - 12} more`);
    lines.push(this.overall());
    this.clear();
    this.stream.write(lines.map((l) => [...l].slice(0, cols).join('')).join('\n'));
    this.drawn = lines.length;
  }
}
