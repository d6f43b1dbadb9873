import { describe, expect, it } from 'vitest';
import { pyFormat, pyFormatValue, pyPercentFormat, pyRound } from './format.ts';
import { PyException } from './types.ts';
import { PyFloat, tuple } from './values.ts';

// Expected strings are CPython 3.11 output.
describe('pyFormat (str.format)', () => {
  it('fields, numbering, attributes and items', () => {
    expect(pyFormat('{} {}', [1, 'a'], {})).toBe('1 a');
    expect(pyFormat('{0}{1}{0}', ['x', 'y'], {})).toBe('xyx');
    expect(pyFormat('{name[k]} {seq[0]}', [], { name: { k: 'v' }, seq: ['z'] })).toBe('v z');
    expect(() => pyFormat('{name[0]}', [], { name: { '0': 'z' } })).toThrow('KeyError: 0'); // int key
    expect(pyFormat('{0[1]}', [[5, 6]], {})).toBe('6');
    expect(pyFormat('{a[b][c]}', [], { a: { b: { c: 'deep' } } })).toBe('deep');
    expect(pyFormat('{0.real}', [3], {})).toBe('3');
    expect(pyFormat('{{}} {{{}}}', [3], {})).toBe('{} {3}');
    expect(pyFormat('Q: {question}\nA:', [], { question: 'why?' })).toBe('Q: why?\nA:');
  });

  it('conversions, nested specs and non-string values', () => {
    expect(pyFormat('{a!r} {a!s}', [], { a: "it's" })).toBe('"it\'s" it\'s');
    expect(pyFormat('{:>{w}}', ['x'], { w: 5 })).toBe('    x');
    expect(pyFormat('{0:{1}}', [3.5, '08.3f'], {})).toBe('0003.500');
    expect(pyFormat('{}', [null], {})).toBe('None');
    expect(pyFormat('{}', [[1, 'a', null, new PyFloat(2)]], {})).toBe("[1, 'a', None, 2.0]");
    expect(pyFormat('{:^7}|{:<4}|', ['ab', true], {})).toBe('  ab   |1   |');
    expect(pyFormat('{}', [true], {})).toBe('True');
    expect(pyFormat('{x:.2f}', [], { x: 2.675 })).toBe('2.67');
  });

  it('raises Python errors', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as PyException).pyType;
      }
      return 'no error';
    };
    expect(err(() => pyFormat('{missing}', [], {}))).toBe('KeyError');
    expect(err(() => pyFormat('{2}', [1], {}))).toBe('IndexError');
    expect(err(() => pyFormat('{} {1}', [1, 2], {}))).toBe('ValueError');
    expect(err(() => pyFormat('}', [], {}))).toBe('ValueError');
    expect(err(() => pyFormat('{', [], {}))).toBe('ValueError');
    expect(err(() => pyFormat('{:d}', ['s'], {}))).toBe('ValueError');
    expect(err(() => pyFormat('{:>6}', [null], {}))).toBe('TypeError');
    expect(() => pyFormat('{missing}', [], {})).toThrow("KeyError: 'missing'");
  });
});

describe('pyFormatValue (format spec mini-language)', () => {
  const cases: Array<[unknown, string, string]> = [
    [3.14159, '.2f', '3.14'],
    [2.5, '.0f', '2'],
    [0.5, '.0f', '0'],
    [1.5, '.0f', '2'],
    [42, '>10', '        42'],
    [-42, '010', '-000000042'],
    [1234567, ',', '1,234,567'],
    [1234, '09,', '0,001,234'],
    [1234567.891, ',.2f', '1,234,567.89'],
    [255, '#x', '0xff'],
    [255, '_b', '1111_1111'],
    [new PyFloat(100), '.3', '1e+02'],
    [new PyFloat(12), '.3', '12.0'],
    [1e-5, '.3', '1e-05'],
    [new PyFloat(1e16), '', '1e+16'],
    [1e16, '', '10000000000000000'], // a JS integer is a Python int
    [0.1, 'e', '1.000000e-01'],
    [0, '.2e', '0.00e+00'],
    [123456789.123, 'g', '1.23457e+08'],
    [0.0001, 'g', '0.0001'],
    [0.25, '.1%', '25.0%'],
    [true, '>5', '    1'],
    ['ab', '05', 'ab000'],
    ['abc', '*^9', '***abc***'],
    ['héllo', '.2s', 'hé'],
    [-0.0, 'z.1f', '0.0'],
    [Infinity, '+', '+inf'],
    [65, 'c', 'A'],
  ];
  it.each(cases)('format(%s, %j)', (v, spec, out) => {
    expect(pyFormatValue(v, spec)).toBe(out);
  });
  it('uses PyFloat for integral floats', () => {
    expect(pyFormatValue(new PyFloat(1), '')).toBe('1.0');
    expect(pyFormatValue(new PyFloat(1), '.3')).toBe('1.0');
  });
});

describe('pyPercentFormat (str % args)', () => {
  it('formats like printf', () => {
    expect(pyPercentFormat('%5.1f|%-5d|%x|%s|%r', tuple<unknown>(3.14159, 42, 255, 'a', 'b'))).toBe("  3.1|42   |ff|a|'b'");
    expect(pyPercentFormat('%d', 3.9)).toBe('3');
    expect(pyPercentFormat('%s', [1, 2])).toBe('[1, 2]');
    expect(pyPercentFormat('%(a)s-%(b)05.1f', { a: 1, b: 2.25 })).toBe('1-002.2');
    expect(pyPercentFormat('%.0f %.0f', tuple(0.5, 2.5))).toBe('0 2');
    expect(pyPercentFormat('%e|%g|%#x|%+d|%%', tuple(1e20, 1e-7, 255, 5))).toBe('1.000000e+20|1e-07|0xff|+5|%');
    expect(pyPercentFormat('no args', {})).toBe('no args');
  });
  it('raises TypeError on argument mismatches', () => {
    expect(() => pyPercentFormat('%s %s', tuple(1))).toThrow('not enough arguments');
    expect(() => pyPercentFormat('%s', tuple(1, 2))).toThrow('not all arguments converted');
    expect(() => pyPercentFormat('%d', 'x')).toThrow('a real number is required, not str');
  });
});

describe('pyRound', () => {
  it('rounds the exact binary value half to even', () => {
    expect(pyRound(2.675, 2)).toBe(2.67);
    expect(pyRound(0.5, 0)).toBe(0);
    expect(pyRound(1.5, 0)).toBe(2);
    expect(pyRound(2.5, 0)).toBe(2);
    expect(pyRound(0.125, 2)).toBe(0.12);
    expect(pyRound(0.375, 2)).toBe(0.38);
    expect(pyRound(1234.5678, -2)).toBe(1200);
  });
});
