/**
 * WikiText detokenisation (undo the `@-@`, ` , ` style tokenisation of the raw dump) and
 * scoring: word and byte counts are taken from the raw page, before detokenisation.
 */
import { reSub, reSplit, tuple } from '@lm-eval/core/python';

type Doc = Record<string, any>;

export function wikitext_detokenizer(doc: Doc): string {
  let s = String(doc.page);
  // contractions
  s = s.replaceAll("s '", "s'");
  s = reSub("/' [0-9]/", "/'[0-9]/", s);
  // number separators
  s = s.replaceAll(' @-@ ', '-');
  s = s.replaceAll(' @,@ ', ',');
  s = s.replaceAll(' @.@ ', '.');
  // punctuation
  for (const p of [':', ';', '.', '!', '?', ',']) s = s.replaceAll(` ${p} `, `${p} `);
  // double brackets
  s = reSub('\\(\\s*([^\\)]*?)\\s*\\)', '(\\1)', s);
  s = reSub('\\[\\s*([^\\]]*?)\\s*\\]', '[\\1]', s);
  s = reSub('{\\s*([^}]*?)\\s*}', '{\\1}', s);
  s = reSub('\\"\\s*([^\\"]*?)\\s*\\"', '"\\1"', s);
  s = reSub("'\\s*([^']*?)\\s*'", "'\\1'", s);
  // miscellaneous
  s = s.replaceAll('= = = =', '====');
  s = s.replaceAll('= = =', '===');
  s = s.replaceAll('= =', '==');
  s = s.replaceAll(' \u00b0 ', '\u00b0');
  s = s.replaceAll(' \n', '\n');
  s = s.replaceAll('\n ', '\n');
  s = s.replaceAll(' N ', ' 1 ');
  s = s.replaceAll(" 's", "'s");
  return s;
}

export function process_results(doc: Doc, results: unknown[]): Record<string, unknown> {
  const [loglikelihood] = results;
  const page = String(doc.page);
  const words = reSplit('\\s+', page).length;
  const bytes = Buffer.byteLength(page, 'utf8');
  return {
    word_perplexity: tuple(loglikelihood, words),
    byte_perplexity: tuple(loglikelihood, bytes),
    bits_per_byte: tuple(loglikelihood, bytes),
  };
}
