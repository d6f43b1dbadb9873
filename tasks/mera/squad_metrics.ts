/**
 * SQuAD v2 answer normalisation and metrics (used by CheGeKa and MultiQ): lowercase, drop
 * ASCII punctuation, drop the articles a/an/the, collapse whitespace; exact match is equality
 * of normalised strings (int 0/1), F1 is token-overlap F1 (float).
 */
import { pyFloat, pySplit, reSub, toNumber, type PyFloat } from '@lm-eval/core/python';

const PUNCT = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

export function normalizeAnswer(s: string): string {
  let t = s.toLowerCase();
  t = [...t].filter((ch) => !PUNCT.has(ch)).join('');
  t = reSub('\\b(a|an|the)\\b', ' ', t);
  return pySplit(t).join(' ');
}

function tokens(s: string): string[] {
  return s ? pySplit(normalizeAnswer(s)) : [];
}

export function em(pred: string, gold: string): number {
  return normalizeAnswer(pred) === normalizeAnswer(gold) ? 1 : 0;
}

/** Python `max(values)`: the first maximal element, keeping its int/float type. */
export function pyMax<T extends number | PyFloat>(values: T[]): T {
  let best = values[0];
  for (const v of values.slice(1)) if (toNumber(v) > toNumber(best)) best = v;
  return best;
}

export function f1(pred: string, gold: string): number | PyFloat {
  const p = tokens(pred);
  const g = tokens(gold);
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      same++;
      counts.set(t, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / p.length;
  const recall = same / g.length;
  return pyFloat((2 * precision * recall) / (precision + recall));
}
