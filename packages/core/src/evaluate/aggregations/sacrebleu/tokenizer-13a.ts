/**
 * sacrebleu's default BLEU tokenizer `13a` (mteval-v13a): unescape a few XML entities, then
 * split punctuation off with four regex passes and normalise whitespace.
 */
import { pySplitWhitespace } from '../../../python/str-methods.ts';

// Punctuation/symbols always split: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
const SYMBOLS = /([{-~[-` -&(-+:-@/])/gu;
// period and comma unless preceded by a digit
const PERIOD_COMMA_AFTER_NON_DIGIT = /([^0-9])([.,])/gu;
// period and comma unless followed by a digit
const PERIOD_COMMA_BEFORE_NON_DIGIT = /([.,])([^0-9])/gu;
// dash preceded by a digit
const DASH_AFTER_DIGIT = /([0-9])(-)/gu;

const cache = new Map<string, string>();
const CACHE_MAX = 1 << 16;

export function tokenize13a(line: string): string {
  const hit = cache.get(line);
  if (hit !== undefined) return hit;
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) {
    s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }
  s = ` ${s} `;
  s = s.replace(SYMBOLS, ' $1 ');
  s = s.replace(PERIOD_COMMA_AFTER_NON_DIGIT, '$1 $2 ');
  s = s.replace(PERIOD_COMMA_BEFORE_NON_DIGIT, ' $1 $2');
  s = s.replace(DASH_AFTER_DIGIT, '$1 $2 ');
  const out = pySplitWhitespace(s).join(' ');
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(line, out);
  return out;
}
