/**
 * Filter registry: names → factories, plus filters given directly as JS values (`!function`).
 */
import { LmEvalError } from '../../errors.ts';
import { isFunctionRef } from '../../task/yaml.ts';
import { isPythonCallable } from '../../pyfn/session.ts';
import { pythonFilter } from '../../pyfn/filter.ts';
import { BUILTIN_FILTERS } from './builtins.ts';
import type { Filter, FilterContext, FilterFactory } from './filter.ts';
import { defaultRegistry } from '../../registry/registry.ts';
import { activeRegistry } from '../../registry/active.ts';

for (const [name, factory] of Object.entries(BUILTIN_FILTERS)) defaultRegistry.registerFilter(name, factory);

/**
 * Registers (or replaces) a named filter, e.g. a task family's scoring filter, process-wide (see
 * `createRegistry` for a registry of your own).
 */
export function registerFilter(name: string, factory: FilterFactory): void {
  defaultRegistry.registerFilter(name, factory);
}

/** Names of all filters the active registry resolves, sorted. */
export function knownFilters(): string[] {
  return activeRegistry().filters.names();
}

function isFilter(v: unknown): v is Filter {
  return typeof v === 'object' && v !== null && typeof (v as Filter).apply === 'function';
}

function isClass(fn: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn)) || typeof (fn.prototype as { apply?: unknown } | undefined)?.apply === 'function';
}

/**
 * Creates one filter step.
 * - a registered name → its factory;
 * - a JS class (from `!function`) → `new Cls(kwargs)` (Python: `cls(**kwargs)`), must have `apply(resps, docs)`;
 * - a plain JS function → called as a factory `fn(kwargs)` returning an object with `apply`
 *   (Python calls the referenced callable with the kwargs, then `.apply` on the result);
 * - an object with `apply` → used as is;
 * - a Python class or factory (run by the Python helper worker) → built there with the kwargs.
 */
export function createFilter(fn: unknown, kwargs: Record<string, unknown> | null | undefined, opts: FilterContext): Filter {
  const kw = kwargs ?? {};
  if (typeof fn === 'string') {
    const factory = activeRegistry().filters.get(fn);
    if (!factory) throw new LmEvalError(`unknown filter '${fn}' (known: ${knownFilters().join(', ')})`, 'use a registered filter name or `function: !function <module>.<ClassName>`');
    try {
      return factory(kw, opts);
    } catch (e) {
      if (e instanceof LmEvalError) throw e;
      throw new LmEvalError(`cannot create filter '${fn}': ${(e as Error).message}`, undefined, { cause: e });
    }
  }
  if (isPythonCallable(fn)) return pythonFilter(fn, kw);
  if (isFunctionRef(fn)) throw new LmEvalError(`filter ${String(fn)} was not resolved to a JS value before building the filter pipeline`);
  if (typeof fn === 'function') {
    const made: unknown = isClass(fn) ? new (fn as new (k: Record<string, unknown>) => unknown)(kw) : (fn as (k: Record<string, unknown>) => unknown)(kw);
    if (isFilter(made)) return made;
    throw new LmEvalError(`filter '${fn.name || '<anonymous>'}' did not produce an object with an apply(resps, docs) method`, 'a !function filter must be a class with apply(resps, docs), or a function returning such an object');
  }
  if (isFilter(fn)) return fn;
  throw new LmEvalError(`filter 'function' must be a filter name or a !function class, got ${fn === null ? 'null' : typeof fn}`);
}
