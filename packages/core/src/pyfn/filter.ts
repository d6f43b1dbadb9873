/**
 * A filter step whose `function:` is a Python class (a `Filter` subclass) or factory: lm-eval
 * builds it with the step's keyword arguments and calls `.apply(resps, docs)` once per task
 * (lm_eval/filters/__init__.py `build_filter_ensemble`, api/filter.py `FilterEnsemble.apply`).
 */
import type { Filter, FilterDoc } from '../evaluate/filters/filter.ts';
import { newPython, type PythonObject } from './session.ts';

export function pythonFilter(cls: unknown, kwargs: Record<string, unknown>): Filter {
  let obj: Promise<PythonObject> | undefined;
  return {
    apply: async (resps: unknown[], docs: FilterDoc[]) => {
      obj ??= newPython(cls, kwargs);
      const out = await (await obj).call('apply', [resps, docs]);
      return out as unknown[];
    },
  };
}
