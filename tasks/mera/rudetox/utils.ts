/**
 * ruDetox (MERA's benchmark_tasks/rudetox/utils.py).
 *
 * MERA's `rudetoxscoring` filter scores each detoxified completion with three Hugging Face
 * classifiers (style: `IlyaGusev/rubertconv_toxic_clf`, meaning:
 * `s-nlp/rubert-base-cased-conversational-paraphrase-v1`, fluency:
 * `s-nlp/ruRoberta-large-RuCoLa-v1`) and emits `[sta, sim, fl, j, completion]` per doc, where
 * `completion` is the first response with Python `str.strip()` applied.
 * Those models are not available to this harness, so this port keeps the 5-element shape with
 * NaN scores: the submission packer only needs the completion (the last element), and MERA's
 * server computes the real scores. Locally, `j`, `sta`, `sim`, `fl` are therefore NaN.
 *
 * Importing this module (which the task YAML does through `!function utils.process_results`)
 * registers the filter name `rudetoxscoring`, as importing MERA's Python module does.
 */
import { LmEvalError, registerFilter, type Filter, type FilterDoc } from '@lm-eval/core';
import { pyRepr, pyStr, pyStrip } from '@lm-eval/core/python';

type Doc = Record<string, any>;

/** The scoring filter: `[sta, sim, fl, j, completion]` per instance, scores NaN (see above). */
export class RuDetoxScoring implements Filter {
  apply(resps: unknown[], _docs: FilterDoc[]): unknown[] {
    return resps.map((inst) => {
      const completion = Array.isArray(inst) ? inst[0] : inst;
      if (typeof completion !== 'string') throw new LmEvalError(`rudetoxscoring: expected a generated string, got ${pyRepr(completion)}`);
      return [NaN, NaN, NaN, NaN, pyStrip(completion)];
    });
  }
}

registerFilter('rudetoxscoring', () => new RuDetoxScoring());

/** `{j, sta, sim, fl}` from the filtered scores; all 0 (ints) for docs without `outputs`. */
export function process_results(doc: Doc, results: unknown[]): Record<string, unknown> {
  if (pyStr(doc.outputs ?? '').length === 0) return { j: 0, sta: 0, sim: 0, fl: 0 };
  const r = results[0];
  if (!Array.isArray(r) || r.length !== 5) throw new LmEvalError(`rudetox process_results: expected [sta, sim, fl, j, completion], got ${pyRepr(r)}`);
  const [sta, sim, fl, j] = r;
  return { j, sta, sim, fl };
}
