/**
 * The Python helper worker process (packages/core/worker/lm_eval_pyfn_worker.py): core's
 * {@link PythonWorker} with Python's int/float distinction kept on the way back and errors that
 * end with the last lines of the Python traceback.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { LmEvalError } from '../errors.ts';
import { parsePyJson } from '../python/json.ts';
import { PythonWorker, type PythonWorkerHello, type PythonWorkerOptions, type WorkerErrorInfo } from '../worker/python-worker.ts';

export const PYFN_PROTOCOL_VERSION = 1;

/** Path of the worker script shipped with core. */
export function pyfnWorkerScriptPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../worker/lm_eval_pyfn_worker.py');
}

export interface PyfnHello extends PythonWorkerHello {
  datasets: boolean;
  lm_eval: boolean;
}

/** An error raised by a Python helper (or its import), with the traceback's last lines. */
export class PythonHelperError extends LmEvalError {
  constructor(
    message: string,
    hint: string | undefined,
    public readonly kind: string,
    public readonly traceback?: string,
  ) {
    super(message, hint);
    this.name = 'PythonHelperError';
  }
}

/** The last `n` non-empty lines of a Python traceback (where the error was raised). */
export function tracebackTail(tb: string | undefined, n = 6): string {
  if (!tb) return '';
  const lines = tb.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || lines[0] === 'NoneType: None') return '';
  return lines.slice(-n).join('\n');
}

export class PyfnWorker extends PythonWorker<PyfnHello> {
  static async start(options: Omit<PythonWorkerOptions, 'script' | 'protocol' | 'label'>): Promise<PyfnWorker> {
    const opts: PythonWorkerOptions = { ...options, script: pyfnWorkerScriptPath(), protocol: PYFN_PROTOCOL_VERSION, label: 'Python helper worker' };
    return PythonWorker.launch<PyfnWorker, PyfnHello>(opts, (child: ChildProcess) => new PyfnWorker(opts, child));
  }

  protected override parseLine(line: string): Record<string, unknown> {
    return parsePyJson(line) as Record<string, unknown>;
  }

  protected override makeError(kind: string, message: string, hint?: string): LmEvalError {
    return new PythonHelperError(message, hint, kind);
  }

  protected override remoteError(e: WorkerErrorInfo): LmEvalError {
    const tail = tracebackTail(e.traceback);
    return new PythonHelperError(e.message + (tail ? `\n--- Python traceback (last lines) ---\n${tail}` : ''), undefined, e.kind ?? 'error', e.traceback);
  }
}
