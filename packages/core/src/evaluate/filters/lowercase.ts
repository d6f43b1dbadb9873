/** `lowercase`: Python `str.lower()` of each response. */
import { mapResponses, requireStr, type FilterFactory } from './filter.ts';

export const lowercaseFilter: FilterFactory = () => ({
  apply: (resps) => mapResponses(resps, 'lowercase', (r) => requireStr(r, 'lowercase', 'lower').toLowerCase()),
});
