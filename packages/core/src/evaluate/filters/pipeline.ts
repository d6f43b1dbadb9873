/**
 * Filter pipelines from a task's `filter_list` (lm_eval/filters/__init__.py `build_filter_ensemble`).
 * No `filter_list` (None) ⇒ one pipeline `none` = [take_first]; an empty list ⇒ no pipelines
 * (as in Python). Every pipeline starts from the raw resps, so pipelines do not interfere.
 */
import { LmEvalError } from '../../errors.ts';
import { isPlainObject } from '../../python/values.ts';
import type { FilterPipeline } from '../eval-task.ts';
import type { Filter, FilterContext } from './filter.ts';
import { createFilter } from './registry.ts';

// FilterPipeline (evaluate/eval-task.ts): `apply(resps, docs)` runs the steps over all
// instances, `resps[i]` being instance i's list of `repeats` responses.

function toArray(out: unknown, step: string): unknown[] {
  if (Array.isArray(out)) return out;
  if (out !== null && typeof out === 'object' && Symbol.iterator in out) return Array.from(out as Iterable<unknown>);
  throw new LmEvalError(`filter ${step} returned ${out === null ? 'null' : typeof out}, expected a list with one value per instance`);
}

/** One pipeline from already-created steps. */
export function makeFilterPipeline(name: string, steps: { label: string; filter: Filter }[]): FilterPipeline {
  return {
    name,
    apply(resps, docs) {
      // Synchronous unless a step returns a Promise; then the rest of the pipeline awaits it.
      const check = (out: unknown, label: string): unknown[] => {
        const cur = toArray(out, label);
        if (cur.length !== resps.length) {
          throw new LmEvalError(`filter ${label} in pipeline '${name}' returned ${cur.length} values for ${resps.length} instances`);
        }
        return cur;
      };
      let cur: unknown[] = [...resps];
      for (let i = 0; i < steps.length; i++) {
        const { label, filter } = steps[i];
        const out = filter.apply(cur, docs);
        if (out instanceof Promise) {
          return (async () => {
            cur = check(await out, label);
            for (const rest of steps.slice(i + 1)) cur = check(await rest.filter.apply(cur, docs), rest.label);
            return cur;
          })();
        }
        cur = check(out, label);
      }
      return cur;
    },
  };
}

function stepLabel(fn: unknown): string {
  if (typeof fn === 'string') return `'${fn}'`;
  if (typeof fn === 'function') return `'${fn.name || '<anonymous>'}'`;
  return String(fn);
}

/** Builds the pipelines of a task from its `filter_list` value (already `!function`-resolved). */
export function buildFilterPipelines(filterList: unknown, opts: FilterContext & { where?: string }): FilterPipeline[] {
  const where = opts.where ? `${opts.where}: ` : '';
  if (filterList === undefined || filterList === null) {
    return [makeFilterPipeline('none', [{ label: "'take_first'", filter: createFilter('take_first', {}, opts) }])];
  }
  if (!Array.isArray(filterList)) throw new LmEvalError(`${where}'filter_list' must be a list of {name, filter: [...]} mappings`);
  return filterList.map((p, i) => {
    if (!isPlainObject(p) || !Array.isArray(p.filter)) throw new LmEvalError(`${where}'filter_list[${i}]' must be a mapping {name: ..., filter: [{function: ...}, ...]}`);
    if (typeof p.name !== 'string') throw new LmEvalError(`${where}'filter_list[${i}]' needs a 'name'`);
    const steps = p.filter.map((step: unknown, j: number) => {
      // A bare name is accepted as shorthand for {function: name}.
      const spec = typeof step === 'string' ? { function: step } : step;
      if (!isPlainObject(spec) || !('function' in spec)) throw new LmEvalError(`${where}'filter_list[${i}].filter[${j}]' must be a mapping with a 'function' key`);
      const { function: fn, ...kwargs } = spec;
      return { label: stepLabel(fn), filter: createFilter(fn, kwargs, opts) };
    });
    return makeFilterPipeline(p.name, steps);
  });
}
