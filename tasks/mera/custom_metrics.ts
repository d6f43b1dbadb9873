/**
 * MERA's `custom_metrics.f1_score_multiclass_macro` (benchmark_tasks/custom_metrics.py): scikit-learn macro F1
 * over `(gold, pred)` pairs.
 *
 * - labels = sorted union of golds and preds (Python `sorted`: numbers by value, strings by code
 *   point; a mix of both is a TypeError in Python and an error here);
 * - per label `2·tp / (2·tp + fp + fn)` (0.0 when the denominator is 0). This is how
 *   scikit-learn >= 1.3 computes it; going through precision and recall can differ in the last bit;
 * - result = NumPy mean of the per-label values (`np.average`; for fewer than 9 labels this is the
 *   left-to-right sum divided by the number of labels).
 *
 * Used as a custom aggregation (`aggregation: !function ../custom_metrics.f1_score_multiclass_macro`),
 * so lm-eval never bootstraps it: its stderr is "N/A".
 */
import { LmEvalError } from '@lm-eval/core';
import { compareCodePoints, isNumberLike, npMean, pyFloat, pyRepr, toNumber, type PyFloat } from '@lm-eval/core/python';

type Label = number | string;

function labelOf(v: unknown, where: string): Label {
  if (typeof v === 'string') return v;
  if (isNumberLike(v) || typeof v === 'boolean') return toNumber(v);
  throw new LmEvalError(`${where}: labels must be numbers or strings, got ${pyRepr(v)}`);
}

/** Sorted unique labels, as Python `sorted(set(golds) | set(preds))`. */
export function sortedLabels(labels: Label[], where = 'f1_score_multiclass_macro'): Label[] {
  const kinds = new Set(labels.map((l) => typeof l));
  if (kinds.size > 1) {
    throw new LmEvalError(`${where}: cannot sort a mix of numeric and string labels (TypeError in Python)`, 'golds and predictions must be of the same kind');
  }
  const uniq = [...new Set(labels)];
  return uniq.sort((a, b) => (typeof a === 'number' ? (a as number) - (b as number) : compareCodePoints(a as string, b as string)));
}

/** Macro-averaged F1 of gold/pred label lists. */
export function macroF1(golds: unknown[], preds: unknown[]): number {
  const where = 'f1_score_multiclass_macro';
  if (golds.length !== preds.length) throw new LmEvalError(`${where}: ${golds.length} golds but ${preds.length} predictions`);
  const g = golds.map((x) => labelOf(x, where));
  const p = preds.map((x) => labelOf(x, where));
  const labels = sortedLabels([...g, ...p], where);
  const perLabel: number[] = [];
  for (const label of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < g.length; i++) {
      const isG = g[i] === label;
      const isP = p[i] === label;
      if (isG && isP) tp++;
      else if (isP) fp++;
      else if (isG) fn++;
    }
    const den = 2 * tp + fp + fn;
    perLabel.push(den === 0 ? 0 : (2 * tp) / den);
  }
  return labels.length === 0 ? 0 : npMean(perLabel);
}

/** The aggregation: items are `(gold, pred)` pairs (tuples or 2-element lists). */
export function f1_score_multiclass_macro(items: unknown[]): number | PyFloat {
  const golds: unknown[] = [];
  const preds: unknown[] = [];
  for (const it of items) {
    if (!Array.isArray(it) || it.length !== 2) {
      throw new LmEvalError(`f1_score_multiclass_macro: each item must be a (gold, pred) pair, got ${pyRepr(it)}`);
    }
    golds.push(it[0]);
    preds.push(it[1]);
  }
  return pyFloat(macroF1(golds, preds));
}
