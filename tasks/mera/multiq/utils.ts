/**
 * MultiQ scoring (MERA's benchmark_tasks/tape/utils.py `process_results`): SQuAD-style exact match and token F1, maximised over the
 * gold answers `outputs.split(";")`; docs without gold answers score 0.
 */
import { em, f1, pyMax } from '../squad_metrics.ts';

type Doc = Record<string, any>;

export function process_results(doc: Doc, results: unknown[]): Record<string, unknown> {
  const outputs = String(doc.outputs ?? '');
  if (outputs.length > 0) {
    const golds = outputs.split(';');
    const pred = String(results[0]);
    return {
      f1: pyMax(golds.map((g) => f1(pred, g))),
      em: pyMax(golds.map((g) => em(pred, g))),
    };
  }
  return { f1: 0, em: 0 };
}
