/**
 * `regex`: extract an answer with Python `re.findall` (lm_eval/filters/extraction.py `RegexFilter`).
 * Profile differences: [latest] non-string responses become "" and a tuple match whose groups
 * are all empty gives `fallback`; [v0.4.4] both crash, as in Python.
 */
import type { Profile } from '../../compat.ts';
import { LmEvalError } from '../../errors.ts';
import { compilePyRegex, type PyPattern } from '../../python/re.ts';
import { PyTuple, strRepr } from '../../python/values.ts';
import { pyStrip } from '../../python/str-methods.ts';
import { describe, mapResponses, type FilterFactory } from './filter.ts';

export const DEFAULT_REGEX_PATTERN = '#### (\\-?[0-9\\.\\,]+)';

export interface RegexOptions {
  regexPattern: string;
  groupSelect: number;
  fallback: unknown;
}

export function regexOptions(kwargs: Record<string, unknown>, filter: string): RegexOptions {
  const regexPattern = kwargs.regex_pattern ?? DEFAULT_REGEX_PATTERN;
  const groupSelect = kwargs.group_select ?? 0;
  if (typeof regexPattern !== 'string') throw new LmEvalError(`filter '${filter}': 'regex_pattern' must be a string, got ${describe(regexPattern)}`);
  if (typeof groupSelect !== 'number' || !Number.isInteger(groupSelect)) throw new LmEvalError(`filter '${filter}': 'group_select' must be an integer, got ${describe(groupSelect)}`);
  return { regexPattern, groupSelect, fallback: 'fallback' in kwargs ? kwargs.fallback : '[invalid]' };
}

/** Python `matches[i]` with negative indexes; IndexError when out of range (`what` names the filter). */
export function pySelect<T>(items: readonly T[], i: number, what: string | (() => string)): T {
  const j = i < 0 ? items.length + i : i;
  if (j < 0 || j >= items.length) {
    const name = typeof what === 'string' ? what : what();
    throw new RangeError(`${name}: group_select ${i} is out of range for ${items.length} match(es) (IndexError in Python)`);
  }
  return items[j];
}

/** `str.strip()` when the value is a str (a non-str fallback is returned as is). */
const stripStr = (v: unknown) => (typeof v === 'string' ? pyStrip(v) : v);

/** One response through RegexFilter.filter_set. */
export function regexExtract(pattern: PyPattern, resp: unknown, opts: RegexOptions, profile: Profile): unknown {
  if (typeof resp !== 'string') {
    if (profile === 'latest') resp = '';
    else throw new TypeError(`filter 'regex' (profile 0.4.4): expected a string response, got ${describe(resp)} (TypeError in Python)`);
  }
  const matches = pattern.findall(resp as string);
  if (matches.length === 0) return opts.fallback;
  let m: unknown = pySelect(matches, opts.groupSelect, () => `filter 'regex' ${strRepr(opts.regexPattern)}`);
  if (m instanceof PyTuple) {
    const nonEmpty = m.filter((g) => g);
    if (nonEmpty.length) m = nonEmpty[0];
    else if (profile === 'latest') m = opts.fallback;
    else throw new RangeError(`filter 'regex' ${strRepr(opts.regexPattern)} (profile 0.4.4): every group of the match is empty (IndexError in Python)`);
  }
  return stripStr(m);
}

export const regexFilter: FilterFactory = (kwargs, { profile }) => {
  const opts = regexOptions(kwargs, 'regex');
  const pattern = compilePyRegex(opts.regexPattern);
  return {
    apply: (resps) => mapResponses(resps, 'regex', (r) => regexExtract(pattern, r, opts, profile)),
  };
};
