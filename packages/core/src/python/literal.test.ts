import { describe, expect, it } from 'vitest';
import { parsePythonLiteral, decodePyEscapes } from './literal.ts';
import { PyException } from './types.ts';
import { PyFloat, PyTuple, pyRepr } from './values.ts';

// Expected reprs were produced with CPython 3.11 `repr(ast.literal_eval(text))`.
const REPRS: Array<[string, string]> = [
  ["'a'", "'a'"],
  ["'''x\ny'''", "'x\\ny'"],
  ['r"\\d+"', "'\\\\d+'"],
  ["u'x'", "'x'"],
  ["'a' 'b' \"c\"", "'abc'"],
  ['-1', '-1'],
  ['1_000', '1000'],
  ['0x1F', '31'],
  ['0o17', '15'],
  ['0b101', '5'],
  ['1.5', '1.5'],
  ['2.0', '2.0'],
  ['-0.0', '-0.0'],
  ['1e3', '1000.0'],
  ['.5', '0.5'],
  ['5.', '5.0'],
  ['1e400', 'inf'],
  ['12345678901234567890', '12345678901234567890'],
  ['True', 'True'],
  ['None', 'None'],
  ["[1, 'a', [2.0]]", "[1, 'a', [2.0]]"],
  ['(1,)', '(1,)'],
  ['()', '()'],
  ['1, 2', '(1, 2)'],
  ['  [1]', '[1]'],
  ["{'a': 1, 'b': [1, 2]}", "{'a': 1, 'b': [1, 2]}"],
  ["{1: 'x', 'y': 2}", "{1: 'x', 'y': 2}"],
  ["'\\x41\\u00e9\\n\\t\\\\\\''", '"Aé\\n\\t\\\\\'"'],
  ["'\\q'", "'\\\\q'"],
  ["'\\101'", "'A'"],
  ["'\\U0001F600'", "'😀'"],
  ['[1, 2,]', '[1, 2]'],
  ['(((1)))', '1'],
  ['[-1.5, +2]', '[-1.5, 2]'],
  ["['''{{answer}}\nIs the answer correct? yes''', '''{{answer}}\nIs the answer correct? no''']", "['{{answer}}\\nIs the answer correct? yes', '{{answer}}\\nIs the answer correct? no']"],
  ["['a', # comment\n 'b']", "['a', 'b']"],
];

describe('parsePythonLiteral', () => {
  it.each(REPRS)('%s', (text, repr) => {
    expect(pyRepr(parsePythonLiteral(text))).toBe(repr);
  });

  it('keeps the Python types', () => {
    expect(parsePythonLiteral('2.0')).toBeInstanceOf(PyFloat);
    expect(parsePythonLiteral('(1, 2)')).toBeInstanceOf(PyTuple);
    expect(parsePythonLiteral('3')).toBe(3);
    expect(typeof parsePythonLiteral('12345678901234567890')).toBe('bigint');
    expect(parsePythonLiteral('{1, 2}')).toEqual(new Set([1, 2]));
    expect(parsePythonLiteral('set()')).toEqual(new Set());
    expect(parsePythonLiteral("{'1': 'a', 'b': 2}")).toBeInstanceOf(Map); // JS objects would reorder '1'
    expect(parsePythonLiteral("{'b': 2, 'a': 1}")).toEqual({ b: 2, a: 1 });
  });

  it.each(['-True', '1 + 2', 'x', '[1, 2', '01', "f'x'", "'abc", "__import__('os')", '1; 2', '{**a}', '[1 2]', '1 if 2 else 3', "'a'.upper()", '', "b'a' 'b'"])(
    'rejects %s',
    (text) => {
      expect(() => parsePythonLiteral(text)).toThrow(PyException);
    },
  );
});

describe('decodePyEscapes', () => {
  it('decodes like the unicode_escape codec', () => {
    expect(decodePyEscapes('a\\nb\\x41\\u0042')).toBe('a\nbAB');
    expect(() => decodePyEscapes('\\N{DASH}')).toThrow(PyException);
    expect(decodePyEscapes('\\d\\s')).toBe('\\d\\s');
    expect(decodePyEscapes('line\\\nnext')).toBe('linenext');
    expect(() => decodePyEscapes('\\x4')).toThrow(/truncated/);
  });
});
