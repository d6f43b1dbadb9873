import { isNumberLike, pyRepr, toNumber } from '../../python/values.ts';

/** A classification label as scikit-learn sees it: a number (bools are 0/1) or a string. */
export type LabelKey = number | string;

/** Normalises labels and rejects mixes of strings and numbers, like scikit-learn does. */
export function labelKeys(values: readonly unknown[], where: string): LabelKey[] {
  let sawStr = false;
  let sawNum = false;
  const out = values.map((v): LabelKey => {
    if (typeof v === 'string') {
      sawStr = true;
      return v;
    }
    if (isNumberLike(v) || typeof v === 'boolean') {
      sawNum = true;
      return toNumber(v);
    }
    throw new TypeError(`${where}: unsupported label ${pyRepr(v)}`);
  });
  if (sawStr && sawNum) throw new TypeError(`${where}: Mix of label input types (string and number)`);
  return out;
}

/** `np.unique` order: sorted ascending. */
export function sortedUnique(keys: readonly LabelKey[]): LabelKey[] {
  const u = [...new Set(keys)];
  return u.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
