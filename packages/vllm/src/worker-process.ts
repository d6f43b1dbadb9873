/**
 * The Python worker process that drives `vllm.LLM` (packages/vllm/worker/lm_eval_vllm_worker.py)
 * and the JSON-lines protocol spoken with it over two private file descriptors (fd 3: parent →
 * worker, fd 4: worker → parent), never stdout/stderr, where vLLM logs. See the worker's
 * docstring for the message shapes.
 *
 * Lifecycle guarantees: `close()` asks for a clean shutdown, then SIGTERM, then SIGKILL; a Node
 * exit kills the worker synchronously; the worker itself exits when the channel closes, when
 * its parent pid changes, or (Linux) through PR_SET_PDEATHSIG, and kills its own descendants
 * (vLLM engine cores) before leaving.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { LmEvalError } from '@lm-eval/core';

export const PROTOCOL_VERSION = 1;

/** Path of the worker script shipped with this package. */
export function workerScriptPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../worker/lm_eval_vllm_worker.py');
}

export interface WorkerHello {
  protocol: number;
  vllm_version: string | null;
  python: string;
  executable: string;
  pid: number;
}

export interface WorkerErrorInfo {
  type: string;
  message: string;
  kind?: string;
  traceback?: string;
}

/** A failure of the worker (crash, protocol error, error raised by vLLM). */
export class VllmWorkerError extends LmEvalError {
  constructor(
    message: string,
    hint: string | undefined,
    public readonly kind: string,
    public readonly stderrTail: string[],
    public readonly remote?: WorkerErrorInfo,
  ) {
    super(message, hint);
    this.name = 'VllmWorkerError';
  }
}

