/**
 * TypeScript helpers of the example tasks, referenced from the YAML as `!function utils.<name>`
 * (the file next to the YAML, `utils.ts`, exporting `<name>`).
 */
import { pyFloat, pyStrip } from '@lm-eval/core/python';

type Doc = Record<string, any>;

/** The prompt. A function can do what a template cannot express comfortably. */
export function doc_to_text(doc: Doc): string {
  const country = String(doc.country);
  const article = /^(United|Netherlands|Czech|Philippines)/.test(country) ? 'the ' : '';
  return `Q: What is the capital of ${article}${country}?\nA:`;
}

/** Lower-cased, surrounding whitespace and final period removed. */
export function normalize(text: string): string {
  return pyStrip(text).replace(/\.$/, '').toLowerCase();
}

/**
 * Scores one doc. `results` holds one value per request of the doc: here a single generated
 * string (after the filters; the default filter keeps the first of `repeats` answers).
 * Values are Python floats (1.0 / 0.0), as a Python process_results would return.
 */
export function process_results(doc: Doc, results: unknown[]): Record<string, unknown> {
  const answer = normalize(String(results[0] ?? ''));
  const gold = normalize(String(doc.capital));
  const firstWord = answer.split(/\s+/)[0] ?? '';
  return {
    exact_match: pyFloat(answer === gold ? 1 : 0),
    first_word: pyFloat(firstWord === gold.split(/\s+/)[0] ? 1 : 0),
  };
}
