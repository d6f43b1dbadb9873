/**
 * Values crossing to the Python helper worker and back, losslessly for what task helpers see:
 * ints vs floats ({@link PyFloat}), `None`, tuples ({@link PyTuple}), nested lists/dicts,
 * non-ASCII text, ints beyond 2^53 (`bigint`), Python `!function` values (the object itself).
 * The wire format is JSON as CPython's `json` writes and reads it, plus tagged objects (`{"__py__":"tuple","v":[…]}`,
 * `{"__py__":"dataset","rows":[…]}`); see packages/core/worker/lm_eval_pyfn_worker.py.
 */
import { LmEvalError } from '../errors.ts';
import { pyJsonDumps } from '../python/json.ts';
import { PyFloat, PyTuple } from '../python/values.ts';

/** Rows handed to Python as a `datasets.Dataset` (process_docs). */
export class DatasetRows {
  constructor(public readonly rows: readonly Record<string, unknown>[]) {}
}

/** The Python callable behind a JS function made by session.ts `pythonCallable` (same symbol). */
const PY = Symbol.for('lm-eval.python-callable');

function toWire(v: unknown, depth: number): unknown {
  if (depth > 200) throw new Error('value nested too deeply to send to Python');
  if (v === undefined) return null;
  if (typeof v === 'function') {
    // a Python `!function` given as a value (e.g. in dataset_kwargs) arrives as the Python object
    const t = (v as unknown as Record<symbol, { file: string; module: string; attr: string } | undefined>)[PY];
    if (t) return { __py__: 'ref', file: t.file, module: t.module, attr: t.attr };
    throw new LmEvalError(`the function ${v.name || '(anonymous)'} cannot be passed to a Python helper (only Python !function values can)`);
  }
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof PyFloat) return v;
  if (v instanceof PyTuple) return { __py__: 'tuple', v: Array.from(v, (x) => toWire(x, depth + 1)) };
  if (Array.isArray(v)) return v.map((x) => toWire(x, depth + 1));
  if (v instanceof DatasetRows) return { __py__: 'dataset', rows: v.rows.map((x) => toWire(x, depth + 1)) };
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v) out[String(k)] = toWire(x, depth + 1);
    return out;
  }
  if (v instanceof Set) return Array.from(v, (x) => toWire(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = toWire(x, depth + 1);
  return out;
}

/** JSON text of `value` for the worker (CPython `json` syntax, UTF-8, tagged tuples/datasets). */
export function encodeForPython(value: unknown): string {
  return pyJsonDumps(toWire(value, 0), { ensureAscii: false });
}

/** Replaces the tagged objects of a parsed reply by their JS values (in place where possible). */
export function decodeFromPython(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof PyFloat) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = decodeFromPython(v[i]);
    return v;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.__py__ === 'string') {
    if (o.__py__ === 'tuple' && Array.isArray(o.v)) {
      const t = new PyTuple<unknown>();
      for (const x of o.v) t.push(decodeFromPython(x));
      return t;
    }
    if (o.__py__ === 'dataset' && Array.isArray(o.rows)) return o.rows.map((r) => decodeFromPython(r));
  }
  for (const k of Object.keys(o)) o[k] = decodeFromPython(o[k]);
  return o;
}
