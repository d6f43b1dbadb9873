/**
 * One Python helper worker per run, shared by every task, started on first use. Python
 * `!function` values are JS functions ({@link pythonCallable}) whose synchronous calls read a
 * per-function result cache keyed by the encoded arguments; a call that misses records its
 * arguments and throws {@link PY_PENDING}. Call sites run through {@link mapBatched} /
 * {@link resolvePending}, which catch the pending marker, send every recorded call of a function
 * in ONE request ({@link flushPython}), and run the missed items again. So a task with 14k docs
 * costs one round trip per function, not per document.
 */
import { createHash } from 'node:crypto';
import { LmEvalError } from '../errors.ts';
import { createLogger } from '../log/events.ts';
import { pyDeepCopy } from '../python/values.ts';
import type { FunctionRef } from '../task/yaml.ts';
import { decodeFromPython, encodeForPython } from './codec.ts';
import { PyfnWorker, PythonHelperError, pythonErrorHint, tracebackTail } from './worker.ts';

export interface PythonHelperOptions {
  /** Interpreter (path or command); default `LM_EVAL_PYTHON`, else `python3`. */
  python?: string;
  /** Receives what helpers print (default: INFO log events, source `python`). */
  onLog?: (line: string) => void;
  /** Seeds of Python's `random` and numpy's global generator (the run's --seed), set at start. */
  seeds?: { random?: number | null; numpy?: number | null };
}

let options: PythonHelperOptions = {};

/** Sets the interpreter and log sink for Python helpers (the CLI's `--python`). */
export function configurePythonHelpers(o: PythonHelperOptions): void {
  options = { ...options, ...o };
}

/** The interpreter Python helpers run with. */
export function pythonHelperExecutable(env: NodeJS.ProcessEnv = process.env): string {
  return options.python || env.LM_EVAL_PYTHON || 'python3';
}

/** A Python callable named by a `!function` reference. */
export interface PythonTarget {
  ref: FunctionRef;
  /** The `.py` file (absolute). */
  file: string;
  /** Module name given to the import (lm-eval: the reference's module part). */
  module: string;
  attr: string;
  /** Loaded: worker handle and kind. */
  loaded?: Promise<{ handle: number; kind: string }>;
  /** Results of finished calls by argument digest. */
  cache: Map<string, unknown>;
  /** Calls waiting for the next flush: digest → encoded `[args, kwargs]`. */
  pending: Map<string, string>;
  /** the handle was given (an object made in the worker), not loaded from the file */
  fixed?: boolean;
}

/**
 * Thrown by a Python callable whose result is not known yet. One shared instance (no stack trace
 * is captured per throw); its message explains itself should a call site not batch its calls.
 */
export class PyPending extends LmEvalError {
  static readonly instance = new PyPending();
  private constructor() {
    super('internal error: a Python helper (!function) was called where its calls cannot be batched');
    this.name = 'PyPending';
  }
}
export const PY_PENDING = PyPending.instance;

export function isPending(e: unknown): boolean {
  if (e === PY_PENDING) return true;
  // a call site may have wrapped it
  let c = (e as { cause?: unknown } | null)?.cause;
  for (let i = 0; c && i < 5; i++, c = (c as { cause?: unknown }).cause) if (c === PY_PENDING) return true;
  return false;
}

const PY = Symbol.for('lm-eval.python-callable');

/** The Python target behind a JS value made by {@link pythonCallable}, if it is one. */
export function pythonTargetOf(v: unknown): PythonTarget | undefined {
  return typeof v === 'function' ? ((v as unknown as Record<symbol, PythonTarget | undefined>)[PY] ?? undefined) : undefined;
}

export function isPythonCallable(v: unknown): boolean {
  return pythonTargetOf(v) !== undefined;
}

function where(t: PythonTarget): string {
  return `${t.ref.yamlFile || t.ref.yamlDir}: !function ${t.ref.raw}`;
}

// ---------------------------------------------------------------------------------------------
// the worker

let worker: Promise<PyfnWorker> | null = null;
let inFlight = 0;

const log = createLogger('python');

function logLine(line: string): void {
  if (options.onLog) options.onLog(line);
  else log.info(line);
}

