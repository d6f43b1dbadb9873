/**
 * Winogrande helpers. A sentence holds one blank `_`; each option filled into the blank, with
 * everything after the blank cut off, is one alternative context ("partial evaluation"), and the
 * text after the blank is the continuation scored under every context.
 *
 * Python semantics kept: `str.index("_")` raises when there is no blank (here: an Error naming
 * the sentence), `str.strip()` strips Python whitespace, and the answer column is the string
 * "1" or "2" (an unknown value raises KeyError in Python).
 */
import { pyStrip } from '@lm-eval/core/python';

type Doc = Record<string, any>;

function blankIndex(doc: Doc): number {
  const sentence = String(doc.sentence);
  const i = sentence.indexOf('_');
  if (i < 0) throw new Error(`winogrande: sentence has no blank '_' (Python: ValueError: substring not found): ${JSON.stringify(sentence)}`);
  return i;
}

/** The sentence up to the blank, with `option` in its place (one alternative context). */
export function partial_context(doc: Doc, option: string): string {
  return String(doc.sentence).slice(0, blankIndex(doc)) + option;
}

/** Everything after the blank, stripped: the continuation shared by both contexts. */
export function partial_target(doc: Doc): string {
  return pyStrip(String(doc.sentence).slice(blankIndex(doc) + 1));
}

const ANSWER_TO_NUM: Record<string, number> = { '1': 0, '2': 1 };

/** Gold index (0 or 1). An int here is what makes the task multiple-input. */
export function doc_to_text(doc: Doc): number {
  const key = String(doc.answer);
  if (!Object.prototype.hasOwnProperty.call(ANSWER_TO_NUM, key) || typeof doc.answer !== 'string') {
    throw new Error(`winogrande: answer must be "1" or "2" (Python: KeyError), got ${JSON.stringify(doc.answer)}`);
  }
  return ANSWER_TO_NUM[key];
}

export function doc_to_target(doc: Doc): string {
  return partial_target(doc);
}

export function doc_to_choice(doc: Doc): string[] {
  return [doc.option1, doc.option2].map((opt) => partial_context(doc, String(opt)));
}
