/**
 * `map`: `mapping_dict.get(resp, default_value)` for each response.
 * YAML mappings arrive as JS objects, whose keys are strings: a str response is looked up as is,
 * a number by its JS string form (YAML `{1: A}` maps 1 and 1.0), a bool as "true"/"false". A `Map`
 * mapping_dict is looked up with Python equality.
 */
import { LmEvalError } from '../../errors.ts';
import { isNumberLike, isPlainObject, pyEquals, toNumber } from '../../python/values.ts';
import { checkKwargs, describe, mapResponses, type FilterFactory } from './filter.ts';

export const mapFilter: FilterFactory = (kwargs) => {
  checkKwargs('map', kwargs, ['mapping_dict', 'default_value']);
  const mapping = kwargs.mapping_dict ?? {};
  const dflt = kwargs.default_value ?? null;
  if (!(mapping instanceof Map) && !isPlainObject(mapping)) throw new LmEvalError(`filter 'map': 'mapping_dict' must be a mapping, got ${describe(mapping)}`);
  const lookup = (r: unknown): unknown => {
    if (mapping instanceof Map) {
      for (const [k, v] of mapping) if (pyEquals(k, r)) return v;
      return dflt;
    }
    const key = typeof r === 'string' ? r : typeof r === 'boolean' ? String(r) : isNumberLike(r) ? String(toNumber(r)) : undefined;
    return key !== undefined && Object.prototype.hasOwnProperty.call(mapping, key) ? mapping[key] : dflt;
  };
  return { apply: (resps) => mapResponses(resps, 'map', lookup) };
};