async function getWorker(t: PythonTarget): Promise<PyfnWorker> {
  if (!worker) {
    const python = pythonHelperExecutable();
    stats.startedAt = performance.now();
    worker = PyfnWorker.start({
      python,
      onLog: logLine,
      startupTimeoutMs: 60_000,
      pythonNotFoundHint: 'Install Python 3, or pass --python /path/to/python3 (or set LM_EVAL_PYTHON).',
    }).then(
      async (w) => {
        const seeds = options.seeds ?? {};
        await w.request('seed', { random: seeds.random ?? null, numpy: seeds.numpy ?? null });
        stats.startMs = performance.now() - stats.startedAt;
        w.unref();
        return w;
      },
      (e: unknown) => {
        worker = null;
        const reason = e instanceof Error ? e.message : String(e);
        throw new PythonHelperError(
          `${where(t)} is Python (${t.file}) and needs a Python 3 interpreter, but '${python}' cannot run it: ${reason}`,
          `Install Python 3, or pass --python /path/to/python3 (or set LM_EVAL_PYTHON); or write a TypeScript ${t.ref.name} in a utils.ts next to the YAML.`,
          'no_python',
        );
      },
    );
  }
  return worker;
}

/** What the run asked of the worker (logged at DEBUG when it stops). */
const stats = { startedAt: 0, startMs: 0, requests: 0, calls: 0, busyMs: 0 };

async function request<T>(t: PythonTarget, op: string, payloadJson: string, calls = 0): Promise<T> {
  const w = await getWorker(t);
  if (inFlight++ === 0) w.ref();
  const t0 = performance.now();
  stats.requests++;
  stats.calls += calls;
  try {
    return await w.requestRaw<T>(op, payloadJson);
  } catch (e) {
    if (e instanceof PythonHelperError) throw new PythonHelperError(`${where(t)}: ${e.message}`, e.hint, e.kind, e.traceback);
    throw e;
  } finally {
    stats.busyMs += performance.now() - t0;
    if (--inFlight === 0) w.unref();
  }
}

/**
 * Starts the worker in the background (e.g. while a task's data loads) for a task that calls
 * `fn`; a start-up failure is reported by the first call.
 */
export function prestartPython(fn: unknown): void {
  const t = pythonTargetOf(fn);
  if (t) getWorker(t).catch(() => undefined);
}

function load(t: PythonTarget): Promise<{ handle: number; kind: string }> {
  t.loaded ??= request<{ handle: number; kind: string }>(t, 'load', JSON.stringify({ file: t.file, module: t.module, attr: t.attr }));
  return t.loaded;
}

/** Stops the worker (end of a run). Safe to call when none is running. */
export async function closePythonHelpers(): Promise<void> {
  const w = worker;
  worker = null;
  for (const t of [...targets]) {
    // handles of objects made in the worker die with it
    if (t.fixed) targets.delete(t);
    t.loaded = undefined;
    t.cache.clear();
    t.pending.clear();
  }
  if (w) {
    log.debug(
      `python helpers: worker start ${stats.startMs.toFixed(0)} ms; ${stats.requests} requests (${stats.calls} batched calls), ` +
        `${stats.busyMs.toFixed(0)} ms waiting for the worker`,
    );
    await (await w.catch(() => null))?.close(5_000);
  }
  Object.assign(stats, { startedAt: 0, startMs: 0, requests: 0, calls: 0, busyMs: 0 });
}

// ---------------------------------------------------------------------------------------------
// callables

const targets = new Set<PythonTarget>();

function digest(text: string): string {
  return text.length < 64 ? text : createHash('sha1').update(text).digest('base64');
}

function copyOut(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? pyDeepCopy(v) : v;
}

/** A call's exception, kept in the cache in place of its result. */
class Raised {
  constructor(readonly error: PythonHelperError) {}
}

function raisedOrValue(t: PythonTarget, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && (v as Record<string, unknown>).__py__ === 'raise') {
    const e = (v as { error: { message: string; kind?: string; traceback?: string } }).error;
    const at = tracebackTail(e.traceback);
    return new Raised(new PythonHelperError(`${where(t)}: ${e.message}` + (at ? ` (at ${at})` : ''), pythonErrorHint(e.message), e.kind ?? 'call', e.traceback));
  }
  return decodeFromPython(v);
}

