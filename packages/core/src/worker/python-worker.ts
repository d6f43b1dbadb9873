/**
 * A long-lived Python worker process and the JSON-lines protocol spoken with it over two private
 * file descriptors (fd 3: parent → worker, fd 4: worker → parent), never stdout/stderr, where
 * Python libraries log. Shared by the vLLM backend and the `!function` helper worker.
 *
 * Messages (one JSON object per line, UTF-8):
 * - worker → parent, unsolicited: `{"type":"hello","protocol":N,…}` once at start-up;
 *   `{"type":"fatal","kind":…,"error":{type,message,traceback}}` before the worker gives up;
 * - parent → worker: `{"id":N,"op":…,…}`, `{"id":N,"op":"cancel","target":M}`, `{"id":N,"op":"shutdown"}`;
 * - worker → parent, replies: `{"type":"progress","id":N,"start":i,"results":[…]}` (optional),
 *   `{"type":"result","id":N,"ok":true,"result":…}` or `{…,"ok":false,"error":{type,message,kind,traceback}}`.
 *
 * Lifecycle guarantees: `close()` asks for a clean shutdown, then SIGTERM, then SIGKILL; a Node
 * exit kills the worker synchronously; the worker itself is expected to exit when the channel
 * closes, when its parent pid changes, or (Linux) through PR_SET_PDEATHSIG (`--parent-pid` is
 * passed for that).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { LmEvalError } from '../errors.ts';

/**
 * Folder of the Python side of the plumbing (`lm_eval_worker_base.py`: channel, parent-death
 * watch, descendant clean-up); workers shipped by other packages get it as `--lib-dir`.
 */
export function pythonWorkerLibDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../worker');
}

export interface WorkerErrorInfo {
  type: string;
  message: string;
  kind?: string;
  traceback?: string;
}

/** The hello every worker sends first (more fields per worker kind). */
export interface PythonWorkerHello {
  protocol: number;
  python: string;
  executable: string;
  pid: number;
  [extra: string]: unknown;
}

/** A failure of a Python worker (crash, protocol error, error raised in Python). */
export class PythonWorkerError extends LmEvalError {
  constructor(
    message: string,
    hint: string | undefined,
    public readonly kind: string,
    public readonly stderrTail: string[],
    public readonly remote?: WorkerErrorInfo,
  ) {
    super(message, hint);
    this.name = 'PythonWorkerError';
  }
}

export interface PythonWorkerOptions {
  /** Python interpreter (path or command on PATH). */
  python: string;
  /** The worker script. */
  script: string;
  /** Extra command-line arguments after the channel arguments. */
  args?: string[];
  /** The protocol version both sides must speak. */
  protocol: number;
  /** What the worker is, for messages ("vLLM worker"). */
  label: string;
  /** Hint shown when the interpreter cannot be found. */
  pythonNotFoundHint: string;
  /** Extra environment for the worker (merged over process.env). */
  env?: Record<string, string | undefined>;
  /** Receives every log line the worker prints on stdout/stderr. */
  onLog?: (line: string) => void;
  /** How many log lines to keep for error reports (default 50). */
  tailLines?: number;
  /** How long to wait for the hello message (default 120 s). */
  startupTimeoutMs?: number;
  /** Working directory of the worker. */
  cwd?: string;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: (start: number, results: unknown[]) => void;
}

export interface RequestOptions {
  onProgress?: (start: number, results: unknown[]) => void;
  signal?: AbortSignal;
}

/**
 * The process plumbing. Subclasses specialise the error reports ({@link makeError},
 * {@link fatalError}, {@link remoteError}, {@link crashHint}).
 */
