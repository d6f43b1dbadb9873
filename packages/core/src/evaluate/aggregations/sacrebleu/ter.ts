/**
 * Port of sacrebleu 2.x `corpus_ter(hyps, refs)` with its defaults (Tercom tokenizer with no
 * normalisation and no punctuation removal, case-insensitive): beam edit distance with shifts
 * (sacrebleu's `lib_ter`, a near-exact re-implementation of Tercom).
 */
import { pyRstrip, pySplitWhitespace } from '../../../python/str-methods.ts';
import { checkCorpusArgs, segmentReferences } from './references.ts';
import { sumOfLists } from './bleu.ts';

const COST_INS = 1;
const COST_DEL = 1;
const COST_SUB = 1;
const MAX_SHIFT_SIZE = 10;
const MAX_SHIFT_DIST = 50;
const BEAM_WIDTH = 25;
const MAX_CACHE_SIZE = 10000;
const MAX_SHIFT_CANDIDATES = 1000;
const INF = Infinity;

// Edit operations of the trace
const OP_INS = 'i';
const OP_DEL = 'd';
const OP_NOP = ' ';
const OP_SUB = 's';
const OP_UNDEF = 'x';

/** Tercom tokenizer with sacrebleu's TER defaults: lowercase, single spaces. */
function tercomTokenize(sent: string): string {
  if (!sent) return '';
  return pySplitWhitespace(sent.toLowerCase()).join(' ');
}

type Row = { cost: Float64Array; op: string[] };
interface CacheNode {
  next: Map<string, CacheNode>;
  row: Row | null;
}

/**
 * Levenshtein distance restricted to a beam around the (length-ratio) diagonal, with a
 * prefix cache of matrix rows, returning the distance and the edit trace.
 */
class BeamEditDistance {
  private readonly nRef: number;
  private readonly initialRow: Row;
  private readonly cache: CacheNode = { next: new Map(), row: null };
  private cacheSize = 0;

  constructor(private readonly ref: readonly string[]) {
    this.nRef = ref.length;
    const cost = new Float64Array(this.nRef + 1);
    for (let i = 0; i <= this.nRef; i++) cost[i] = i * COST_INS;
    this.initialRow = { cost, op: new Array(this.nRef + 1).fill(OP_INS) };
  }

  private emptyRow(): Row {
    return { cost: new Float64Array(this.nRef + 1).fill(INF), op: new Array(this.nRef + 1).fill(OP_UNDEF) };
  }

  call(hyp: readonly string[]): [number, string] {
    // rows already known for a cached prefix of the hypothesis
    let node = this.cache;
    const dist: Row[] = [this.initialRow];
    for (const w of hyp) {
      const nx = node.next.get(w);
      if (!nx) break;
      node = nx;
      dist.push(nx.row!);
    }
    const start = dist.length - 1;
    const cachedRows = dist.length;
    for (let i = start; i < hyp.length; i++) dist.push(this.emptyRow());
    const nH = hyp.length;
    const lengthRatio = nH ? this.nRef / nH : 1;
    const beamWidth = BEAM_WIDTH < lengthRatio / 2 ? Math.ceil(lengthRatio / 2 + BEAM_WIDTH) : BEAM_WIDTH;
    for (let i = start + 1; i <= nH; i++) {
      const pseudoDiag = Math.floor(i * lengthRatio);
      const minJ = Math.max(0, pseudoDiag - beamWidth);
      let maxJ = Math.min(this.nRef + 1, pseudoDiag + beamWidth);
      if (i === nH) maxJ = this.nRef + 1;
      const prev = dist[i - 1];
      const cur = dist[i];
      for (let j = minJ; j < maxJ; j++) {
        if (j === 0) {
          cur.cost[0] = prev.cost[0] + COST_DEL;
          cur.op[0] = OP_DEL;
          continue;
        }
        let costSub: number;
        let opSub: string;
        if (hyp[i - 1] === this.ref[j - 1]) {
          costSub = 0;
          opSub = OP_NOP;
        } else {
          costSub = COST_SUB;
          opSub = OP_SUB;
        }
        // Tercom prefers no-op/sub, then insertion, then deletion; the trace is flipped
        // later, so deletion is tried before insertion here.
        const c1 = prev.cost[j - 1] + costSub;
        if (cur.cost[j] > c1) {
          cur.cost[j] = c1;
          cur.op[j] = opSub;
        }
        const c2 = prev.cost[j] + COST_DEL;
        if (cur.cost[j] > c2) {
          cur.cost[j] = c2;
          cur.op[j] = OP_DEL;
        }
        const c3 = cur.cost[j - 1] + COST_INS;
        if (cur.cost[j] > c3) {
          cur.cost[j] = c3;
          cur.op[j] = OP_INS;
        }
      }
    }
    let trace = '';
    let i = nH;
    let j = this.nRef;
    const ops: string[] = [];
    while (i > 0 || j > 0) {
      const op = dist[i].op[j];
      ops.push(op);
      if (op === OP_SUB || op === OP_NOP) {
        i--;
        j--;
      } else if (op === OP_INS) j--;
      else if (op === OP_DEL) i--;
      else throw new Error(`TER: unknown operation '${op}'`);
    }
    trace = ops.reverse().join('');
    this.addCache(hyp, dist.slice(cachedRows));
    return [dist[nH].cost[this.nRef], trace];
  }

