import { describe, expect, it } from 'vitest';
import { PyJsonError, memoPyJsonDumps, parsePyJson, pyJsonDumps, pyJsonString } from './json.ts';
import { PyFloat, tuple } from './values.ts';

// Expected strings were produced with CPython 3.11 `json.dumps`.
describe('pyJsonDumps', () => {
  const doc = { a: [1, new PyFloat(2), {}], b: [], c: 'é\u2028\x7f\x01😀' };

  it('compact form with ensure_ascii (default)', () => {
    expect(pyJsonDumps(doc)).toBe('{"a": [1, 2.0, {}], "b": [], "c": "\\u00e9\\u2028\\u007f\\u0001\\ud83d\\ude00"}');
  });

  it('ensure_ascii=False keeps non-ASCII, U+2028 and DEL raw', () => {
    expect(pyJsonDumps(doc, { ensureAscii: false })).toBe('{"a": [1, 2.0, {}], "b": [], "c": "é\u2028\x7f\\u0001😀"}');
  });

  it('indent=2', () => {
    expect(pyJsonDumps(doc, { indent: 2 })).toBe(
      '{\n  "a": [\n    1,\n    2.0,\n    {}\n  ],\n  "b": [],\n  "c": "\\u00e9\\u2028\\u007f\\u0001\\ud83d\\ude00"\n}',
    );
  });

  it('floats use Python repr, ints are decimal, indent=0 adds only newlines', () => {
    const v = [1e-5, new PyFloat(1.5e16), new PyFloat(123456789012345), 0.1, -0, NaN, Infinity, -Infinity, 10n ** 30n, new PyFloat(1e22)];
    // -0 as a JS number is an int (0) by convention; -0.0 must be a PyFloat.
    expect(pyJsonDumps(v, { indent: 0 })).toBe('[\n1e-05,\n1.5e+16,\n123456789012345.0,\n0.1,\n0,\nNaN,\nInfinity,\n-Infinity,\n1000000000000000000000000000000,\n1e+22\n]');
    expect(pyJsonDumps([new PyFloat(-0), 1e21, -3, new PyFloat(-12)])).toBe('[-0.0, 1000000000000000000000, -3, -12.0]');
  });

  it('escapes', () => {
    expect(pyJsonDumps('a"b\\c\n\r\t\b\f\x1f/')).toBe('"a\\"b\\\\c\\n\\r\\t\\b\\f\\u001f/"');
    expect(pyJsonString('Привет', false)).toBe('"Привет"');
    expect(pyJsonString('Привет', true)).toBe('"\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442"');
  });

  it('non-string keys, sort_keys, Map, Set, tuples, undefined, unknown objects', () => {
    const m = new Map<unknown, unknown>([
      [1.5, 3],
      [true, 4],
      [null, 5],
      ['z', 1],
      [new PyFloat(2), 0],
    ]);
    expect(pyJsonDumps(m)).toBe('{"1.5": 3, "true": 4, "null": 5, "z": 1, "2.0": 0}');
    expect(pyJsonDumps({ b: 1, a: { d: 1, c: 2 } }, { sortKeys: true, indent: 1 })).toBe('{\n "a": {\n  "c": 2,\n  "d": 1\n },\n "b": 1\n}');
    expect(pyJsonDumps([tuple<unknown>(-1.5, false), new Set([1, 2]), undefined, null, true])).toBe('[[-1.5, false], [1, 2], null, null, true]');
    class Thing {
      __pyStr__() {
        return '<Thing>';
      }
    }
    expect(pyJsonDumps({ x: new Thing() })).toBe('{"x": "<Thing>"}');
  });

  it('sort_keys orders by code point', () => {
    expect(pyJsonDumps({ '\uffff': 1, '😀': 2, a: 3 }, { sortKeys: true, ensureAscii: false })).toBe('{"a": 3, "\uffff": 1, "😀": 2}');
  });

  it('memoPyJsonDumps gives pyJsonDumps for equal copies, ensure_ascii escapes, floats and unknown values', () => {
    const dumps = memoPyJsonDumps();
    const values: unknown[] = [
      { until: ['\n', '.'], max_gen_toks: 8, do_sample: false },
      { until: ['\n', '.'], max_gen_toks: 8, do_sample: false },
      { until: ['é'], max_gen_toks: 8 },
      { max_gen_toks: 8, until: ['é'] },
      { until: ['\n'], temperature: new PyFloat(0) },
      { until: ['\n'], temperature: 0 },
      { until: tuple('\n') },
      { until: undefined },
      { until: null },
    ];
    for (const v of [...values, ...values]) expect(dumps(v)).toBe(pyJsonDumps(v));
  });

  it('detects cycles', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => pyJsonDumps(a)).toThrow(/Circular/);
  });
});

