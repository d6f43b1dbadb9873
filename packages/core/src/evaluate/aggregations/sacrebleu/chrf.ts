/**
 * Port of sacrebleu 2.x `corpus_chrf(hyps, refs)` with its defaults (chrF2): character n-grams
 * up to 6, no word n-grams, β = 2, whitespace removed, case-sensitive, effective-order averaging.
 */
import { pySplitWhitespace } from '../../../python/str-methods.ts';
import { checkCorpusArgs, segmentReferences } from './references.ts';
import { sumOfLists } from './bleu.ts';

const CHAR_ORDER = 6;

/** CHRF options other than the defaults lm-eval uses (β = 2, no eps smoothing); for tests. */
export interface ChrfOptions {
  beta?: number;
  epsSmoothing?: boolean;
}

/** `extract_all_char_ngrams(line, 6, include_whitespace=False)`. */
function charNgrams(line: string): Map<string, number>[] {
  const chars = Array.from(pySplitWhitespace(line).join(''));
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= CHAR_ORDER; n++) {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= chars.length; i++) {
      const key = n === 1 ? chars[i] : chars.slice(i, i + n).join('');
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    out.push(m);
  }
  return out;
}

/** `[hyp_count, ref_count, match_count]` for one order. */
function matchStats(hyp: Map<string, number>, ref: Map<string, number>): [number, number, number] {
  let match = 0;
  let hypCount = 0;
  for (const [ng, c] of hyp) {
    hypCount += c;
    const r = ref.get(ng);
    if (r !== undefined) match += Math.min(c, r);
  }
  let refCount = 0;
  for (const c of ref.values()) refCount += c;
  return [ref.size > 0 ? hypCount : 0, refCount, match];
}

/** `CHRF._compute_f_score` (effective-order averaging; eps smoothing off). */
export function chrfFromStats(stats: readonly number[], opts: ChrfOptions = {}): number {
  const factor = (opts.beta ?? 2) ** 2;
  const eps = 1e-16;
  let score = 0.0;
  let avgPrec = 0.0;
  let avgRec = 0.0;
  let effectiveOrder = 0;
  for (let i = 0; i < CHAR_ORDER; i++) {
    const nHyp = stats[3 * i];
    const nRef = stats[3 * i + 1];
    const nMatch = stats[3 * i + 2];
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec) / denom : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effectiveOrder += 1;
    }
  }
  if (opts.epsSmoothing) return (100 * score) / CHAR_ORDER;
  if (effectiveOrder === 0) {
    avgPrec = 0.0;
    avgRec = 0.0;
  } else {
    avgPrec /= effectiveOrder;
    avgRec /= effectiveOrder;
  }
  if (avgPrec + avgRec) {
    score = (1 + factor) * avgPrec * avgRec;
    score /= factor * avgPrec + avgRec;
    return 100 * score;
  }
  return 0.0;
}

/** Per-segment statistics: for several references, those of the best sentence-level score. */
export function chrfSegmentStats(hyps: readonly unknown[], refStreams: readonly unknown[][], opts: ChrfOptions = {}): number[][] {
  checkCorpusArgs('CHRF', hyps, refStreams);
  const refs = segmentReferences(refStreams, hyps.length, charNgrams);
  return refs.map((refNgrams, i) => {
    const hypNgrams = charNgrams(hyps[i]);
    let best: number[] = [];
    let bestF = -1.0;
    for (const r of refNgrams) {
      const stats: number[] = [];
      for (let o = 0; o < CHAR_ORDER; o++) stats.push(...matchStats(hypNgrams[o], r[o]));
      const f = chrfFromStats(stats, opts);
      if (f > bestF) {
        bestF = f;
        best = stats;
      }
    }
    return best;
  });
}

/** `sacrebleu.corpus_chrf(hyps, refStreams).score`. */
export function corpusChrf(hyps: readonly unknown[], refStreams: readonly unknown[][], opts: ChrfOptions = {}): number {
  return chrfFromStats(sumOfLists(chrfSegmentStats(hyps, refStreams, opts)), opts);
}