/**
 * `mode` 'metric': Python is called as lm-eval calls metric functions
 * (api/task.py `process_results`): `fn(**kwargs)`, and on TypeError `fn([references[0], predictions[0]])`.
 */
/**
 * Encoded objects, by identity: a doc is sent to several functions (doc_to_text, doc_to_target,
 * …) and looked up again on every synchronous call; it is encoded once. Docs are not modified
 * once loaded (process_docs returns new ones).
 */
const encodedObjects = new WeakMap<object, string>();

function encodeArg(v: unknown): string {
  if (v === null || typeof v !== 'object') return encodeForPython(v);
  let e = encodedObjects.get(v);
  if (e === undefined) {
    e = encodeForPython(v);
    encodedObjects.set(v, e);
  }
  return e;
}

function callSync(t: PythonTarget, args: unknown[], kwargs: Record<string, unknown> = {}, mode?: 'metric'): unknown {
  const enc = mode ? encodeForPython([args, kwargs, mode]) : `[[${args.map(encodeArg).join(',')}],{}]`;
  const key = digest(enc);
  if (t.cache.has(key)) {
    const v = t.cache.get(key);
    if (v instanceof Raised) throw v.error;
    return copyOut(v);
  }
  t.pending.set(key, enc);
  throw PY_PENDING;
}

/**
 * A JS function standing for a Python callable. Synchronous calls are answered from the result
 * cache (see the module comment); `callPython` calls it directly.
 */
export function pythonCallable(ref: FunctionRef, file: string): (...args: unknown[]) => unknown {
  const t: PythonTarget = { ref, file, module: ref.module, attr: ref.name, cache: new Map(), pending: new Map() };
  targets.add(t);
  const fn = (...args: unknown[]): unknown => callSync(t, args);
  Object.defineProperty(fn, 'name', { value: ref.name });
  Object.defineProperty(fn, PY, { value: t });
  return fn;
}

function targetOrThrow(fn: unknown): PythonTarget {
  const t = pythonTargetOf(fn);
  if (!t) throw new Error('not a Python callable');
  return t;
}

/** A synchronous keyword-style call of a Python metric function (see {@link callSync}). */
export function pythonMetricCompute(fn: unknown): (kwargs: Record<string, unknown>) => unknown {
  const t = targetOrThrow(fn);
  return (kwargs) => callSync(t, [], kwargs, 'metric');
}

