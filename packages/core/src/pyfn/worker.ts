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
    // a user error (the helper's own code): printed as one line like every LmEvalError
    this.name = 'LmEvalError';
  }
}

/**
 * Where a Python traceback was raised in the user's code: the last frame outside the worker and
 * the import machinery, as `utils.py:6 in <module>: <source line>` ('' when none).
 */
export function tracebackTail(tb: string | undefined): string {
  if (!tb) return '';
  const lines = tb.split('\n');
  let best = '';
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*File "(.*)", line (\d+), in (.*)$/.exec(lines[i]);
    if (!m || m[1].startsWith('<frozen') || /lm_eval_(pyfn_worker|worker_base)\.py$/.test(m[1])) continue;
    const code = lines[i + 1] && !/^\s*File "/.test(lines[i + 1]) ? lines[i + 1].trim() : '';
    best = `${path.basename(m[1])}:${m[2]} in ${m[3]}${code ? `: ${code}` : ''}`;
  }
  return best;
}

/** A hint for errors the user fixes in their Python environment (a missing module). */
export function pythonErrorHint(message: string): string | undefined {
  const m = /ModuleNotFoundError: No module named '([^']+)'/.exec(message);
  if (!m) return undefined;
  return `Install '${m[1].split('.')[0]}' into the Python that runs task helpers, or pass --python (or set LM_EVAL_PYTHON) with one that has it.`;
}

/** `error` with "task 'name': " in front (Python helper errors name the YAML file and function). */
export function withTaskName(error: unknown, task: string): unknown {
  if (error instanceof PythonHelperError && !error.message.startsWith('task ')) {
    return new PythonHelperError(`task '${task}': ${error.message}`, error.hint, error.kind, error.traceback);
  }
  return error;
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
    const at = tracebackTail(e.traceback);
    return new PythonHelperError(e.message + (at ? ` (at ${at})` : ''), pythonErrorHint(e.message), e.kind ?? 'error', e.traceback);
  }
}
