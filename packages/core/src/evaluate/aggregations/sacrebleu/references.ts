/**
 * Input handling shared by the sacrebleu ports: lm-eval's `_sacreformat` (per-doc `[ref, pred]`
 * items → sacrebleu's hypothesis list + reference streams) and sacrebleu's reference filtering.
 */
import { pyRepr } from '../../../python/values.ts';

function iterable(v: unknown): unknown[] {
  if (typeof v === 'string') return Array.from(v); // Python iterates a str by characters
  if (Array.isArray(v)) return v;
  throw new TypeError(`sacrebleu input: expected a string or a list, got ${pyRepr(v)}`);
}

/**
 * lm-eval `_sacreformat(refs, preds)`: refs become `M` streams of `N` strings (transposed with
 * Python `zip`, i.e. truncated to the shortest reference list); a list prediction must hold
 * exactly one string.
 */
export function sacreformat(items: readonly unknown[]): { hyps: unknown[]; refStreams: unknown[][] } {
  if (items.length === 0) throw new RangeError('sacrebleu input: no items');
  const refs0 = items.map((it) => iterable(it)[0]);
  const preds0 = items.map((it) => iterable(it)[1]);
  const perDocRefs = Array.isArray(refs0[0]) ? refs0.map(iterable) : refs0.map((r) => [r]);
  const m = Math.min(...perDocRefs.map((r) => r.length));
  const refStreams: unknown[][] = [];
  for (let j = 0; j < m; j++) refStreams.push(perDocRefs.map((r) => r[j]));
  let hyps = preds0;
  if (Array.isArray(preds0[0])) {
    if (preds0[0].length !== 1) throw new RangeError(`Pred must be a str, was ${pyRepr(preds0[0])}`);
    hyps = preds0.map((p) => iterable(p)[0]);
  }
  return { hyps, refStreams };
}

/** sacrebleu argument checks (`_check_corpus_score_args`). */
export function checkCorpusArgs(metric: string, hyps: readonly unknown[], refStreams: readonly unknown[][]): asserts hyps is string[] {
  let err: string | null = null;
  if (typeof hyps[0] !== 'string') err = 'Each element of `hyps` should be a string.';
  else if (hyps.some((h) => h === null || h === undefined)) err = 'Undefined line in hypotheses stream!';
  if (refStreams.length === 0 || refStreams[0].length === 0) err = '`refs` should be a sequence of sequence of strings.';
  else if (typeof refStreams[0][0] !== 'string') err = '`refs` should be a sequence of sequence of strings.';
  if (err) throw new TypeError(`${metric}: ${err}`);
  for (const h of hyps) if (typeof h !== 'string') throw new TypeError(`${metric}: Each element of \`hyps\` should be a string.`);
}

/**
 * sacrebleu `_cache_references`: per segment, the defined non-empty references, each
 * pre-processed; a segment without any is an error.
 */
export function segmentReferences<T>(refStreams: readonly unknown[][], n: number, prep: (s: string) => T): T[][] {
  const out: T[][] = [];
  const len = Math.min(n, ...refStreams.map((s) => s.length));
  for (let i = 0; i < len; i++) {
    const lines: T[] = [];
    for (const stream of refStreams) {
      const r = stream[i];
      if (r === null || r === undefined || r === '') continue;
      if (typeof r !== 'string') throw new TypeError(`sacrebleu: reference ${pyRepr(r)} is not a string`);
      lines.push(prep(r));
    }
    if (lines.length === 0) throw new RangeError('Empty or `None` reference sentence found.');
    out.push(lines);
  }
  return out;
}
