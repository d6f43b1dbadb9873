/**
 * lm-eval's built-in `process_results` per output type (lm_eval/api/task.py `ConfigurableTask.process_results`): turns
 * the filtered responses of one doc into `{metric: per-doc value}`, in Python's key order.
 */
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import type { OutputType } from '../task/config.ts';
import { PyFloat, PyTuple, isFloat, isNumberLike, isPlainObject, pyEquals, pyFloat, pyRepr, pyStr, pyTruthy, toNumber, tuple } from '../python/values.ts';
import { exp } from './aggregations/libm.ts';
import { argmax, npSum, num } from '../python/numeric.ts';
import { pyReSplitWhitespaceCount } from '../python/str-methods.ts';
import { pyTypeName } from '../python/types.ts';
import type { ResolvedMetric } from './metrics/registry.ts';
import type { MetricImpl } from './metrics/types.ts';

export interface ProcessResultsContext {
  /** task name, for messages */
  task?: string;
  outputType: OutputType;
  /** the task's resolved metric list (its order is the order metrics are computed in) */
  metrics: readonly ResolvedMetric[];
  profile: Profile;
  /**
   * the doc's gold: `doc_to_target(doc)` (for multiple-input multiple_choice tasks
   * `doc_to_text(doc)`); for loglikelihood_rolling the target text
   */
  target: unknown;
  /** `doc_to_choice(doc)`: required for multiple_choice; for generate_until only when the task has doc_to_choice */
  choices?: readonly unknown[] | null;
  /** the task's `multiple_target` flag (target_delimiter/`doc_to_target` giving a list of golds) */
  multipleTarget?: boolean;
  /** receives warnings (e.g. a gold label outside the choices) */
  onWarning?: (message: string) => void;
  /**
   * [latest] a metric function returned a dict: each key `key` not in the metric list takes
   * the aggregation and higher_is_better of `source` (lm_eval/api/task.py `process_results`).
   */
  onExpand?: (source: string, key: string) => void;
}

const ctxName = (ctx: ProcessResultsContext): string => `task '${ctx.task ?? '?'}'`;

/** Python `seq[i]` with negative indexes; IndexError/TypeError as errors. */
function pyIndex<T>(seq: readonly T[], i: unknown, what: string): T {
  if (!(typeof i === 'boolean' || (isNumberLike(i) && !isFloat(i)))) {
    throw new TypeError(`${what} indices must be integers, not ${pyRepr(i)}`);
  }
  let k = toNumber(i);
  if (k < 0) k += seq.length;
  if (k < 0 || k >= seq.length) throw new RangeError(`${what} index ${pyRepr(i)} out of range (length ${seq.length})`);
  return seq[k];
}

/** A response to a loglikelihood request after filtering: `(logprob, is_greedy)`. */
function llPair(v: unknown, where: string): [number, unknown] {
  if (!Array.isArray(v) || v.length !== 2) throw new TypeError(`${where}: expected a (loglikelihood, is_greedy) pair, got ${pyRepr(v)}`);
  return [num(v[0], where), v[1]];
}

function pyInt(v: unknown, where: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNumberLike(v)) return Math.trunc(toNumber(v));
  throw new TypeError(`${where}: int() of ${pyRepr(v)}`);
}

// --------------------------------------------------------------------------------------------
// loglikelihood / loglikelihood_rolling

function processLoglikelihood(ctx: ProcessResultsContext, use: Set<string>, results: readonly unknown[]): Record<string, unknown> {
  const [, isGreedy] = llPair(results[0], `${ctxName(ctx)} loglikelihood result`);
  const out: Record<string, unknown> = {};
  if (use.has('perplexity')) out.perplexity = (results[0] as unknown[])[0]; // the value as given
  if (use.has('acc')) out.acc = pyInt(isGreedy, `${ctxName(ctx)} is_greedy`); // int(is_greedy): an int
  return out;
}

