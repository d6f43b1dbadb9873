/**
 * ruMMLU scoring (MERA's benchmark_tasks/rummlu/utils.py): `acc` plus `acc.<meta.domain>` per doc; generative runs
 * score `em` / `em.<domain>`; docs without `outputs` (closed test set) score 0.
 */
import { argmax, pyFloat, pyEquals, pyStr } from '@lm-eval/core/python';

type Doc = Record<string, any>;

export function process_results(doc: Doc, results: unknown[]): Record<string, unknown> {
  const domain = pyStr(doc.meta.domain);
  const hasOutputs = pyStr(doc.outputs ?? '').length > 0;
  const generative = typeof results[0] === 'string';
  if (hasOutputs && !generative) {
    const lls = results.map((r) => Number((r as unknown[])[0]));
    const gold = ['A', 'B', 'C', 'D'].indexOf(doc.outputs);
    const acc = pyFloat(argmax(lls) === gold ? 1 : 0);
    return { acc, [`acc.${domain}`]: acc };
  }
  if (!hasOutputs && !generative) return { acc: pyFloat(0), [`acc.${domain}`]: pyFloat(0) };
  if (hasOutputs && generative) {
    // Python casts gold to the completion's type (str) before comparing
    const acc = pyFloat(pyEquals(results[0], pyStr(doc.outputs)) ? 1 : 0);
    return { em: acc, [`em.${domain}`]: acc };
  }
  return { em: pyFloat(0), [`em.${domain}`]: pyFloat(0) };
}
