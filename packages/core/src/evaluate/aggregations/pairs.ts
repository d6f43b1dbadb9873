import { pyRepr } from '../../python/values.ts';

/** Python `zip(*items)` for 2-element items: the two columns (a TypeError for anything else). */
export function unzipPairs(items: readonly unknown[], where: string): [unknown[], unknown[]] {
  const a: unknown[] = [];
  const b: unknown[] = [];
  for (const it of items) {
    if (!Array.isArray(it) || it.length < 2) {
      throw new TypeError(`${where}: expected (value, value) pairs, got ${pyRepr(it)}`);
    }
    a.push(it[0]);
    b.push(it[1]);
  }
  return [a, b];
}
