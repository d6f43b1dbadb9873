/** `remove_whitespace`: [v0.4.4] `lstrip()` each response; [latest] `strip()`. */
import { pyLstrip, pyStrip } from '../../python/str-methods.ts';
import { mapResponses, requireStr, type FilterFactory } from './filter.ts';

export const removeWhitespaceFilter: FilterFactory = (_kwargs, { profile }) => {
  const f = profile === '0.4.4' ? pyLstrip : pyStrip;
  const method = profile === '0.4.4' ? 'lstrip' : 'strip';
  return { apply: (resps) => mapResponses(resps, 'remove_whitespace', (r) => f(requireStr(r, 'remove_whitespace', method))) };
};
