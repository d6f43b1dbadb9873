import { describe, expect, it } from 'vitest';
import { PyBoundMethod, PyException, PySlice } from './types.ts';
import { pyGetAttr, pyGetItem } from './methods.ts';
import { pySliceOf } from './collections.ts';
import { pySplit, pyRSplit, pyTitle, pyCapitalize } from './str-methods.ts';
import { PyTuple, pyStr, tuple } from './values.ts';

function call(obj: unknown, name: string, ...args: unknown[]): unknown {
  const hit = pyGetAttr(obj, name);
  if (!hit.found) throw new Error(`no method ${name}`);
  return (hit.value as PyBoundMethod).__call__(args, {});
}

// Expected values are CPython 3.11 output.
describe('str methods', () => {
  it('strip family uses Python whitespace (incl. NBSP, ideographic space)', () => {
    expect(call('\u00a0x\u2003y\u3000', 'strip')).toBe('x\u2003y');
    expect(call('  Hello World  ', 'strip', 'a ')).toBe('Hello World');
    expect(call('xxhixx', 'lstrip', 'x')).toBe('hixx');
    expect(call('\u200bx', 'strip')).toBe('\u200bx'); // ZWSP is not whitespace in Python
  });
  it('split / rsplit', () => {
    expect(pySplit('  a b  c  ', null, 1)).toEqual(['a', 'b  c  ']);
    expect(pyRSplit('  a b  c  ', null, 1)).toEqual(['  a b', 'c']);
    expect(pySplit('a,b,,c', ',')).toEqual(['a', 'b', '', 'c']);
    expect(pyRSplit('a,b,,c', ',', 1)).toEqual(['a,b,', 'c']);
    expect(call('line1\nline2\r\nline3\u000bx', 'splitlines')).toEqual(['line1', 'line2', 'line3', 'x']);
    expect(() => call('abc', 'split', '')).toThrow('empty separator');
  });
  it('replace, find, index, count work on code points', () => {
    expect(call('héllo', 'replace', 'l', 'L', 1)).toBe('héLlo');
    expect(call('ab', 'replace', '', '-')).toBe('-a-b-');
    expect(call('😀a😀b😀', 'find', 'b')).toBe(3);
    expect(call('😀a😀b😀', 'index', '😀', 1)).toBe(2);
    expect(call('😀a😀b😀', 'count', '😀')).toBe(3);
    expect(call('abc', 'count', '')).toBe(4);
    expect(() => call('abc', 'index', 'z')).toThrow('ValueError: substring not found');
  });
  it('case methods', () => {
    expect(pyTitle("they're bill's friends")).toBe("They'Re Bill'S Friends");
    expect(pyTitle('ǆemal ßtraße')).toBe('ǅemal Sstraße');
    expect(pyCapitalize('hELLO wORLD')).toBe('Hello world');
    expect(call('ß', 'upper')).toBe('SS');
  });
  it('predicates', () => {
    expect(call('123', 'isdigit')).toBe(true);
    expect(call('²³', 'isdigit')).toBe(true);
    expect(call('²³', 'isdecimal')).toBe(false);
    expect(call('一二三', 'isnumeric')).toBe(true);
    expect(call('', 'isdigit')).toBe(false);
    expect(call('héllo', 'isalpha')).toBe(true);
    expect(call('ABC def', 'istitle')).toBe(false);
  });
  it('startswith with tuples, zfill, center, partition, format', () => {
    expect(call('abc', 'startswith', tuple('x', 'a'))).toBe(true);
    expect(call('-42', 'zfill', 6)).toBe('-00042');
    expect(call('abc', 'center', 8, '*')).toBe('**abc***');
    expect(call('ab', 'center', 5)).toBe('  ab ');
    expect(pyStr(call('a.b.c', 'rpartition', '.'))).toBe("('a.b', '.', 'c')");
    expect((pyGetAttr('{a}-{b}', 'format').value as PyBoundMethod).__call__([], { a: 1, b: 'x' })).toBe('1-x');
  });
  it('join requires strings', () => {
    expect(call(', ', 'join', ['a', 'b'])).toBe('a, b');
    expect(() => call(', ', 'join', ['a', 1])).toThrow('sequence item 1: expected str instance, int found');
  });
});

describe('list, tuple and dict methods', () => {
  it('list.index / count', () => {
    expect(call(['A', 'B', 'C'], 'index', 'B')).toBe(1);
    expect(() => call(['A'], 'index', 'Z')).toThrow("ValueError: 'Z' is not in list");
    expect(call([1, 1.0, true, 2], 'count', 1)).toBe(3);
    expect(call(tuple(1, 2), 'index', 2)).toBe(1);
  });
  it('dict views and get', () => {
    const d = { a: 1, b: [2] };
    expect(pyStr(call(d, 'items'))).toBe("dict_items([('a', 1), ('b', [2])])");
    expect(pyStr(call(d, 'keys'))).toBe("dict_keys(['a', 'b'])");
    expect(pyStr(call(d, 'values'))).toBe('dict_values([1, [2]])');
    expect(call(d, 'get', 'z')).toBe(null);
    expect(call(d, 'get', 'z', 0)).toBe(0);
    expect(call(d, 'get', 'a')).toBe(1);
  });
});

describe('indexing and slicing', () => {
  it('indexes strings by code point, with negative indexes', () => {
    expect(pyGetItem('a😀b', 1)).toBe('😀');
    expect(pyGetItem('a😀b', -1)).toBe('b');
    expect(() => pyGetItem('ab', 5)).toThrow('IndexError');
    expect(() => pyGetItem('ab', 'x')).toThrow('TypeError');
    expect(() => pyGetItem({ a: 1 }, 'b')).toThrow("KeyError: 'b'");
  });
  it('slices with steps', () => {
    expect(pySliceOf('héllo😀', new PySlice(null, null, -1))).toBe('😀olléh');
    expect(pySliceOf('abcdef', new PySlice(null, null, 2))).toBe('ace');
    expect(pySliceOf('abcdef', new PySlice(5, 1, -1))).toBe('fedc');
    expect(pySliceOf([1, 2, 3, 4], new PySlice(-3, null, null))).toEqual([2, 3, 4]);
    expect(pySliceOf(tuple(1, 2, 3), new PySlice(1, null, null))).toBeInstanceOf(PyTuple);
    expect(() => pySliceOf('abc', new PySlice(null, null, 0))).toThrow(PyException);
  });
});