/** Calls a Python callable once, now (positional and keyword arguments). */
export async function callPython(fn: unknown, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<unknown> {
  const t = targetOrThrow(fn);
  const { handle } = await load(t);
  const res = await request<unknown[]>(t, 'call', `{"handle":${handle},"calls":[${encodeForPython([args, kwargs])}]}`, 1);
  return decodeFromPython(res[0]);
}

/** Instantiates a Python class (or calls a factory) and returns an object whose methods run in Python. */
export async function newPython(fn: unknown, kwargs: Record<string, unknown>): Promise<PythonObject> {
  const t = targetOrThrow(fn);
  const { handle } = await load(t);
  const r = await request<{ handle: number }>(t, 'new', `{"handle":${handle},"args":[],"kwargs":${encodeForPython(kwargs)}}`);
  return new PythonObject(t, r.handle);
}

/**
 * A request to the worker on behalf of the Python callable `fn` (errors name its YAML file and
 * reference): `payload` is sent as is, with values encoded by {@link encodeForPython}.
 */
export async function pythonRequest<T>(fn: unknown, op: string, payload: Record<string, unknown>): Promise<T> {
  const t = targetOrThrow(fn);
  return decodeFromPython(await request<unknown>(t, op, encodeForPython(payload))) as T;
}

/** The handle of the Python object (class, function) behind `fn`, importing its module if needed. */
export async function pythonHandleOf(fn: unknown): Promise<number> {
  return (await load(targetOrThrow(fn))).handle;
}

/** The object of handle `handle` in the worker that runs `fn` (e.g. made by a request on its behalf). */
export function pythonObjectOf(fn: unknown, handle: number): PythonObject {
  return new PythonObject(targetOrThrow(fn), handle);
}

/** What the worker's Python offers (`lm_eval`, `datasets`, `numpy` importable), starting it if needed. */
export async function pythonInfo(fn: unknown): Promise<{ lm_eval: boolean; datasets: boolean; numpy: boolean; executable: string }> {
  return request(targetOrThrow(fn), 'info', '{}');
}

/**
 * A JS function standing for a Python callable that lives in the worker already (handle `handle`,
 * e.g. a bound method or a value of a dict a method returned), called like {@link pythonCallable}'s
 * functions (synchronously, batched). `ref` names it in errors.
 */
export function pythonHandleCallable(ref: FunctionRef, file: string, handle: number | Promise<number>): (...args: unknown[]) => unknown {
  const fn = pythonCallable(ref, file);
  const t = pythonTargetOf(fn)!;
  t.loaded = Promise.resolve(handle).then((h) => ({ handle: h, kind: 'function' }));
  // a failure is reported by the first call, not as an unhandled rejection
  t.loaded.catch(() => undefined);
  t.fixed = true;
  return fn;
}

/** An attribute of a Python object (e.g. a bound method) as a {@link pythonHandleCallable}. */
export function pythonAttrCallable(obj: PythonObject, name: string, ref: FunctionRef): (...args: unknown[]) => unknown {
  return pythonHandleCallable(
    ref,
    obj.file,
    request<{ handle: number }>(obj.target, 'attr', JSON.stringify({ handle: obj.handle, name })).then((r) => r.handle),
  );
}

/** An object living in the worker. */
export class PythonObject {
  constructor(
    private readonly t: PythonTarget,
    readonly handle: number,
  ) {}

  /** @internal the callable whose worker holds it */
  get target(): PythonTarget {
    return this.t;
  }

  get file(): string {
    return this.t.file;
  }

  async call(method: string, args: unknown[]): Promise<unknown> {
    const payload = `{"handle":${this.handle},"name":${JSON.stringify(method)},"calls":[${encodeForPython([args, {}])}]}`;
    const res = await request<unknown[]>(this.t, 'method', payload, 1);
    return decodeFromPython(res[0]);
  }
}

/** Sends every recorded call (one request per function). Returns how many calls were sent. */
export async function flushPython(): Promise<number> {
  const jobs: Promise<void>[] = [];
  let n = 0;
  for (const t of targets) {
    if (t.pending.size === 0) continue;
    const batch = [...t.pending];
    t.pending.clear();
    n += batch.length;
    jobs.push(
      (async () => {
        const { handle } = await load(t);
        const res = await request<unknown[]>(t, 'call', `{"handle":${handle},"each":true,"calls":[${batch.map(([, enc]) => enc).join(',')}]}`, batch.length);
        batch.forEach(([key], i) => t.cache.set(key, raisedOrValue(t, res[i])));
      })(),
    );
  }
  const settled = await Promise.allSettled(jobs);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return n;
}

/** Runs `f`, answering its Python calls in batches, until it returns. */
export async function resolvePending<T>(f: () => T): Promise<T> {
  return (await mapBatched([undefined], () => f()))[0];
}

/**
 * `items.map(f)` where `f` may call Python helpers synchronously: items whose calls are not
 * answered yet are run again after one batched request per function.
 */
export async function mapBatched<T, R>(items: readonly T[], f: (item: T, index: number) => R): Promise<R[]> {
  const out = new Array<R>(items.length);
  let todo: number[] = items.map((_, i) => i);
  // Each round answers at least one more level of nested helper calls; many rounds mean a call
  // site that never repeats the same call (e.g. a new helper value per attempt).
  for (let round = 0; todo.length > 0; round++) {
    if (round >= 100) throw new LmEvalError('internal error: Python helper calls did not settle after 100 batches');
    const again: number[] = [];
    for (const i of todo) {
      try {
        out[i] = f(items[i], i);
      } catch (e) {
        if (!isPending(e)) throw e;
        again.push(i);
      }
    }
    if (again.length === 0) break;
    const sent = await flushPython();
    if (sent === 0) throw new LmEvalError('internal error: a Python helper call stayed unanswered');
    todo = again;
  }
  return out;
}
