/**
 * HellaSwag document preprocessing: the query is `activity_label: ctx_a Ctx_b`, endings become
 * the choices, and WikiHow artefacts (`[title]`, bracketed tags, double spaces) are cleaned.
 */
import { reSub } from '@lm-eval/core';

type Doc = Record<string, any>;

export function preprocess(text: string): string {
  let t = text.trim();
  t = t.replaceAll(' [title]', '. ');
  t = reSub('\\[.*?\\]', '', t);
  t = t.replaceAll('  ', ' ');
  return t;
}

/** Python str.capitalize(): first character upper-cased, the rest lower-cased. */
function capitalize(s: string): string {
  const [first = '', ...rest] = [...s];
  return first.toUpperCase() + rest.join('').toLowerCase();
}

export function process_docs(docs: Doc[]): Doc[] {
  return docs.map((doc) => {
    const ctx = doc.ctx_a + ' ' + capitalize(String(doc.ctx_b));
    return {
      ...doc,
      query: preprocess(doc.activity_label + ': ' + ctx),
      choices: (doc.endings as string[]).map(preprocess),
      gold: Number.parseInt(String(doc.label), 10),
    };
  });
}
