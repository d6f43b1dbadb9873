/**
 * `metric_list` entries that name answer metrics: built-in ones (registry.ts) and judges defined
 * in the task itself (`judge_template` + `judge_parser` under a new name). Entry keys:
 *
 *   - metric: judge_exactness        # or any new name with judge_template
 *     judge_model: {base_url: ..., model: ...}   # mapping; `backend:` picks the backend
 *                                               # (default local-chat-completions); absent:
 *                                               # the run's --judge_model
 *     judge_template: "..."          # Jinja over query, output, output_true, context, doc
 *     judge_parser: binary | number | json | {type: number, min: 1, max: 10}
 *     judge_gen_kwargs: {temperature: 0, max_gen_toks: 512}
 *     aggregation: mean               # the only aggregation answer metrics take
 *     higher_is_better: true
 */
import { LmEvalError } from '../../errors.ts';
import type { GenKwargs } from '../../model/types.ts';
import { sha256Hex } from '../../python/hash.ts';
import { isPlainObject } from '../../python/values.ts';
import { compileTemplate } from '../../template/index.ts';
import type { AnswerMetricDef, JudgeMetricDef } from './answer-metric.ts';
import { parserSpecOf, type ParserSpec } from './judge-parsers.ts';
import { judgeModelSpecOf, publicJudgeArgs, type JudgeModelSpec } from './judge-models.ts';
import { getAnswerMetric } from './registry.ts';

/** What a judge call is sent with by default (greedy, room for a short justification). */
export const DEFAULT_JUDGE_GEN_KWARGS: GenKwargs = { until: [], max_gen_toks: 512, temperature: 0 };

export interface ResolvedJudge {
  /** null: the run's default judge (`--judge_model`) */
  model: JudgeModelSpec | null;
  template: string;
  parser: ParserSpec;
  genKwargs: GenKwargs;
}

export interface ResolvedAnswerMetric {
  name: string;
  def: AnswerMetricDef;
  /** result keys it fills, `name` first */
  keys: string[];
  higherIsBetter: boolean | null;
  judge?: ResolvedJudge;
}

const KEYS = new Set(['metric', 'aggregation', 'higher_is_better', 'judge_model', 'judge_template', 'judge_parser', 'judge_gen_kwargs']);
const JUDGE_ONLY = ['judge_model', 'judge_template', 'judge_parser', 'judge_gen_kwargs'];

/** Whether a metric_list entry names an answer metric (built in, or a judge defined in place). */
export function isAnswerMetricEntry(entry: Record<string, unknown>): boolean {
  return typeof entry.metric === 'string' && (getAnswerMetric(entry.metric) !== undefined || 'judge_template' in entry);
}

/** Resolves one answer-metric entry of a task's metric_list; `where` names it in errors. */
export function resolveAnswerMetric(entry: Record<string, unknown>, where: string): ResolvedAnswerMetric {
  const name = entry.metric as string;
  for (const k of Object.keys(entry)) {
    if (!KEYS.has(k)) throw new LmEvalError(`${where}: unknown key '${k}' for the answer metric '${name}'`, `answer metric entries take: ${[...KEYS].join(', ')}`);
  }
  if (entry.aggregation !== undefined && entry.aggregation !== 'mean') {
    throw new LmEvalError(`${where}.aggregation: answer metric '${name}' is aggregated with mean (over docs, each doc the mean of its repeats)`, 'drop aggregation: or write aggregation: mean');
  }
  const builtin = getAnswerMetric(name);
  let def: AnswerMetricDef;
  if ('judge_template' in entry) {
    if (typeof entry.judge_template !== 'string') throw new LmEvalError(`${where}.judge_template: expected a Jinja template string`);
    if (builtin && builtin.kind !== 'judge') throw new LmEvalError(`${where}: '${name}' is a measured metric, it takes no judge_template`, 'give your judge another metric name');
    if (!builtin && !('judge_parser' in entry)) {
      throw new LmEvalError(`${where}: the judge '${name}' needs judge_parser`, 'judge_parser: binary | number | json, or {type: number, min: 1, max: 10}');
    }
    const base: JudgeMetricDef = builtin?.kind === 'judge' ? builtin : { kind: 'judge', name, higherIsBetter: true, needs: [], parser: { type: 'number' }, template: '' };
    def = { ...base, template: entry.judge_template };
  } else if (builtin) {
    def = builtin;
  } else {
    throw new LmEvalError(`${where}: '${name}' is not an answer metric`);
  }
  if (def.kind === 'measure') {
    const extra = JUDGE_ONLY.filter((k) => k in entry);
    if (extra.length) throw new LmEvalError(`${where}: '${name}' is measured, not judged; it takes no ${extra.join(', ')}`);
    const higherIsBetter = 'higher_is_better' in entry ? (entry.higher_is_better as boolean | null) : def.higherIsBetter;
    return { name, def, keys: [name, ...(def.extraKeys ?? [])], higherIsBetter };
  }
  try {
    compileTemplate(def.template);
  } catch (e) {
    throw new LmEvalError(`${where}.judge_template: ${(e as Error).message}`);
  }
  const parser = 'judge_parser' in entry ? parserSpecOf(entry.judge_parser, `${where}.judge_parser`) : def.parser;
  const model = entry.judge_model === undefined || entry.judge_model === null ? null : judgeModelSpecOf(entry.judge_model, `${where}.judge_model`);
  if (entry.judge_gen_kwargs !== undefined && !isPlainObject(entry.judge_gen_kwargs)) {
    throw new LmEvalError(`${where}.judge_gen_kwargs: expected a mapping, got ${JSON.stringify(entry.judge_gen_kwargs)}`);
  }
  const genKwargs = { ...DEFAULT_JUDGE_GEN_KWARGS, ...((entry.judge_gen_kwargs as GenKwargs | undefined) ?? {}) };
  const higherIsBetter = 'higher_is_better' in entry ? (entry.higher_is_better as boolean | null) : def.higherIsBetter;
  return { name, def, keys: [name], higherIsBetter, judge: { model, template: def.template, parser, genKwargs } };
}

/** A judge's identity: recorded in results and part of its response-cache key. */
export function judgeIdentity(metric: string, judge: ResolvedJudge, model: JudgeModelSpec): Record<string, unknown> {
  return {
    metric,
    backend: model.backend,
    model_args: publicJudgeArgs(model.args),
    template_sha256: sha256Hex(judge.template),
    parser: { ...judge.parser },
    gen_kwargs: judge.genKwargs,
  };
}
