import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../src/errors.ts';
import { PyFloat, pyStr } from '../src/python/values.ts';
import { FunctionRef, parseYaml, resolvePlainScalar } from '../src/task/yaml.ts';

const parse = (text: string) => parseYaml(text, { file: '/tasks/x/t.yaml' }) as Record<string, unknown>;

describe('YAML 1.1 scalars (PyYAML semantics)', () => {
  it('booleans: yes/no/on/off in three cases; y/n stay strings', () => {
    for (const t of ['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) expect(resolvePlainScalar(t)).toBe(true);
    for (const f of ['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) expect(resolvePlainScalar(f)).toBe(false);
    for (const s of ['y', 'n', 'Y', 'N', 'yES', 'tRUE']) expect(resolvePlainScalar(s)).toBe(s);
    expect(parse('a: [yes, "yes", no, off]').a).toEqual([true, 'yes', false, false]);
  });

  it('nulls: ~, null, Null, NULL, empty', () => {
    expect(parse('a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nULL')).toEqual({ a: null, b: null, c: null, d: null, e: null, f: 'nULL' });
  });

  it('floats need a dot and a signed exponent', () => {
    const v = parse('a: 1.0\nb: .5\nc: 1.0e+5\nd: 1e-5\ne: 1.0e5\nf: .inf\ng: -.inf\nh: .nan\ni: 1_000.5\nj: -.5\nk: 1:30.5\nl: 2.\nm: -0.25');
    expect(v.a).toBeInstanceOf(PyFloat);
    expect(pyStr(v.a)).toBe('1.0');
    expect(v.b).toBe(0.5);
    expect(v.c).toEqual(new PyFloat(100000));
    expect(v.d).toBe('1e-5');
    expect(v.e).toBe('1.0e5');
    expect(v.f).toBe(Infinity);
    expect(v.g).toBe(-Infinity);
    expect(Number.isNaN(v.h)).toBe(true);
    expect(v.i).toBe(1000.5);
    expect(v.j).toBe('-.5'); // PyYAML: the unsigned `.5` form only
    expect(v.k).toBe(90.5);
    expect(pyStr(v.l)).toBe('2.0');
    expect(v.m).toBe(-0.25);
  });

  it('ints: decimal, octal 0777, hex, binary, underscores, sexagesimal, big', () => {
    const v = parse('a: 42\nb: 0777\nc: 0x1F\nd: 0b101\ne: 1_000\nf: 1:30\ng: -12\nh: +7\ni: 08\nj: 0\nk: 123456789012345678901\nl: 0o17');
    expect(v).toEqual({ a: 42, b: 511, c: 31, d: 5, e: 1000, f: 90, g: -12, h: 7, i: '08', j: 0, k: 123456789012345678901n, l: '0o17' });
  });

  it('explicit tags', () => {
    const v = parse('a: !!str 1\nb: !!float 1\nc: !!int "12"\nd: !!bool "yes"');
    expect(v.a).toBe('1');
    expect(pyStr(v.b)).toBe('1.0');
    expect(v.c).toBe(12);
    expect(v.d).toBe(true);
  });

  it('quoting: double quotes process escapes, single quotes do not', () => {
    const v = parse(`a: "x\\ny"\nb: 'x\\ny'\nc: 'it''s'\nd: "tab\\there"\ne: "\\u00e9"`);
    expect(v.a).toBe('x\ny');
    expect(v.b).toBe('x\\ny');
    expect(v.c).toBe("it's");
    expect(v.d).toBe('tab\there');
    expect(v.e).toBe('é');
  });

  it('folding of plain and folded multi-line scalars, literal blocks', () => {
    const v = parse('a: one\n  two\n\n  three\nb: >\n  x\n  y\n\n  z\nc: |\n  keep\n  lines\n');
    expect(v.a).toBe('one two\nthree');
    expect(v.b).toBe('x y\nz\n');
    expect(v.c).toBe('keep\nlines\n');
  });

  it('anchors, aliases and merge keys (PyYAML order: merged keys first, earlier sources win)', () => {
    const v = parse('base: &b {x: 1, y: 2}\nother: &c {y: 3, z: 4}\nm:\n  own: 1\n  y: 9\n  <<: [*b, *c]\nn:\n  <<: *b\n  x: 5\nlist: &l [1, 2]\nref: *l');
    expect(v.m).toEqual({ y: 9, z: 4, x: 1, own: 1 });
    expect(Object.keys(v.m as object)).toEqual(['y', 'z', 'x', 'own']);
    expect(v.n).toEqual({ x: 5, y: 2 });
    expect(v.ref).toEqual([1, 2]);
  });

  it('duplicate keys: last value wins, first position kept', () => {
    const v = parse('a: 1\nb: 2\na: 3');
    expect(v).toEqual({ a: 3, b: 2 });
    expect(Object.keys(v)).toEqual(['a', 'b']);
  });

  it('non-string keys use the json.dumps spelling', () => {
    expect(Object.keys(parse('1: a\n1.0: b\nyes: c\n~: d'))).toEqual(['1', '1.0', 'true', 'null']);
  });

  it('!function produces an unresolved FunctionRef with the folder of the file', () => {
    const v = parse('a: !function utils.doc_to_text\nb: !function ../custom_samplers.FewshotSampler\nc: !function sub.mod.fn');
    expect(v.a).toEqual(new FunctionRef('utils', 'doc_to_text', '/tasks/x', 'utils.doc_to_text', '/tasks/x/t.yaml'));
    expect(v.b).toMatchObject({ module: '../custom_samplers', name: 'FewshotSampler', yamlDir: '/tasks/x' });
    expect(v.c).toMatchObject({ module: 'sub.mod', name: 'fn', raw: 'sub.mod.fn' });
  });

  it('top level must be a mapping', () => {
    expect(() => parse('- a\n- b')).toThrow(/top level .* must be a mapping/);
    expect(() => parse('')).toThrow(LmEvalError);
    expect(() => parse('just a string')).toThrow(/must be a mapping/);
  });

  it('syntax errors name file:line', () => {
    expect(() => parse('a: 1\nb: [1, 2\nc: 3\n')).toThrow(/^\/tasks\/x\/t\.yaml:3: invalid YAML/);
    expect(() => parse('a:\n  - x\n y: 2\n')).toThrow(LmEvalError);
    expect(() => parse('a:\n  - x\n y: 2\n')).toThrow(/^\/tasks\/x\/t\.yaml:3: invalid YAML: All mapping items/);
    expect(() => parse('a: !unknown x')).toThrow(/t\.yaml:1: invalid YAML: Unresolved tag/);
  });
});
