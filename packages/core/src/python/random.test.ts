import { describe, expect, it } from 'vitest';
import { PyRandom } from './random.ts';
import { PyFloat } from './values.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

// Vectors computed with CPython 3.11's `random.Random`.
describe('PyRandom (CPython 3.11 vectors)', () => {
  it('getrandbits(32)', () => {
    const r = new PyRandom(1234);
    expect([r.getrandbits(32), r.getrandbits(32), r.getrandbits(32)]).toEqual([4150886329, 3342196574, 1892932127]);
    expect(new PyRandom(0).getrandbits(32)).toBe(3626764237);
    expect(new PyRandom(2 ** 40 + 5).getrandbits(32)).toBe(2166296868);
    expect(new PyRandom(2n ** 40n + 5n).getrandbits(32)).toBe(2166296868);
  });

  it('random()', () => {
    const r = new PyRandom(1234);
    expect([r.random(), r.random(), r.random()]).toEqual([0.9664535356921388, 0.4407325991753527, 0.007491470058587191]);
  });

  it('sample()', () => {
    expect(new PyRandom(1234).sample(range(10), 1)).toEqual([7]);
    expect(new PyRandom(1234).sample(range(10), 2)).toEqual([7, 1]);
    expect(new PyRandom(1234).sample(range(10), 3)).toEqual([7, 1, 0]);
    expect(new PyRandom(1234).sample(range(5), 5)).toEqual([3, 0, 4, 2, 1]);
    expect(new PyRandom(1234).sample(range(30), 6)).toEqual([24, 14, 3, 0, 2, 18]);
    expect(new PyRandom(1234).sample(range(100), 5)).toEqual([99, 56, 14, 0, 11]);
    expect(new PyRandom(1234).sample(range(1000), 2)).toEqual([989, 796]);
    expect(new PyRandom(42).sample(range(20), 4)).toEqual([3, 0, 8, 7]);
    const r = new PyRandom(1234);
    expect(r.sample(range(10), 2)).toEqual([7, 1]);
    expect(r.sample(range(10), 2)).toEqual([0, 1]);
    expect(() => new PyRandom(1).sample(range(3), 4)).toThrow(/larger/);
  });

  it('choices()', () => {
    expect(new PyRandom(0).choices(range(5), 8)).toEqual([4, 3, 2, 1, 2, 2, 3, 1]);
  });
});

describe('PyRandom (more CPython 3.11 vectors)', () => {
  it('shuffle, randrange, randint, choice', () => {
    const x = range(10);
    new PyRandom(1234).shuffle(x);
    expect(x).toEqual([2, 8, 3, 5, 6, 4, 9, 0, 1, 7]);
    const r = new PyRandom(7);
    expect([0, 0, 0, 0, 0].map(() => r.randrange(100))).toEqual([41, 19, 50, 83, 6]);
    expect(r.randrange(3, 50, 7)).toBe(3);
    expect(r.randrange(50, 3, -7)).toBe(8);
    expect(r.randint(1, 6)).toBe(5);
    const c = new PyRandom(7);
    expect([0, 0, 0, 0, 0].map(() => c.choice([...'abcdef']))).toEqual(['c', 'b', 'd', 'f', 'a']);
    expect(() => r.randrange(0)).toThrow(/empty range/);
  });

  it('getrandbits beyond 32 bits', () => {
    const r = new PyRandom(99);
    expect(r.getrandbitsBig(64)).toBe(7023646418445998953n);
    expect(r.getrandbits(33)).toBe(5154284798);
    expect(r.getrandbits(53)).toBe(2074019000352061);
    expect(r.getrandbitsBig(100)).toBe(139431855938921789584869765614n);
    const b = new PyRandom(11);
    expect([b.randrange(2 ** 40), b.randrange(2 ** 40), b.randrange(2 ** 40)]).toEqual([994137397185, 419134626354, 1045875683778]);
  });

  it('seeds: str (version 2), negative, big, bool, integral float', () => {
    expect(new PyRandom('hello').random()).toBe(0.3537754404730722);
    expect(new PyRandom('Привет').getrandbits(32)).toBe(4226470234);
    expect(new PyRandom(-1234).getrandbits(32)).toBe(4150886329);
    expect(new PyRandom(2n ** 64n + 3n).random()).toBe(0.9129684455472157);
    expect(new PyRandom(true).random()).toBe(0.13436424411240122);
    expect(new PyRandom(new PyFloat(5)).random()).toBe(0.6229016948897019);
    expect(() => new PyRandom(0.5)).toThrow(TypeError);
  });

  it('choices with weights / cum_weights; sample with counts; large k', () => {
    expect(new PyRandom(3).choices(['a', 'b', 'c'], 6, { weights: [1, 0.5, 3] })).toEqual(['b', 'c', 'c', 'c', 'c', 'a']);
    expect(new PyRandom(3).choices(['a', 'b', 'c'], 6, { cumWeights: [1, 2, 10] })).toEqual(['c', 'c', 'c', 'c', 'c', 'a']);
    expect(new PyRandom(11).sample(['x', 'y', 'z'], 4, [2, 1, 3])).toEqual(['z', 'z', 'z', 'x']);
    expect(new PyRandom(5).sample(range(200), 30)).toEqual([
      159, 65, 189, 91, 176, 197, 166, 135, 7, 119, 63, 193, 13, 40, 28, 95, 120, 194, 97, 139, 26, 146, 182, 3, 55, 104, 71, 46, 99, 186,
    ]);
  });

  it('state regeneration past 624 words, clone and setstate', () => {
    const r = new PyRandom(1234);
    for (let i = 0; i < 700; i++) r.random();
    const copy = r.clone();
    expect(r.getrandbits(32)).toBe(1103538454);
    expect(copy.getrandbits(32)).toBe(1103538454);
    const s = copy.getstate();
    const a = copy.random();
    copy.setstate(s);
    expect(copy.random()).toBe(a);
  });

  it('unseeded instances differ', () => {
    expect(new PyRandom().getrandbits(32) === new PyRandom().getrandbits(32) && new PyRandom().random() === new PyRandom().random()).toBe(false);
  });
});
