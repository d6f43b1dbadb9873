/**
 * The Python worker process that drives `vllm.LLM` (packages/vllm/worker/lm_eval_vllm_worker.py).
 * The process plumbing and the JSON-lines protocol are core's {@link PythonWorker}; this module
 * adds the vLLM-specific hello and error reports. See the worker's docstring for the message shapes.
 *
 * Lifecycle guarantees: `close()` asks for a clean shutdown, then SIGTERM, then SIGKILL; a Node
 * exit kills the worker synchronously; the worker itself exits when the channel closes, when
 * its parent pid changes, or (Linux) through PR_SET_PDEATHSIG, and kills its own descendants
 * (vLLM engine cores) before leaving.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LmEvalError } from '@lm-eval/core';
import { PythonWorker, PythonWorkerError, type PythonWorkerHello, type WorkerErrorInfo } from '@lm-eval/core/models';

export const PROTOCOL_VERSION = 1;
export type { WorkerErrorInfo };

/** Path of the worker script shipped with this package. */
export function workerScriptPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../worker/lm_eval_vllm_worker.py');
}

export interface WorkerHello extends PythonWorkerHello {
  vllm_version: string | null;
}

/** A failure of the vLLM worker (crash, protocol error, error raised by vLLM). */
export class VllmWorkerError extends PythonWorkerError {
  constructor(message: string, hint: string | undefined, kind: string, stderrTail: string[], remote?: WorkerErrorInfo) {
    super(message, hint, kind, stderrTail, remote);
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

export class VllmWorker extends PythonWorker<WorkerHello> {
  /** Starts the worker and waits for its hello (protocol version, vLLM version). */
  static async start(options: StartWorkerOptions): Promise<VllmWorker> {
    const opts = {
      ...options,
      script: options.workerPath ?? workerScriptPath(),
      protocol: PROTOCOL_VERSION,
      label: 'vLLM worker',
      pythonNotFoundHint: 'Pass model_args python=/path/to/python (an interpreter with vllm installed), or set LM_EVAL_PYTHON.',
    };
    return PythonWorker.launch<VllmWorker, WorkerHello>(opts, (child) => new VllmWorker(opts, child));
  }

  protected override makeError(kind: string, message: string, hint?: string, remote?: WorkerErrorInfo): VllmWorkerError {
    return new VllmWorkerError(message, hint, kind, this.stderrTail(), remote);
  }

  protected override crashHint(): string {
    return 'See the worker output below; a CUDA error or an out-of-memory kill are the usual causes.';
  }

  protected override fatalError(): LmEvalError {
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

  protected override remoteError(e: WorkerErrorInfo): LmEvalError {
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
        return this.error('context_length', `vLLM rejected a prompt that is too long: ${what}`, 'Raise max_model_len / max_length (within the model limits).', e);
      case 'cancelled':
        return this.error('cancelled', `vLLM request cancelled: ${e.message}`, undefined, e);
      default:
        return this.error(e.kind ?? 'error', `vLLM worker error: ${what}`, undefined, e);
    }
  }
}