function processRolling(ctx: ProcessResultsContext, use: Set<string>, results: readonly unknown[]): Record<string, unknown> {
  if (results.length !== 1) throw new RangeError(`${ctxName(ctx)}: loglikelihood_rolling expects exactly one result per doc, got ${results.length}`);
  const ll = results[0];
  if (typeof ctx.target !== 'string') throw new TypeError(`${ctxName(ctx)}: loglikelihood_rolling target must be a string, got ${pyRepr(ctx.target)}`);
  // count_words: len(re.split(r"\s+", t)) — leading/trailing whitespace yield empty pieces that count
  const words = pyReSplitWhitespaceCount(ctx.target);
  const bytes = Buffer.byteLength(ctx.target, 'utf8');
  const out: Record<string, unknown> = {};
  if (use.has('word_perplexity')) out.word_perplexity = tuple(ll, words);
  // one (immutable) pair for both per-byte metrics
  const perByte = use.has('byte_perplexity') || use.has('bits_per_byte') ? tuple(ll, bytes) : undefined;
  if (use.has('byte_perplexity')) out.byte_perplexity = perByte;
  if (use.has('bits_per_byte')) out.bits_per_byte = perByte;
  return out;
}

// --------------------------------------------------------------------------------------------
// multiple_choice

/** The per-doc 1.0 / 0.0 of acc & co. (PyFloat is immutable: one object each, not one per doc and metric) */
const ONE = new PyFloat(1);
const ZERO = new PyFloat(0);

/** Gold resolution: int kept if < k (else -100), str → index in choices (or -100), list element-wise. */
function resolveGold(gold: unknown, choices: readonly unknown[], ctx: ProcessResultsContext): unknown {
  const k = choices.length;
  let error = false;
  let g: unknown = gold;
  const intLike = (v: unknown): boolean => typeof v === 'boolean' || (isNumberLike(v) && !isFloat(v));
  if (Array.isArray(gold)) {
    g = gold.map((i) => {
      if (!isNumberLike(i) && typeof i !== 'boolean') throw new TypeError(`${ctxName(ctx)}: gold list entries must be ints, got ${pyRepr(i)}`);
      return toNumber(i) < k ? (typeof i === 'boolean' ? toNumber(i) : i) : -100;
    });
    error = (g as unknown[]).some((i) => pyEquals(i, -100));
  } else {
    if (intLike(gold)) g = toNumber(gold) < k ? toNumber(gold) : -100;
    else if (typeof gold === 'string') {
      const idx = choices.findIndex((c) => c === gold);
      g = idx >= 0 ? idx : -100;
    }
    error = pyEquals(g, -100);
  }
  if (error) {
    ctx.onWarning?.(`${ctxName(ctx)}: Label index was not in within range of available choices (gold ${pyRepr(gold)}, ${k} choices); the doc scores 0`);
  }
  return g;
}

/**
 * `utils.softmax`: `exp(x - max(x)) / sum(...)` (NumPy pairwise sum). NumPy's vectorised `np.exp`
 * is not always correctly rounded; ours is, so the last bit may differ on some platforms.
 */
function softmax(xs: readonly number[]): number[] {
  let mx = -Infinity;
  for (const x of xs) {
    if (Number.isNaN(x)) {
      mx = NaN;
      break;
    }
    if (x > mx) mx = x;
  }
  const e = xs.map((x) => exp(x - mx));
  const s = 0 + npSum(e);
  return e.map((x) => x / s);
}

