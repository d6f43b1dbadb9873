/** `take_first`: `resps[0]` of every instance (ends the list-of-repeats stage). */
import type { FilterFactory } from './filter.ts';
import { describe } from './filter.ts';

/** Python `r[0]`: first element of a list/tuple, first character of a str. */
export function pyFirst(r: unknown, filter: string): unknown {
  if (Array.isArray(r) || typeof r === 'string') {
    if (r.length === 0) throw new RangeError(`filter '${filter}': an instance has no responses (index out of range)`);
    return typeof r === 'string' ? String.fromCodePoint(r.codePointAt(0)!) : r[0];
  }
  throw new TypeError(`filter '${filter}': cannot take the first element of ${describe(r)}`);
}

export const takeFirstFilter: FilterFactory = () => ({
  apply: (resps) => resps.map((r) => pyFirst(r, 'take_first')),
});