  private addCache(hyp: readonly string[], rows: Row[]): void {
    if (this.cacheSize >= MAX_CACHE_SIZE) return;
    let node = this.cache;
    const skip = hyp.length - rows.length;
    for (let i = 0; i < skip; i++) node = node.next.get(hyp[i])!;
    for (let k = 0; k < rows.length; k++) {
      const w = hyp[skip + k];
      let nx = node.next.get(w);
      if (!nx) {
        nx = { next: new Map(), row: rows[k] };
        node.next.set(w, nx);
        this.cacheSize++;
      }
      node = nx;
    }
  }
}

/** Alignment of reference positions to hypothesis positions, and error flags. */
function traceToAlignment(trace: string): { align: Map<number, number>; refErr: number[]; hypErr: number[] } {
  let posHyp = -1;
  let posRef = -1;
  const hypErr: number[] = [];
  const refErr: number[] = [];
  const align = new Map<number, number>();
  for (const op of trace) {
    if (op === OP_NOP || op === OP_SUB) {
      posHyp++;
      posRef++;
      align.set(posRef, posHyp);
      const e = op === OP_SUB ? 1 : 0;
      hypErr.push(e);
      refErr.push(e);
    } else if (op === OP_INS) {
      posHyp++;
      hypErr.push(1);
    } else if (op === OP_DEL) {
      posRef++;
      align.set(posRef, posHyp);
      refErr.push(1);
    } else throw new Error(`TER: unknown operation '${op}'`);
  }
  return { align, refErr, hypErr };
}

function flipTrace(trace: string): string {
  let out = '';
  for (const c of trace) out += c === OP_INS ? OP_DEL : c === OP_DEL ? OP_INS : c;
  return out;
}

function performShift(words: readonly string[], start: number, length: number, target: number): string[] {
  if (target < start) {
    return [...words.slice(0, target), ...words.slice(start, start + length), ...words.slice(target, start), ...words.slice(start + length)];
  }
  if (target > start + length) {
    return [...words.slice(0, start), ...words.slice(start + length, target), ...words.slice(start, start + length), ...words.slice(target)];
  }
  return [
    ...words.slice(0, start),
    ...words.slice(start + length, length + target),
    ...words.slice(start, start + length),
    ...words.slice(length + target),
  ];
}

/** Matching word sub-sequences `(startH, startR, length)`, in sacrebleu's generation order. */
function* findShiftedPairs(h: readonly string[], r: readonly string[]): Generator<[number, number, number]> {
  for (let sh = 0; sh < h.length; sh++) {
    for (let sr = 0; sr < r.length; sr++) {
      if (Math.abs(sr - sh) > MAX_SHIFT_DIST) continue;
      let length = 0;
      while (h[sh + length] === r[sr + length] && length < MAX_SHIFT_SIZE) {
        length++;
        yield [sh, sr, length];
        if (h.length === sh + length || r.length === sr + length) break;
      }
    }
  }
}

