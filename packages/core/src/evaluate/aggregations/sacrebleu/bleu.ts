/**
 * Port of sacrebleu 2.x `corpus_bleu(hyps, refs)` with its defaults: tokenizer `13a`,
 * smoothing `exp`, no lowercasing, max n-gram order 4, no effective order.
 */
import { exp, log } from '../libm.ts';
import { pyRstrip, pySplitWhitespace } from '../../../python/str-methods.ts';
import { checkCorpusArgs, segmentReferences } from './references.ts';
import { tokenize13a } from './tokenizer-13a.ts';

const MAX_ORDER = 4;

/** `extract_all_word_ngrams(line, 1, 4)`: n-gram counts (keys: tokens joined by ' ') and length. */
function wordNgrams(line: string): { counts: Map<string, number>[]; len: number } {
  const tokens = pySplitWhitespace(line);
  const counts: Map<string, number>[] = [];
  for (let n = 1; n <= MAX_ORDER; n++) {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' ');
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    counts.push(m);
  }
  return { counts, len: tokens.length };
}

interface RefInfo {
  /** per order: max count of each n-gram over the references */
  ngrams: Map<string, number>[];
  lens: number[];
}

function referenceInfo(refs: string[]): RefInfo {
  let ngrams: Map<string, number>[] | null = null;
  const lens: number[] = [];
  for (const ref of refs) {
    const { counts, len } = wordNgrams(ref);
    lens.push(len);
    if (ngrams === null) ngrams = counts;
    else {
      for (let o = 0; o < MAX_ORDER; o++) {
        for (const [k, c] of counts[o]) ngrams[o].set(k, Math.max(ngrams[o].get(k) ?? 0, c));
      }
    }
  }
  return { ngrams: ngrams!, lens };
}

/** Closest reference length; ties go to the shorter reference. */
function closestRefLen(hypLen: number, refLens: readonly number[]): number {
  let closestDiff = -1;
  let closestLen = -1;
  for (const refLen of refLens) {
    const diff = Math.abs(hypLen - refLen);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = refLen;
    } else if (diff === closestDiff && refLen < closestLen) closestLen = refLen;
  }
  return closestLen;
}

/** Segment statistics `[hyp_len, ref_len, correct_1..4, total_1..4]`. */
function segmentStats(hyp: string, ref: RefInfo): number[] {
  const { counts, len } = wordNgrams(hyp);
  const correct = [0, 0, 0, 0];
  const total = [0, 0, 0, 0];
  for (let o = 0; o < MAX_ORDER; o++) {
    for (const [k, c] of counts[o]) {
      total[o] += c;
      const r = ref.ngrams[o].get(k);
      if (r !== undefined) correct[o] += Math.min(c, r);
    }
  }
  return [len, closestRefLen(len, ref.lens), ...correct, ...total];
}

const myLog = (x: number): number => (x === 0 ? -9999999999 : log(x));

/** `BLEU.compute_bleu` with `exp` smoothing, from summed statistics. */
export function bleuFromStats(stats: readonly number[]): number {
  const sysLen = stats[0];
  const refLen = stats[1];
  const correct = stats.slice(2, 2 + MAX_ORDER);
  const total = stats.slice(2 + MAX_ORDER);
  const bp = sysLen < refLen ? (sysLen > 0 ? exp(1 - refLen / sysLen) : 0.0) : 1.0;
  const precisions = [0, 0, 0, 0];
  if (!correct.some((c) => c !== 0)) return 0.0;
  let smoothMteval = 1.0;
  for (let n = 1; n <= MAX_ORDER; n++) {
    if (total[n - 1] === 0) break;
    if (correct[n - 1] === 0) {
      smoothMteval *= 2;
      precisions[n - 1] = 100 / (smoothMteval * total[n - 1]);
    } else precisions[n - 1] = (100 * correct[n - 1]) / total[n - 1];
  }
  let s = 0;
  for (const p of precisions) s += myLog(p);
  return bp * exp(s / MAX_ORDER);
}

function preprocess(s: string): string {
  return tokenize13a(pyRstrip(s));
}

/** Per-segment statistics of a corpus (sacrebleu `_extract_corpus_statistics`). */
export function bleuSegmentStats(hyps: readonly unknown[], refStreams: readonly unknown[][]): number[][] {
  checkCorpusArgs('BLEU', hyps, refStreams);
  const refs = segmentReferences(refStreams, hyps.length, preprocess).map(referenceInfo);
  return refs.map((ref, i) => segmentStats(preprocess(hyps[i]), ref));
}

/** sacrebleu `sum_of_lists` (left-to-right element-wise sums). */
export function sumOfLists(lists: readonly (readonly number[])[], pick?: ArrayLike<number>): number[] {
  const n = pick ? pick.length : lists.length;
  if (n === 1) return [...lists[pick ? pick[0] : 0]];
  const out = new Array<number>(lists[0].length).fill(0);
  for (let k = 0; k < n; k++) {
    const l = lists[pick ? pick[k] : k];
    for (let j = 0; j < out.length; j++) out[j] += l[j];
  }
  return out;
}

/** `sacrebleu.corpus_bleu(hyps, refStreams).score`. */
export function corpusBleu(hyps: readonly unknown[], refStreams: readonly unknown[][]): number {
  return bleuFromStats(sumOfLists(bleuSegmentStats(hyps, refStreams)));
}
