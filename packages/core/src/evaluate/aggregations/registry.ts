/**
 * Aggregation registry, keyed by the names YAML `aggregation:` uses (lm_eval/api/metrics.py, `register_aggregation`).
 * To add one: write `<name>.ts` exporting an {@link AggregationDef} and list it below.
 */
import type { Profile } from '../../compat.ts';
import { LmEvalError } from '../../errors.ts';
import { bitsPerByte } from './bits-per-byte.ts';
import { bleu } from './bleu.ts';
import { brierScoreAgg } from './brier-score.ts';
import { bypass } from './bypass.ts';
import { chrf } from './chrf.ts';
import { f1 } from './f1.ts';
import { matthewsCorrcoefAgg } from './matthews-corrcoef.ts';
import { mean } from './mean.ts';
import { median } from './median.ts';
import { nanmean } from './nanmean.ts';
import { perplexity } from './perplexity.ts';
import { ter } from './ter.ts';
import type { AggregationDef, CustomAggregationFn } from './types.ts';
import { weightedPerplexity } from './weighted-perplexity.ts';
import { defaultRegistry } from '../../registry/registry.ts';
import { activeRegistry } from '../../registry/active.ts';

/** Registers (or replaces) an aggregation under `def.name`, process-wide (see `createRegistry` for a registry of your own). */
export function registerAggregation(def: AggregationDef): void {
  defaultRegistry.registerAggregation(def);
}

for (const def of [
  mean,
  median,
  nanmean,
  perplexity,
  weightedPerplexity,
  bitsPerByte,
  f1,
  matthewsCorrcoefAgg,
  bleu,
  chrf,
  ter,
  brierScoreAgg,
  bypass,
]) {
  registerAggregation(def);
}

function available(def: AggregationDef, profile: Profile): boolean {
  return !def.profiles || def.profiles.includes(profile);
}

/** The built-in aggregation called `name` in `profile`, or undefined. */
export function getAggregationDef(name: string, profile: Profile = 'latest'): AggregationDef | undefined {
  const def = activeRegistry().aggregations.get(name);
  return def && available(def, profile) ? def : undefined;
}

/** Names of the aggregations known in `profile`, sorted. */
export function aggregationNames(profile: Profile = 'latest'): string[] {
  const table = activeRegistry().aggregations;
  return table.names().filter((name) => available(table.get(name)!, profile));
}

/** An aggregation ready to call: a built-in (bound to the profile) or a custom JS function. */
export interface ResolvedAggregation {
  /** registry name, or the custom function's name */
  name: string;
  aggregate: (items: readonly unknown[]) => unknown;
  /** the registry entry; null for a custom (`!function`) aggregation, which is never bootstrapped */
  builtin: AggregationDef | null;
  profile: Profile;
}

const BY_FUNCTION = new WeakMap<object, ResolvedAggregation>();

function remember(r: ResolvedAggregation): ResolvedAggregation {
  BY_FUNCTION.set(r.aggregate, r);
  return r;
}

/** The resolution that produced `fn` (a {@link ResolvedAggregation.aggregate}), if any. */
export function resolvedAggregationOf(fn: unknown): ResolvedAggregation | undefined {
  return typeof fn === 'function' ? BY_FUNCTION.get(fn) : undefined;
}

/**
 * Resolves a `metric_list[].aggregation` value: a registered name or a JS function.
 * Throws {@link LmEvalError} for unknown names.
 */
export function resolveAggregation(spec: unknown, profile: Profile = 'latest', where = 'aggregation'): ResolvedAggregation {
  if (typeof spec === 'string') {
    const def = getAggregationDef(spec, profile);
    if (!def) {
      throw new LmEvalError(
        `${where}: unknown aggregation '${spec}'`,
        `Known aggregations: ${aggregationNames(profile).join(', ')}; or give a !function.`,
      );
    }
    return remember({ name: def.name, aggregate: (items) => def.aggregate(items, profile), builtin: def, profile });
  }
  if (typeof spec === 'function') {
    const fn = spec as CustomAggregationFn;
    return remember({ name: fn.name || '<lambda>', aggregate: (items) => fn([...items]), builtin: null, profile });
  }
  throw new LmEvalError(
    `${where}: expected an aggregation name or a resolved !function, got ${String(spec)}`,
    `Known aggregations: ${aggregationNames(profile).join(', ')}.`,
  );
}