export interface StartWorkerOptions {
  /** Python interpreter (path or command on PATH). */
  python: string;
  /** Extra environment for the worker (merged over process.env). */
  env?: Record<string, string | undefined>;
  /** Receives every log line the worker (vLLM) prints on stdout/stderr. */
  onLog?: (line: string) => void;
  /** How many log lines to keep for error reports (default 50). */
  tailLines?: number;
  /** How long to wait for the hello message (default 120 s: `import vllm` is slow). */
  startupTimeoutMs?: number;
  workerPath?: string;
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

export class VllmWorker {
  private readonly child: ChildProcess;
  private readonly toWorker: Writable;
  private readonly tail: string[] = [];
  private readonly tailMax: number;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private exitPromise: Promise<void>;
  private fatal: { kind: string; error: WorkerErrorInfo; executable?: string } | null = null;
  private helloWaiter: { resolve: (h: WorkerHello) => void; reject: (e: Error) => void } | null = null;
  private readonly killOnExit = () => {
    try {
      this.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  };
  private closing = false;
  hello: WorkerHello | null = null;

  private constructor(
    private readonly options: StartWorkerOptions,
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

  /** Starts the worker and waits for its hello (protocol version, vLLM version). */
  static async start(options: StartWorkerOptions): Promise<VllmWorker> {
    const script = options.workerPath ?? workerScriptPath();
    if (!existsSync(script)) {
      throw new LmEvalError(`vLLM worker script not found: ${script}`, 'Reinstall @lm-eval/vllm.');
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, ...options.env })) if (v !== undefined) env[k] = v;
    env.PYTHONUNBUFFERED = '1';
    const child = spawn(options.python, ['-u', script, '--in-fd', '3', '--out-fd', '4', '--parent-pid', String(process.pid)], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      env,
    });
    const spawnError = new Promise<never>((_, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') {
          reject(
            new LmEvalError(
              `Python interpreter not found: '${options.python}' (vLLM backend).`,
              'Pass model_args python=/path/to/python (an interpreter with vllm installed), or set LM_EVAL_PYTHON.',
            ),
          );
        } else {
          reject(new LmEvalError(`Could not start the vLLM worker with '${options.python}': ${err.message}`));
        }
      });
    });
    const worker = new VllmWorker(options, child);
    const hello = new Promise<WorkerHello>((resolve, reject) => {
      worker.helloWaiter = { resolve, reject };
    });
    const timeoutMs = options.startupTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(worker.error('startup', `the vLLM worker sent no hello within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
    });
    try {
      worker.hello = await Promise.race([hello, spawnError, timeout]);
    } catch (e) {
      worker.kill();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    if (worker.hello.protocol !== PROTOCOL_VERSION) {
      worker.kill();
      throw new VllmWorkerError(
        `vLLM worker protocol mismatch: worker speaks ${worker.hello.protocol}, this package speaks ${PROTOCOL_VERSION}`,
        'The worker script and the TypeScript package come from different versions.',
        'protocol',
        worker.stderrTail(),
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
      this.send({ id, op, ...payload });
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

  // -- internals ------------------------------------------------------------------------------
  private send(obj: Record<string, unknown>): void {
    if (this.exited) return;
    this.toWorker.write(JSON.stringify(obj) + '\n');
  }

  private lines(stream: Readable, onLine: (line: string) => void): void {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        onLine(line);
      }
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
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.onLog(`[lm-eval] unreadable line on the worker channel: ${line.slice(0, 200)}`);
      return;
    }
    switch (msg.type) {
      case 'hello':
        this.helloWaiter?.resolve(msg as unknown as WorkerHello);
        this.helloWaiter = null;
        return;
      case 'fatal': {
        this.fatal = {
          kind: String(msg.kind),
          error: msg.error as WorkerErrorInfo,
          executable: msg.executable as string | undefined,
        };
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

  private error(kind: string, message: string, hint?: string, remote?: WorkerErrorInfo): VllmWorkerError {
    return new VllmWorkerError(message + this.tailText(), hint, kind, this.stderrTail(), remote);
  }

  private fatalError(): VllmWorkerError {
    const f = this.fatal!;
    if (f.kind === 'import_vllm') {
      return this.error(
        'import_vllm',
        `Cannot import vllm with the Python interpreter ${f.executable ?? this.options.python} ` +
          `(model_args python=${this.options.python}): ${f.error.type}: ${f.error.message}`,
        'Install vllm into that interpreter (pip install vllm), or point model_args python= / LM_EVAL_PYTHON at one that has it.',
        f.error,
      );
    }
    if (f.kind === 'interrupted') return this.error('interrupted', 'The vLLM worker was interrupted (SIGINT).');
    return this.error(f.kind, `vLLM worker error (${f.kind}): ${f.error.type}: ${f.error.message}`, undefined, f.error);
  }

  private crashError(): VllmWorkerError {
    if (this.fatal) return this.fatalError();
    const how = this.exited
      ? this.exited.signal
        ? `was killed by ${this.exited.signal}`
        : `exited with code ${this.exited.code}`
      : 'stopped';
    if (this.closing) return this.error('closed', `The vLLM worker ${how} (closed).`);
    return this.error(
      'crash',
      `The vLLM worker (pid ${this.child.pid}, ${this.options.python}) ${how} unexpectedly.`,
      'See the worker output below; a CUDA error or an out-of-memory kill are the usual causes.',
    );
  }

  private remoteError(e: WorkerErrorInfo): VllmWorkerError {
    const what = `${e.type}: ${e.message}`;
    switch (e.kind) {
      case 'oom':
        return this.error(
          'oom',
          `vLLM ran out of GPU memory: ${what}`,
          'Lower model_args gpu_memory_utilization (default 0.9) or max_model_len, or use a smaller batch_size / max_batch_size.',
          e,
        );
      case 'model_not_found':
        return this.error(
          'model_not_found',
          `vLLM could not load the model: ${what}`,
          'Check model_args pretrained= (a local folder or a Hugging Face model id available offline) and revision=.',
          e,
        );
      case 'context_length':
        return this.error(
          'context_length',
          `vLLM rejected a prompt that is too long: ${what}`,
          'Raise max_model_len / max_length (within the model limits).',
          e,
        );
      case 'cancelled':
        return this.error('cancelled', `vLLM request cancelled: ${e.message}`, undefined, e);
      default:
        return this.error(e.kind ?? 'error', `vLLM worker error: ${what}`, undefined, e);
    }
  }
}

function abortError(): Error {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}
