/**
 * A task config as results `configs` shows it (lm-eval's `TaskConfig.to_dict`): field order of
 * the profile, None-valued fields removed, `!function` values as their Python source or name.
 */
import type { Profile } from '../compat.ts';
import { isPlainObject } from '../python/values.ts';
import { TASK_FIELDS, type TaskConfig } from '../task/config.ts';
import { pythonSourceOf } from '../task/functions.ts';
import { FunctionRef } from '../task/yaml.ts';

type Fn = (...args: any[]) => any;

const isFn = (v: unknown): v is Fn => typeof v === 'function';

/** `str(obj)` of a Python callable named by a `!function` reference, as lm-eval dumps nested callables. */
function callableRepr(ref: FunctionRef): string {
  return /^[A-Z]/.test(ref.name) ? `<class '${ref.raw}'>` : `<function ${ref.name}>`;
}

function dumpValue(value: unknown, raw: unknown, profile: Profile, topLevel: boolean): unknown {
  if (raw instanceof FunctionRef) return topLevel ? pythonSourceOf(raw, profile) ?? callableRepr(raw) : callableRepr(raw);
  if (isFn(value)) return `<function ${value.name}>`;
  if (Array.isArray(value)) return value.map((v, i) => dumpValue(v, Array.isArray(raw) ? raw[i] : undefined, profile, false));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dumpValue(v, isPlainObject(raw) ? raw[k] : undefined, profile, false)]));
  return value;
}

/** One metric_list entry: its `!function` values dumped as their source. */
function dumpMetricEntry(entry: Record<string, unknown>, raw: unknown, profile: Profile): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(entry).map(([k, x]) => {
      const rx = isPlainObject(raw) ? raw[k] : undefined;
      return [k, rx instanceof FunctionRef ? pythonSourceOf(rx, profile) ?? callableRepr(rx) : isFn(x) ? `<function ${x.name}>` : dumpValue(x, rx, profile, false)];
    }),
  );
}

/** TaskConfig as results `configs` shows it: field order, None-valued fields removed. */
export function dumpTaskConfig(cfg: Readonly<TaskConfig>, raw: Readonly<Record<string, unknown>>, profile: Profile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const c = cfg as unknown as Record<string, unknown>;
  for (const field of TASK_FIELDS[profile]) {
    const v = c[field];
    if (v === null || v === undefined) continue;
    if (field === 'metric_list' && Array.isArray(v)) {
      out[field] = v.map((m, i) => dumpMetricEntry(m as Record<string, unknown>, Array.isArray(raw.metric_list) ? (raw.metric_list as unknown[])[i] : undefined, profile));
      continue;
    }
    out[field] = dumpValue(v, raw[field], profile, true);
  }
  return out;
}
