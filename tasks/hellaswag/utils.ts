/**
 * HellaSwag document preprocessing: the query is `activity_label: ctx_a Ctx_b`, endings become
 * the choices, and WikiHow artefacts (`[title]`, bracketed tags, double spaces) are cleaned.
 */
import { pyMethods, reSub } from '@lm-eval/core';

type Doc = Record<string, any>;

export function preprocess(text: string): string {
  let t = text.trim();
  t = t.replaceAll(' [title]', '. ');
  t = reSub('\\[.*?\\]', '', t);
  t = t.replaceAll('  ', ' ');
  return t;
}

function capitalize(s: string): string {
  return pyMethods.capitalize(s);
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
