/**
 * The filter contract (lm_eval/api/filter.py `Filter`, `FilterEnsemble`) and the Python-isms filters share.
 *
 * A filter receives the current value of every instance of a task (at the start, the list of
 * `repeats` responses per instance) plus the instances' docs, and returns a new list of the same
 * length. Loglikelihood responses are `PyTuple [logprob, isGreedy]` and pass through unchanged.
 */
import type { Profile } from '../../compat.ts';

export type FilterDoc = Record<string, unknown>;

export interface Filter {
  /** May return a Promise (e.g. filters that execute generated code in subprocesses). */
  apply(resps: unknown[], docs: FilterDoc[]): unknown[] | Promise<unknown[]>;
}

export interface FilterContext {
  profile: Profile;
  /** the run allows executing model-generated code (`--confirm_run_unsafe_code`) */
  confirmRunUnsafeCode?: boolean;
}

/** Builds a filter from its YAML kwargs (the Python constructor's keyword arguments). */
export type FilterFactory = (kwargs: Record<string, unknown>, ctx: FilterContext) => Filter;

/** Python `for x in value` over one instance's value: lists/tuples, or the code points of a str. */
export function pyIter(value: unknown, filter: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (value instanceof Set) return [...value];
  throw new TypeError(`filter '${filter}': expected a list of responses per instance, got ${describe(value)}`);
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

/** Throws when a Python filter without `**kwargs` would get an unexpected keyword argument. */
export function checkKwargs(filter: string, kwargs: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(kwargs)) {
    if (!allowed.includes(k)) {
      throw new TypeError(`filter '${filter}' got an unexpected argument '${k}' (allowed: ${allowed.join(', ') || 'none'})`);
    }
  }
}

/** Applies `f` to every response of every instance (the `[f(r) for r in inst]` pattern). */
export function mapResponses(resps: unknown[], filter: string, f: (resp: unknown) => unknown): unknown[][] {
  return resps.map((inst) => pyIter(inst, filter).map(f));
}

export function requireStr(v: unknown, filter: string, method: string): string {
  if (typeof v !== 'string') throw new TypeError(`filter '${filter}': '${describe(v).slice(2)}' object has no attribute '${method}' (response is not a string)`);
  return v;
}