export class PythonWorker<H extends PythonWorkerHello = PythonWorkerHello> {
  protected readonly child: ChildProcess;
  private readonly toWorker: Writable;
  private readonly tail: string[] = [];
  private readonly tailMax: number;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private exitPromise: Promise<void>;
  protected fatal: { kind: string; error: WorkerErrorInfo; executable?: string } | null = null;
  private helloWaiter: { resolve: (h: H) => void; reject: (e: Error) => void } | null = null;
  private readonly killOnExit = () => {
    try {
      this.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  };
  protected closing = false;
  hello: H | null = null;

  protected constructor(
    protected readonly options: PythonWorkerOptions,
    child: ChildProcess,
  ) {
    this.child = child;
    this.tailMax = options.tailLines ?? 50;
    this.toWorker = child.stdio[3] as Writable;
    const fromWorker = child.stdio[4] as Readable;
    this.toWorker.on('error', () => {
      /* reported through 'exit' */
    });
    this.lines(fromWorker, (line) => this.onMessage(line));
    if (child.stdout) this.lines(child.stdout, (line) => this.onLog(line));
    if (child.stderr) this.lines(child.stderr, (line) => this.onLog(line));
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        process.removeListener('exit', this.killOnExit);
        // Let the last stderr/channel bytes arrive before failing the pending requests.
        setTimeout(() => {
          this.failAll();
          resolve();
        }, 50);
      });
    });
    process.on('exit', this.killOnExit);
  }

  /** Spawns the worker (`make` builds the subclass instance) and waits for its hello. */
  protected static async launch<W extends PythonWorker<H>, H extends PythonWorkerHello>(
    options: PythonWorkerOptions,
    make: (child: ChildProcess) => W,
  ): Promise<W> {
    if (!existsSync(options.script)) {
      throw new LmEvalError(`${options.label} script not found: ${options.script}`, 'Reinstall lm-eval.');
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...options.env })) if (v !== undefined) env[k] = v;
    env.PYTHONUNBUFFERED = '1';
    const argv = ['-u', options.script, '--in-fd', '3', '--out-fd', '4', '--parent-pid', String(process.pid), '--lib-dir', pythonWorkerLibDir(), ...(options.args ?? [])];
    const child = spawn(options.python, argv, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'], env, cwd: options.cwd });
    const spawnError = new Promise<never>((_, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') {
          reject(new LmEvalError(`Python interpreter not found: '${options.python}' (${options.label}).`, options.pythonNotFoundHint));
        } else {
          reject(new LmEvalError(`Could not start the ${options.label} with '${options.python}': ${err.message}`, options.pythonNotFoundHint));
        }
      });
    });
    const worker = make(child);
    const hello = new Promise<H>((resolve, reject) => {
      worker.helloWaiter = { resolve, reject };
    });
    const timeoutMs = options.startupTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(worker.error('startup', `the ${options.label} sent no hello within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      worker.hello = await Promise.race([hello, spawnError, timeout]);
    } catch (e) {
      worker.kill();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    if (worker.hello.protocol !== options.protocol) {
      const got = worker.hello.protocol;
      worker.kill();
      throw worker.makeError(
        'protocol',
        `${options.label} protocol mismatch: worker speaks ${got}, this package speaks ${options.protocol}`,
        'The worker script and the TypeScript package come from different versions.',
      );
    }
    return worker;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** The last log lines (stdout and stderr) of the worker. */
  stderrTail(): string[] {
    return [...this.tail];
  }

  /** Sends one request; progress messages are passed to `onProgress` before the reply. */
  request<T>(op: string, payload: Record<string, unknown>, options: RequestOptions = {}): Promise<T> {
    return this.requestRaw<T>(op, JSON.stringify(payload), options);
  }

  /**
   * Like {@link request}, with the payload already serialised as a JSON object text (for
   * callers with their own encoder).
   */
  requestRaw<T>(op: string, payloadJson: string, options: RequestOptions = {}): Promise<T> {
    if (this.exited) return Promise.reject(this.crashError());
    if (options.signal?.aborted) return Promise.reject(abortError());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        this.send({ id: this.nextId++, op: 'cancel', target: id });
        reject(abortError());
      };
      this.pending.set(id, {
        resolve: (v) => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve(v as T);
        },
        reject: (e) => {
          options.signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
        onProgress: options.onProgress,
      });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const head = JSON.stringify({ id, op });
      const body = payloadJson.trim();
      const merged = body === '{}' || body === '' ? head : head.slice(0, -1) + ',' + body.slice(1);
      this.writeLine(merged);
    });
  }

  /** Clean shutdown: `shutdown` request, then SIGTERM after `graceMs`, then SIGKILL. */
  async close(graceMs = 10_000): Promise<void> {
    if (this.closing) return this.exitPromise;
    this.closing = true;
    if (!this.exited) {
      const done = this.exitPromise;
      this.request('shutdown', {}).catch(() => undefined);
      const t1 = setTimeout(() => this.child.kill('SIGTERM'), graceMs);
      const t2 = setTimeout(() => this.child.kill('SIGKILL'), graceMs + 5_000);
      await done;
      clearTimeout(t1);
      clearTimeout(t2);
    }
    process.removeListener('exit', this.killOnExit);
  }

  /** Immediate SIGKILL (the worker's children notice their parent is gone). */
  kill(): void {
    this.killOnExit();
  }

  /** Lets Node exit while the worker is idle (it is killed on exit). */
  unref(): void {
    this.child.unref();
    for (const s of this.streams()) s.unref();
  }

  /** Keeps Node alive while requests are in flight. */
  ref(): void {
    this.child.ref();
    for (const s of this.streams()) s.ref();
  }

  /** The child's pipes that hold a handle (a closed one has none). */
  private streams(): Array<{ ref: () => void; unref: () => void }> {
    const all = [this.child.stdio[3], this.child.stdio[4], this.child.stdout, this.child.stderr] as unknown as Array<{ _handle?: unknown; ref?: () => void; unref?: () => void } | null>;
    return all.filter((s): s is { ref: () => void; unref: () => void } => !!s && !!s._handle && typeof s.ref === 'function' && typeof s.unref === 'function');
  }

  // -- error reports (specialised by subclasses) ------------------------------------------------
  /** Builds the error object (subclasses return their own error class). */
  protected makeError(kind: string, message: string, hint?: string, remote?: WorkerErrorInfo): LmEvalError {
    return new PythonWorkerError(message, hint, kind, this.stderrTail(), remote);
  }

  /** A `fatal` message turned into an error. */
  protected fatalError(): LmEvalError {
    const f = this.fatal!;
    if (f.kind === 'interrupted') return this.error('interrupted', `The ${this.options.label} was interrupted (SIGINT).`);
    return this.error(f.kind, `${this.options.label} error (${f.kind}): ${f.error.type}: ${f.error.message}`, undefined, f.error);
  }

  /** An `ok: false` reply turned into an error. */
  protected remoteError(e: WorkerErrorInfo): LmEvalError {
    return this.error(e.kind ?? 'error', `${this.options.label} error: ${e.type}: ${e.message}`, undefined, e);
  }

  /** Hint for an unexpected exit. */
  protected crashHint(): string | undefined {
    return 'See the worker output below.';
  }

  /** `message` plus the worker's last output lines. */
  protected error(kind: string, message: string, hint?: string, remote?: WorkerErrorInfo): LmEvalError {
    return this.makeError(kind, message + this.tailText(), hint, remote);
  }

  protected crashError(): LmEvalError {
    if (this.fatal) return this.fatalError();
    const how = this.exited
      ? this.exited.signal
        ? `was killed by ${this.exited.signal}`
        : `exited with code ${this.exited.code}`
      : 'stopped';
    if (this.closing) return this.error('closed', `The ${this.options.label} ${how} (closed).`);
    return this.error('crash', `The ${this.options.label} (pid ${this.child.pid}, ${this.options.python}) ${how} unexpectedly.`, this.crashHint());
  }

  /** Parses one channel line (subclasses may keep Python's int/float distinction). */
  protected parseLine(line: string): Record<string, unknown> {
    return JSON.parse(line) as Record<string, unknown>;
  }

  // -- internals ------------------------------------------------------------------------------
  private send(obj: Record<string, unknown>): void {
    this.writeLine(JSON.stringify(obj));
  }

  private writeLine(line: string): void {
    if (this.exited) return;
    this.toWorker.write(line + '\n');
  }

  private lines(stream: Readable, onLine: (line: string) => void): void {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      let start = 0;
      while ((nl = buf.indexOf('\n', start)) >= 0) {
        onLine(buf.slice(start, nl).replace(/\r$/, ''));
        start = nl + 1;
      }
      buf = buf.slice(start);
    });
    stream.on('end', () => {
      if (buf) onLine(buf);
      buf = '';
    });
    stream.on('error', () => undefined);
  }

  private onLog(line: string): void {
    // tqdm redraws with carriage returns: keep the last state of the line.
    const shown = line.includes('\r') ? line.slice(line.lastIndexOf('\r') + 1) : line;
    this.tail.push(shown);
    if (this.tail.length > this.tailMax) this.tail.shift();
    this.options.onLog?.(shown);
  }

  private onMessage(line: string): void {
    if (!line.trim()) return;
    let msg: Record<string, unknown>;
    try {
      msg = this.parseLine(line);
    } catch {
      this.onLog(`[lm-eval] unreadable line on the worker channel: ${line.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'hello':
        this.helloWaiter?.resolve(msg as unknown as H);
        this.helloWaiter = null;
        return;
      case 'fatal': {
        this.fatal = { kind: String(msg.kind), error: msg.error as WorkerErrorInfo, executable: msg.executable as string | undefined };
        if (this.helloWaiter) {
          this.helloWaiter.reject(this.fatalError());
          this.helloWaiter = null;
        }
        return;
      }
      case 'progress': {
        const p = this.pending.get(msg.id as number);
        p?.onProgress?.(msg.start as number, msg.results as unknown[]);
        return;
      }
      case 'result': {
        const p = this.pending.get(msg.id as number);
        if (!p) return; // cancelled on our side
        this.pending.delete(msg.id as number);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(this.remoteError(msg.error as WorkerErrorInfo));
        return;
      }
      default:
        this.onLog(`[lm-eval] unknown message on the worker channel: ${line.slice(0, 200)}`);
    }
  }

  private failAll(): void {
    const err = this.crashError();
    if (this.helloWaiter) {
      this.helloWaiter.reject(err);
      this.helloWaiter = null;
    }
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
  }

  private tailText(): string {
    const t = this.stderrTail();
    return t.length ? `\n--- last ${t.length} lines of the worker's output ---\n${t.join('\n')}` : '';
  }
}

function abortError(): Error {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}