describe('parsePyJson', () => {
  it('keeps the int/float distinction', () => {
    const v = parsePyJson('{"a": 1, "b": 1.0, "c": 1e3, "d": -2.5, "e": 0, "f": -0.0, "g": 12345678901234567890}') as Record<string, unknown>;
    expect(v.a).toBe(1);
    expect(v.b).toBeInstanceOf(PyFloat);
    expect((v.b as PyFloat).value).toBe(1);
    expect(v.c).toBeInstanceOf(PyFloat);
    expect((v.c as PyFloat).value).toBe(1000);
    expect(v.d).toBe(-2.5);
    expect(v.e).toBe(0);
    expect(Object.is((v.f as PyFloat).value, -0)).toBe(true);
    expect(v.g).toBe(12345678901234567890n);
    expect(parsePyJson('9007199254740991')).toBe(9007199254740991);
    expect(parsePyJson('-9007199254740993')).toBe(-9007199254740993n);
  });

  it('typed values whatever digits the strings hold (the JSON.parse path is taken only where exact)', () => {
    expect(parsePyJson('{"id":3,"text":"Who went home?"}')).toEqual({ id: 3, text: 'Who went home?' });
    expect(parsePyJson('{"id":3,"text":"v1.0"}')).toEqual({ id: 3, text: 'v1.0' });
    expect(parsePyJson('{"x":2.0,"text":"none"}')).toEqual({ x: new PyFloat(2), text: 'none' });
    expect(parsePyJson('{"x":2.5,"t":"1.0"}')).toEqual({ x: 2.5, t: '1.0' });
    expect(parsePyJson('[1E2, 9007199254740993]')).toEqual([new PyFloat(100), 9007199254740993n]);
    expect(parsePyJson('{"a":[{"b":1e0}],"c":"x"}')).toEqual({ a: [{ b: new PyFloat(1) }], c: 'x' });
    expect(Object.keys(parsePyJson('{"b":1,"__proto__":2,"b":3}') as object)).toEqual(['b', '__proto__']);
  });

  it('accepts NaN / Infinity / -Infinity', () => {
    expect(parsePyJson('[NaN, Infinity, -Infinity]')).toEqual([NaN, Infinity, -Infinity]);
  });

  it('strings, escapes, nesting, key order and duplicates', () => {
    const v = parsePyJson(' {"z": "a\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00", "a": [true, false, null, []], "z2": {}, "a": 5, "__proto__": 1} ');
    expect(Object.keys(v as object)).toEqual(['z', 'a', 'z2', '__proto__']);
    expect(v).toEqual({ z: 'a"\\/\b\f\n\r\té😀', a: 5, z2: {}, ['__proto__']: 1 });
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it('round-trips through pyJsonDumps', () => {
    const text = '{"x": [1, 2.0, 3.5, -1e-05, "Да", {"y": null}], "n": 123456789012345678901234567890}';
    expect(pyJsonDumps(parsePyJson(text), { ensureAscii: false })).toBe(text);
  });

  it('rejects invalid JSON like Python', () => {
    for (const bad of ['', '[1,]', '{"a" 1}', '"abc', '"a\nb"', '01', '1.', '[1] x', "{'a': 1}", '"\\x"', 'nul']) {
      expect(() => parsePyJson(bad), bad).toThrow(PyJsonError);
    }
  });
});