function processMultipleChoice(ctx: ProcessResultsContext, use: Set<string>, results: readonly unknown[]): Record<string, unknown> {
  const where = `${ctxName(ctx)} multiple_choice result`;
  const choices = ctx.choices;
  if (!Array.isArray(choices)) throw new LmEvalError(`${ctxName(ctx)}: multiple_choice scoring needs the doc's choices (doc_to_choice)`);
  const pairs = results.map((r) => llPair(r, where));
  let lls = pairs.map((p) => p[0]);
  const greedy = pairs.map((p) => p[1]);
  const k = choices.length;
  let llsUncond: number[] | null = null;
  if (2 * k === lls.length && use.has('acc_mutual_info')) {
    if (ctx.profile === '0.4.4') {
      // [v0.4.4] even/odd positions (does not match the request layout: a v0.4.4 bug, kept)
      llsUncond = lls.filter((_, i) => i % 2 === 1);
      lls = lls.filter((_, i) => i % 2 === 0);
    } else {
      llsUncond = lls.slice(k);
      lls = lls.slice(0, k);
    }
  }
  const strChoices = choices.map((c) => {
    if (typeof c !== 'string') throw new TypeError(`${ctxName(ctx)}: choices must be strings, got ${pyRepr(c)}`);
    return c;
  });
  const charLen = strChoices.map((c) => Array.from(c).length);
  const byteLen = strChoices.map((c) => Buffer.byteLength(c, 'utf8'));
  const pred = argmax(lls);
  const predNorm = argmax(lls.map((l, i) => l / charLen[i]));
  const predByte = argmax(lls.map((l, i) => l / byteLen[i]));

  const gold = resolveGold(ctx.target, strChoices, ctx);
  const one = ONE;
  const zero = ZERO;
  let acc: unknown;
  let accNorm: unknown;
  let accBytes: unknown;
  let exactMatch: number;
  if (ctx.multipleTarget) {
    const golds = Array.isArray(gold) ? gold : [gold];
    const has = (p: number): boolean => golds.some((g) => pyEquals(g, p));
    acc = has(pred) ? one : zero;
    accNorm = has(predNorm) ? one : zero;
    accBytes = has(predByte) ? one : zero;
    exactMatch = golds.some((g) => !pyEquals(g, -100) && pyTruthy(pyIndex(greedy, g, 'is_greedy'))) ? 1 : 0;
  } else {
    acc = pyEquals(pred, gold) ? one : zero;
    accNorm = pyEquals(predNorm, gold) ? one : zero;
    accBytes = pyEquals(predByte, gold) ? one : zero;
    exactMatch = pyEquals(gold, -100) ? 0 : pyInt(pyIndex(greedy, gold, 'is_greedy'), `${ctxName(ctx)} is_greedy`);
  }
  const latest = ctx.profile === 'latest';
  const out: Record<string, unknown> = {};
  if (use.has('acc')) out.acc = acc;
  if (use.has('f1')) out.f1 = tuple(gold, pred);
  if (use.has('mcc')) out.mcc = tuple(gold, pred);
  if (use.has('acc_norm')) out.acc_norm = accNorm;
  if (latest && use.has('acc_bytes')) out.acc_bytes = accBytes;
  if (use.has('exact_match')) out.exact_match = exactMatch;
  if (use.has('brier_score')) out.brier_score = tuple(gold, softmax(lls));
  if (latest && use.has('likelihood')) out.likelihood = tuple(gold, PyTuple.from(lls) as PyTuple<number>);
  if (use.has('acc_mutual_info')) {
    if (!llsUncond) {
      throw new LmEvalError(
        `${ctxName(ctx)}: acc_mutual_info needs 2 × ${k} loglikelihood results per doc (conditional + unconditional), got ${lls.length}`,
      );
    }
    const mi = lls.map((c, i) => c - llsUncond![i]);
    out.acc_mutual_info = pyEquals(argmax(mi), gold) ? one : zero;
  }
  return out;
}

// --------------------------------------------------------------------------------------------
// generate_until

/** Python `list(v)`: a str becomes its characters. */
function pyList(v: unknown, where: string): unknown[] {
  if (typeof v === 'string') return Array.from(v);
  if (Array.isArray(v)) return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  throw new TypeError(`${where}: ${pyRepr(v)} is not iterable`);
}

/** `type(result)(gold)`: cast the gold to the response's Python type. */
function castLike(result: unknown, gold: unknown, where: string): unknown {
  switch (pyTypeName(result)) {
    case 'str':
      return pyStr(gold);
    case 'list':
      return pyList(gold, where);
    case 'tuple':
      return PyTuple.from(pyList(gold, where));
    case 'bool':
      return pyTruthy(gold);
    case 'int': {
      if (typeof gold === 'string' && /^\s*[-+]?\d+(_\d+)*\s*$/.test(gold)) return parseInt(gold.replaceAll('_', ''), 10);
      if (typeof gold === 'string') throw new TypeError(`${where}: invalid literal for int() with base 10: ${pyRepr(gold)}`);
      return pyInt(gold, where);
    }
    case 'float': {
      const x = typeof gold === 'string' ? Number(gold.trim()) : isNumberLike(gold) || typeof gold === 'boolean' ? toNumber(gold) : NaN;
      if (Number.isNaN(x) && !(typeof gold === 'string' && /^\s*[-+]?nan\s*$/i.test(gold))) {
        throw new TypeError(`${where}: could not convert ${pyRepr(gold)} to float`);
      }
      return pyFloat(x);
    }
    default:
      throw new TypeError(`${where}: cannot convert the gold ${pyRepr(gold)} to ${pyTypeName(result)}`);
  }
}