const sumRange = (xs: readonly number[], a: number, b: number): number => {
  let s = 0;
  for (let i = a; i < Math.min(b, xs.length); i++) s += xs[i];
  return s;
};

/** Candidate ranking tuple (score gain, length, -startH, -idx), compared lexicographically. */
type Candidate = [number, number, number, number, string[]];
function greater(a: Candidate, b: Candidate): boolean {
  for (let i = 0; i < 4; i++) {
    if (a[i] !== b[i]) return (a[i] as number) > (b[i] as number);
  }
  return false; // equal keys imply equal shifted word lists
}

function shift(h: readonly string[], r: readonly string[], ed: BeamEditDistance, checked: number): [number, readonly string[], number] {
  const [preScore, invTrace] = ed.call(h);
  const { align, refErr, hypErr } = traceToAlignment(flipTrace(invTrace));
  let best: Candidate | null = null;
  for (const [sh, sr, length] of findShiftedPairs(h, r)) {
    if (sumRange(hypErr, sh, sh + length) === 0) continue;
    if (sumRange(refErr, sr, sr + length) === 0) continue;
    const a = align.get(sr)!;
    if (sh <= a && a < sh + length) continue;
    let prevIdx = -1;
    for (let offset = -1; offset < length; offset++) {
      let idx: number;
      if (sr + offset === -1) idx = 0;
      else if (align.has(sr + offset)) idx = align.get(sr + offset)! + 1;
      else break;
      if (idx === prevIdx) continue;
      prevIdx = idx;
      const shifted = performShift(h, sh, length, idx);
      const cand: Candidate = [preScore - ed.call(shifted)[0], length, -sh, -idx, shifted];
      checked++;
      if (best === null || greater(cand, best)) best = cand;
    }
    if (checked >= MAX_SHIFT_CANDIDATES) break;
  }
  if (best === null) return [0, h, checked];
  return [best[0], best[4], checked];
}

/** sacrebleu `translation_edit_rate(words_hyp, words_ref)` → (edits, reference length). */
export function translationEditRate(hyp: readonly string[], ref: readonly string[]): [number, number] {
  if (ref.length === 0) return [hyp.length, 0];
  const ed = new BeamEditDistance(ref);
  let shifts = 0;
  let input = hyp;
  let checked = 0;
  for (;;) {
    const [delta, next, c] = shift(input, ref, ed, checked);
    checked = c;
    if (checked >= MAX_SHIFT_CANDIDATES) break;
    if (delta <= 0) break;
    shifts++;
    input = next;
  }
  const [editDistance] = ed.call(input);
  return [shifts + editDistance, ref.length];
}

function preprocess(s: string): string {
  return tercomTokenize(pyRstrip(s));
}

/** Per-segment statistics `[best_num_edits, avg_ref_len]`. */
export function terSegmentStats(hyps: readonly unknown[], refStreams: readonly unknown[][]): number[][] {
  checkCorpusArgs('TER', hyps, refStreams);
  const refs = segmentReferences(refStreams, hyps.length, (s) => pySplitWhitespace(preprocess(s)));
  return refs.map((refWords, i) => {
    const hypWords = pySplitWhitespace(preprocess(hyps[i]));
    let refLengths = 0;
    let bestEdits = 1e16;
    for (const rw of refWords) {
      const [edits, refLen] = translationEditRate(hypWords, rw);
      refLengths += refLen;
      if (edits < bestEdits) bestEdits = edits;
    }
    return [bestEdits, refLengths / refWords.length];
  });
}

/** `TER._compute_score_from_stats`. */
export function terFromStats(stats: readonly number[]): number {
  const [totalEdits, sumRefLengths] = stats;
  let score: number;
  if (sumRefLengths > 0) score = totalEdits / sumRefLengths;
  else if (totalEdits > 0) score = 1.0;
  else score = 0.0;
  return 100 * score;
}

/** `sacrebleu.corpus_ter(hyps, refStreams).score`. */
export function corpusTer(hyps: readonly unknown[], refStreams: readonly unknown[][]): number {
  return terFromStats(sumOfLists(terSegmentStats(hyps, refStreams)));
}
