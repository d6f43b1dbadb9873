/** `uppercase`: Python `str.upper()` of each response. */
import { mapResponses, requireStr, type FilterFactory } from './filter.ts';

export const uppercaseFilter: FilterFactory = () => ({
  apply: (resps) => mapResponses(resps, 'uppercase', (r) => requireStr(r, 'uppercase', 'upper').toUpperCase()),
});