/** Calls a metric the way lm-eval does: keywords first, `fn([gold, result])` on TypeError. */
function callMetric(impl: MetricImpl, references: unknown[], predictions: unknown[], kwargs: Record<string, unknown>, pair: unknown[]): unknown {
  if (impl.compute) {
    try {
      return impl.compute({ ...kwargs, references, predictions });
    } catch (e) {
      if (!(e instanceof TypeError) || !impl.passthrough) throw e;
    }
  }
  if (!impl.passthrough) throw new TypeError('metric function takes no positional arguments');
  return impl.passthrough(pair);
}

function dictValue(d: Record<string, unknown>, key: string, where: string): unknown {
  if (!(key in d)) throw new LmEvalError(`${where}: the metric returned a dict without the key '${key}' (keys: ${Object.keys(d).join(', ')})`);
  return d[key];
}

function processGenerateUntil(ctx: ProcessResultsContext, results: readonly unknown[]): Record<string, unknown> {
  const where = `${ctxName(ctx)} generate_until`;
  let gold = ctx.target;
  const result = results[0];
  if (ctx.choices !== undefined && ctx.choices !== null) {
    gold = pyIndex(ctx.choices, gold, 'choices');
  } else if (ctx.multipleTarget) {
    gold = pyList(gold, where);
  } else if (pyTypeName(gold) !== pyTypeName(result)) {
    // [latest] not when the metric list contains bypass or the response is a list
    const skip = ctx.profile === 'latest' && (ctx.metrics.some((m) => m.name === 'bypass') || Array.isArray(result));
    if (!skip) gold = castLike(result, gold, where);
  }
  const out: Record<string, unknown> = {};
  for (const m of ctx.metrics) {
    if (!m.impl) throw new LmEvalError(`${where}: metric '${m.name}' has no metric function (the task uses a custom process_results)`);
    let score: unknown;
    if (ctx.multipleTarget) {
      const golds = Array.isArray(gold) ? gold : [gold];
      if (m.name === 'exact_match') {
        const r = callMetric(m.impl, golds, golds.map(() => result), m.kwargs, [golds, result]);
        const v = isPlainObject(r) ? dictValue(r, m.name, where) : r;
        score = pyFloat(num(v, where) > 0 ? 1 : 0);
      } else {
        const scores = golds.map((g) => {
          const r = callMetric(m.impl!, [g], [result], m.kwargs, [g, result]);
          return isPlainObject(r) ? dictValue(r, m.name, where) : r;
        });
        score = pyFloat(scores.some((s) => pyTruthy(s)) ? 1 : 0);
      }
    } else {
      score = callMetric(m.impl, [gold], [result], m.kwargs, [gold, result]);
    }
    if (isPlainObject(score)) {
      // [latest] every key of the dict becomes a result key; [v0.4.4] dict[metric]
      if (ctx.profile === 'latest') {
        Object.assign(out, score);
        for (const k of Object.keys(score)) if (k !== m.name) ctx.onExpand?.(m.name, k);
      }
      else out[m.name] = dictValue(score, m.name, where);
    } else out[m.name] = score;
  }
  return out;
}

// --------------------------------------------------------------------------------------------

/** The names of a task's metric list (one set per list, not per doc). */
const namesOfList = new WeakMap<readonly ResolvedMetric[], Set<string>>();
function metricNames(metrics: readonly ResolvedMetric[]): Set<string> {
  let names = namesOfList.get(metrics);
  if (!names) namesOfList.set(metrics, (names = new Set(metrics.map((m) => m.name))));
  return names;
}

/**
 * lm-eval's built-in `process_results(doc, results)` for one doc. `results` holds the filtered
 * value of each of the doc's instances, in `idx` order. Returns `{metric: value}` with Python's
 * key order; floats Python makes (acc 1.0/0.0) are {@link PyFloat}-typed.
 */
export function builtinProcessResults(ctx: ProcessResultsContext, results: readonly unknown[]): Record<string, unknown> {
  const use = metricNames(ctx.metrics);
  switch (ctx.outputType) {
    case 'loglikelihood':
      return processLoglikelihood(ctx, use, results);
    case 'loglikelihood_rolling':
      return processRolling(ctx, use, results);
    case 'multiple_choice':
      return processMultipleChoice(ctx, use, results);
    case 'generate_until':
      return processGenerateUntil(ctx, results);
    default:
      throw new LmEvalError(`${ctxName(ctx)}: unknown output_type '${String(ctx.outputType)}'`);
  }
}
