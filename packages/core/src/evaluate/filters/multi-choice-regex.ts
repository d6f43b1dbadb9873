/**
 * `multi_choice_regex`: answer letter extraction for multiple-choice generation tasks
 * (lm_eval/filters/extraction.py `MultiChoiceRegexFilter`). Needs `doc.choices`. Per response:
 * 1. the primary regex (as `regex`; a tuple match gives its first non-empty group, or "");
 * 2. else the escaped, ignore-processed choice texts searched in the ignore-processed response,
 *    mapped to "(A)", "(B)", …;
 * 3. else `:[\s]*(A|B|…)` in the raw response, mapped to "(X)";
 * 4. else `fallback`.
 * Ignore-processing: `regexes_to_ignore` (sub with ""), `lower()`, removal of every Unicode
 * punctuation character (category P*).
 */
import { LmEvalError } from '../../errors.ts';
import { PyPattern, compilePyRegex, reEscape, reSub } from '../../python/re.ts';
import { PyTuple, pyTruthy } from '../../python/values.ts';
import { pyStrip } from '../../python/str-methods.ts';
import { checkKwargs, describe, pyIter, requireStr, type FilterFactory } from './filter.ts';
import { pySelect, regexOptions } from './regex.ts';

const PUNCTUATION = /\p{P}/gu;

export const multiChoiceRegexFilter: FilterFactory = (kwargs) => {
  const name = 'multi_choice_regex';
  checkKwargs(name, kwargs, ['regex_pattern', 'group_select', 'fallback', 'ignore_case', 'ignore_punctuation', 'regexes_to_ignore']);
  const opts = regexOptions(kwargs, name);
  const regex = compilePyRegex(opts.regexPattern);
  const ignoreCase = pyTruthy(kwargs.ignore_case ?? false);
  const ignorePunctuation = pyTruthy(kwargs.ignore_punctuation ?? false);
  const toIgnore = kwargs.regexes_to_ignore ?? null;
  if (toIgnore !== null && !Array.isArray(toIgnore)) throw new LmEvalError(`filter '${name}': 'regexes_to_ignore' must be a list of regexes, got ${describe(toIgnore)}`);

  const findMatch = (re: PyPattern, resp: string, convert: Map<string, string> | null): string => {
    const matches = re.findall(resp);
    if (matches.length === 0) return '';
    let m = pySelect(matches, opts.groupSelect, `filter '${name}'`);
    if (m instanceof PyTuple) m = m.find((g) => g) ?? '';
    m = pyStrip(m as string);
    if (m && convert?.has(m)) m = convert.get(m)!;
    return m;
  };

  const filterIgnores = (st: string): string => {
    if (toIgnore) for (const r of toIgnore) st = reSub(r as string, '', st);
    if (ignoreCase) st = st.toLowerCase();
    if (ignorePunctuation) st = st.replace(PUNCTUATION, '');
    return st;
  };

  return {
    apply(resps, docs) {
      return resps.map((r, i) => {
        const doc = docs[i];
        const choices = doc?.choices;
        if (!Array.isArray(choices)) throw new LmEvalError(`filter '${name}' needs a 'choices' list in every doc, got ${describe(choices)}`);
        const fallbackParts: string[] = [];
        const choiceToAlpha = new Map<string, string>();
        const letters: string[] = [];
        const letterToTarget = new Map<string, string>();
        choices.forEach((c, k) => {
          const m = filterIgnores(pyStrip(requireStr(c, name, 'strip')));
          const alpha = String.fromCharCode(65 + k);
          fallbackParts.push(reEscape(m));
          choiceToAlpha.set(m, `(${alpha})`);
          letters.push(alpha);
          letterToTarget.set(alpha, `(${alpha})`);
        });
        // Per-doc patterns: compiled directly so they do not churn the shared regex cache.
        const fallbackRegex = new PyPattern(fallbackParts.join('|'));
        const withoutParen = new PyPattern(`:[\\s]*(${letters.join('|')})`);
        return pyIter(r, name).map((resp) => {
          const s = requireStr(resp, name, 'findall');
          let match: unknown = findMatch(regex, s, null);
          if (!match) {
            match = findMatch(fallbackRegex, filterIgnores(s), choiceToAlpha);
            if (!match) match = findMatch(withoutParen, s, letterToTarget);
          }
          return match ? match : opts.fallback;
        });
      });
    },
  };
};
