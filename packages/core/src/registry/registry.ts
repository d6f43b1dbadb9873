/**
 * The names task YAML and the CLI use — `--model`, `metric_list[].metric`, `aggregation`,
 * `filter_list[].filter[].function`, `fewshot_config.sampler`, answer metrics and judge reply
 * parsers — mapped to implementations (lm_eval/api/registry.py). The process-wide
 * {@link defaultRegistry} holds the built-ins and what is registered with the module-level
 * `registerModel`/`registerMetric`/... functions (backend packages, task helper modules);
 * {@link createRegistry} makes a registry of your own on top of it: what you register there is
 * seen only by the evaluations and task managers given that registry.
 */
import type { AggregationDef } from '../evaluate/aggregations/types.ts';
import type { AnswerMetricDef } from '../evaluate/answers/answer-metric.ts';
import type { ReplyParser } from '../evaluate/answers/judge-parsers.ts';
import type { FilterFactory } from '../evaluate/filters/filter.ts';
import type { MetricDef } from '../evaluate/metrics/types.ts';
import type { ModelFactory } from '../model/types.ts';
import type { SamplerClass } from '../prompt/sampler.ts';
import { NameTable } from './name-table.ts';

export class Registry {
  /** `--model` names → backend factories. */
  readonly models: NameTable<ModelFactory>;
  /** `metric_list[].metric` names → metrics. */
  readonly metrics: NameTable<MetricDef>;
  /** `metric_list[].aggregation` names → aggregations. */
  readonly aggregations: NameTable<AggregationDef>;
  /** `filter_list[].filter[].function` names → filter factories. */
  readonly filters: NameTable<FilterFactory>;
  /** `fewshot_config.sampler` names → sampler classes. */
  readonly samplers: NameTable<SamplerClass>;
  /** `lm-eval answers` metric names (`--metrics`, `metric_list` of answer tasks). */
  readonly answerMetrics: NameTable<AnswerMetricDef>;
  /** `judge_parser` names. */
  readonly replyParsers: NameTable<ReplyParser>;

  /** A registry whose lookups fall back to `parent` (none: an empty registry). */
  constructor(readonly parent: Registry | null = null) {
    this.models = new NameTable(parent?.models);
    this.metrics = new NameTable(parent?.metrics);
    this.aggregations = new NameTable(parent?.aggregations);
    this.filters = new NameTable(parent?.filters);
    this.samplers = new NameTable(parent?.samplers);
    this.answerMetrics = new NameTable(parent?.answerMetrics);
    this.replyParsers = new NameTable(parent?.replyParsers);
  }

  /** Registers a backend under a `--model` name. */
  registerModel(name: string, factory: ModelFactory): this {
    this.models.set(name, factory);
    return this;
  }

  /** Registers (or replaces) a metric under `def.name`. */
  registerMetric(def: MetricDef): this {
    this.metrics.set(def.name, def);
    return this;
  }

  /** Registers (or replaces) an aggregation under `def.name`. */
  registerAggregation(def: AggregationDef): this {
    this.aggregations.set(def.name, def);
    return this;
  }

  /** Registers (or replaces) a named filter. */
  registerFilter(name: string, factory: FilterFactory): this {
    this.filters.set(name, factory);
    return this;
  }

  /** Registers (or replaces) a few-shot sampler class. */
  registerSampler(name: string, cls: SamplerClass): this {
    this.samplers.set(name, cls);
    return this;
  }

  /** Registers (or replaces) an answer metric under `def.name`. */
  registerAnswerMetric(def: AnswerMetricDef): this {
    this.answerMetrics.set(def.name, def);
    return this;
  }

  /** Registers (or replaces) a judge reply parser. */
  registerReplyParser(name: string, parser: ReplyParser): this {
    this.replyParsers.set(name, parser);
    return this;
  }
}

/** The process-wide registry: the built-ins, backends and what task helper modules register. */
export const defaultRegistry = new Registry();

/**
 * A registry of your own: it resolves every name `parent` (default: {@link defaultRegistry})
 * resolves, and what you register on it shadows those names for it alone. Pass it as
 * `evaluate({ registry })` or `new TaskManager({ registry })`.
 */
export function createRegistry(parent: Registry = defaultRegistry): Registry {
  return new Registry(parent);
}
