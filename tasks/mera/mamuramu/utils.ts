/** MaMuRAMu scoring (MERA's benchmark_tasks/mamuramu/utils.py): `acc` + `acc.<meta.domain>` (generative: `em…`). */
import { pyStr } from '@lm-eval/core/python';
import { groupAccuracy } from '../group_scoring.ts';

type Doc = Record<string, any>;

export function process_results(doc: Doc, results: unknown[]): Record<string, unknown> {
  return groupAccuracy(doc, results, { task: 'mamuramu', choices: ['A', 'B', 'C', 'D'], group: pyStr(doc.meta.domain), sep: '.' });
}
