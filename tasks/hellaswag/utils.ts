/**
 * HellaSwag document preprocessing: the query is `activity_label: ctx_a Ctx_b`, endings become
 * the choices, and WikiHow artefacts (`[title]`, bracketed tags, double spaces) are cleaned.
 *
 * Python semantics kept: `str.strip()` strips Python whitespace, `str.capitalize()` titlecases
 * the first character and lowercases the rest (pyCapitalize), `re.sub` follows Python `re`, and
 * `int(doc["label"])` rejects a non-integer label (the unlabelled test split) with an error.
 * Like `datasets.Dataset.map`, the new columns are appended after the existing ones.
 */
import { pyCapitalize, pyIntFromString, pyStrip, reSub } from '@lm-eval/core/python';

type Doc = Record<string, any>;

export function preprocess(text: string): string {
  let t = pyStrip(text);
  // NOTE: brackets are artefacts of the WikiHow part of HellaSwag
  t = t.replaceAll(' [title]', '. ');
  t = reSub('\\[.*?\\]', '', t);
  t = t.replaceAll('  ', ' ');
  return t;
}

/** Python `int(x)` for the label column (an int, or a string of one). */
function pyIntLabel(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = typeof v === 'string' ? pyIntFromString(v) : null;
  if (n === null) {
    throw new Error(`hellaswag: label ${JSON.stringify(v)} is not an integer (Python: ValueError: invalid literal for int() with base 10)`);
  }
  return n;
}

export function process_docs(docs: Doc[]): Doc[] {
  return docs.map((doc) => {
    const ctx = doc.ctx_a + ' ' + pyCapitalize(String(doc.ctx_b));
    return {
      ...doc,
      query: preprocess(doc.activity_label + ': ' + ctx),
      choices: (doc.endings as string[]).map(preprocess),
      gold: pyIntLabel(doc.label),
    };
  });
}
