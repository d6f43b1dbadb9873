import { describe, expect, it } from 'vitest';
import type { Profile } from '../../compat.ts';
import { LmEvalError } from '../../errors.ts';
import { PyTuple, tuple } from '../../python/values.ts';
import { buildFilterPipelines, createFilter, knownFilters, registerFilter } from './index.ts';
import { pyStrip } from '../../python/str-methods.ts';
import type { Filter } from './filter.ts';

const latest = { profile: 'latest' as const };
const v044 = { profile: '0.4.4' as const };
const noDocs = (n: number) => Array.from({ length: n }, () => ({}));
const run = (name: string, kwargs: Record<string, unknown>, resps: unknown[], opts: { profile: Profile } = latest, docs = noDocs(resps.length)) =>
  createFilter(name, kwargs, opts).apply(resps, docs) as unknown[]; // built-in filters are synchronous

describe('selection filters', () => {
  it('take_first keeps loglikelihood tuples unchanged', () => {
    const ll = tuple<unknown>(-1.5, true);
    const out = run('take_first', {}, [[ll], ['a', 'b']]);
    expect(out[0]).toBe(ll);
    expect(out[0]).toBeInstanceOf(PyTuple);
    expect(out[1]).toBe('a');
    // Python r[0] on a str is its first character.
    expect(run('take_first', {}, ['😀x'])).toEqual(['😀']);
    expect(() => run('take_first', {}, [[]])).toThrow(/no responses/);
  });

  it('take_first_k', () => {
    expect(run('take_first_k', { k: 2 }, [['a', 'b', 'c'], ['d', 'e', 'f']])).toEqual([
      ['a', 'b'],
      ['d', 'e'],
    ]);
    expect(() => run('take_first_k', { k: 4 }, [['a', 'b', 'c']])).toThrow(/at least 4/);
    expect(() => createFilter('take_first_k', {}, latest)).toThrow(LmEvalError);
  });

  it('majority_vote: most common, ties to the first seen', () => {
    expect(run('majority_vote', {}, [['b', 'a', 'a', 'b', 'c'], ['x', 'y'], ['1', '2', '2']])).toEqual([['b'], ['x'], ['2']]);
    expect(run('majority_vote', {}, [[1, 2, 2.0 + 0, 1, 2]])).toEqual([[2]]);
  });
});

describe('regex filter', () => {
  it('gsm8k strict and flexible patterns (Python re.findall semantics)', () => {
    expect(run('regex', {}, [['so #### -1,234.5 \n#### 7'], ['no answer']])).toEqual([['-1,234.5'], ['[invalid]']]);
    const flex = { regex_pattern: '(-?[$0-9.,]{2,})|(-?[0-9]+)', group_select: -1 };
    expect(run('regex', flex, [['It costs $12, then 3 and 45.'], ['x']])).toEqual([['45.'], ['[invalid]']]);
    expect(run('regex', { ...flex, group_select: 0 }, [['It costs $12, then 3 and 45.']])).toEqual([['$12,']]);
    expect(() => run('regex', { ...flex, group_select: 5 }, [['1 2']])).toThrow(/out of range/);
  });

  it('MERA digit / letter / yes-no regexes with fallback -1 (Unicode \\b)', () => {
    const digit = { regex_pattern: '(\\b([0-9])\\b)', fallback: '-1' };
    expect(run('regex', digit, [['Ответ: 3'], ['Ответ:3.'], ['12'], ['нет ответа'], ['вариант2']])).toEqual([['3'], ['3'], ['-1'], ['-1'], ['-1']]);
    const letter = { regex_pattern: '(\\b([ABCD])\\b)', fallback: '-1' };
    expect(run('regex', letter, [[' B'], ['(C) потом D'], ['ЖB'], ['ABCD'], ['Bд']])).toEqual([['B'], ['C'], ['-1'], ['-1'], ['-1']]);
    const yesno = { regex_pattern: '(\\b(Да|Нет)\\b)', fallback: '-1' };
    expect(run('regex', yesno, [['Да'], [' Нет.'], ['Данет'], ['«Да»']])).toEqual([['Да'], ['Нет'], ['-1'], ['Да']]);
  });

  it('tuple matches: first non-empty group; all empty → fallback [latest] / crash [0.4.4]', () => {
    const kw = { regex_pattern: '(a)?(b)?', fallback: 'FB' };
    expect(run('regex', kw, [['b']])).toEqual([['b']]);
    expect(run('regex', kw, [['xyz']])).toEqual([['FB']]);
    expect(() => run('regex', kw, [['xyz']], v044)).toThrow(/every group/);
  });

  it('non-string responses: "" [latest], error [0.4.4]; result is strip()ped', () => {
    expect(run('regex', { regex_pattern: '(.*)', fallback: 'F' }, [[null, '  x  ']])).toEqual([['', 'x']]);
    expect(run('regex', { regex_pattern: 'z', fallback: 'F' }, [[42]])).toEqual([['F']]);
    expect(() => run('regex', { regex_pattern: 'z' }, [[42]], v044)).toThrow(/expected a string/);
  });

  it('bad regex is an LmEvalError naming the pattern', () => {
    expect(() => createFilter('regex', { regex_pattern: '(a' }, latest)).toThrow(/\(a/);
  });
});

describe('string filters', () => {
  it('remove_whitespace: lstrip [0.4.4] vs strip [latest], Python whitespace set', () => {
    const resps = [[' \u00a0Paris\n'], ['\x1c a \x85']];
    expect(run('remove_whitespace', {}, resps, v044)).toEqual([['Paris\n'], ['a \x85']]);
    expect(run('remove_whitespace', {}, resps, latest)).toEqual([['Paris'], ['a']]);
    expect(pyStrip('\ufeffx\ufeff')).toBe('\ufeffx\ufeff'); // BOM is not whitespace in Python
  });

  it('lowercase / uppercase', () => {
    expect(run('lowercase', {}, [['ПРИВЕТ World', 'ΟΔΟΣ']])).toEqual([['привет world', 'οδος']]);
    expect(run('uppercase', {}, [['straße']])).toEqual([['STRASSE']]);
  });

  it('map', () => {
    const kw = { mapping_dict: { yes: 1, no: 0, '1': 'one' }, default_value: -1 };
    expect(run('map', kw, [['yes', 'no', 'maybe', 1]])).toEqual([[1, 0, -1, 'one']]);
    expect(run('map', {}, [['a']])).toEqual([[null]]);
    expect(run('map', { mapping_dict: new Map<unknown, unknown>([[1, 'A']]) }, [[1, '1']])).toEqual([['A', null]]);
    expect(() => createFilter('map', { mapping: {} }, latest)).toThrow(/unexpected argument 'mapping'/);
  });
});

describe('multi_choice_regex', () => {
  const docs = [{ choices: ['Paris', 'London', 'Berlin'] }];
  const kw = { ignore_case: true, ignore_punctuation: true };
  const one = (resp: string, extra: Record<string, unknown> = {}, d = docs) => run('multi_choice_regex', { ...kw, ...extra }, [[resp]], latest, d)[0];

  it('primary regex first', () => {
    expect(one('#### 42 London')).toEqual(['42']);
    expect(one('(B) is right', { regex_pattern: '(\\([A-Z]\\))' })).toEqual(['(B)']);
  });

  it('choice texts after ignore-processing', () => {
    expect(one("I think it's LONDON.")).toEqual(['(B)']);
    const ru = [{ choices: ['«Да»', 'Нет!'] }];
    expect(one('Ответ — «да»!', {}, ru)).toEqual(['(A)']);
    expect(one('нет', {}, ru)).toEqual(['(B)']);
    expect(one('lon-don', { regexes_to_ignore: ['-'], ignore_punctuation: false })).toEqual(['(B)']);
  });

  it('":<letter>" in the raw response, then fallback', () => {
    expect(one('The answer is: C')).toEqual(['(C)']);
    expect(one('The answer is: D')).toEqual(['[invalid]']);
    expect(one('nothing', { fallback: 'FB' })).toEqual(['FB']);
  });

  it('without ignore_case the choice text must match case', () => {
    expect(one('london', { ignore_case: false })).toEqual(['[invalid]']);
  });

  it('needs doc.choices', () => {
    expect(() => run('multi_choice_regex', {}, [['x']], latest, [{}])).toThrow(/choices/);
  });
});

describe('custom and !function filters', () => {
  it('custom filter_fn gets the whole list', () => {
    const fn = (resps: unknown[][], docs: Record<string, unknown>[]) => resps.map((r, i) => `${r[0]}:${docs[i].id}`);
    expect(run('custom', { filter_fn: fn }, [['a'], ['b']], latest, [{ id: 1 }, { id: 2 }])).toEqual(['a:1', 'b:2']);
    expect(() => createFilter('custom', {}, latest)).toThrow(LmEvalError);
  });

  it('a class is constructed with the kwargs; a function is a factory', () => {
    class Suffix implements Filter {
      constructor(private readonly kw: { suffix: string }) {}
      apply(resps: unknown[]) {
        return resps.map((r) => (r as string[]).map((x) => x + this.kw.suffix));
      }
    }
    expect(createFilter(Suffix, { suffix: '!' }, latest).apply([['a']], [{}])).toEqual([['a!']]);
    const factory = (kw: Record<string, unknown>) => ({ apply: (resps: unknown[]) => resps.map(() => kw.value) });
    expect(createFilter(factory, { value: 7 }, latest).apply([['a'], ['b']], [{}, {}])).toEqual([7, 7]);
    expect(() => createFilter(() => 5, {}, latest)).toThrow(/apply/);
  });

  it('registerFilter adds a named filter', () => {
    registerFilter('test_reverse', () => ({ apply: (resps) => resps.map((r) => [...(r as unknown[])].reverse()) }));
    expect(knownFilters()).toContain('test_reverse');
    expect(run('test_reverse', {}, [[1, 2, 3]])).toEqual([[3, 2, 1]]);
  });

  it('unknown names list the known ones', () => {
    expect(() => createFilter('nope', {}, latest)).toThrow(/unknown filter 'nope' \(known: .*take_first/);
  });
});

describe('buildFilterPipelines', () => {
  it('no filter_list ⇒ pipeline "none" = [take_first]; [] ⇒ no pipelines', () => {
    const [p, ...rest] = buildFilterPipelines(undefined, latest);
    expect(rest).toEqual([]);
    expect(p.name).toBe('none');
    expect(p.apply([['x', 'y'], [tuple<unknown>(-2, false)]], noDocs(2))).toEqual(['x', tuple<unknown>(-2, false)]);
    expect(buildFilterPipelines(null, latest)).toHaveLength(1);
    expect(buildFilterPipelines([], latest)).toEqual([]);
  });

  it('pipelines run in order, each from the raw resps', () => {
    const pipes = buildFilterPipelines(
      [
        { name: 'strict', filter: [{ function: 'regex', regex_pattern: '#### (\\d+)' }, { function: 'take_first' }] },
        { name: 'lower', filter: ['lowercase', { function: 'take_first' }] },
        { name: 'vote', filter: [{ function: 'majority_vote' }, { function: 'take_first' }] },
      ],
      latest,
    );
    expect(pipes.map((p) => p.name)).toEqual(['strict', 'lower', 'vote']);
    const resps = [['A #### 12', 'B', 'B']];
    const raw = JSON.stringify(resps);
    expect(pipes.map((p) => p.apply(resps, noDocs(1)))).toEqual([['12'], ['a #### 12'], ['B']]);
    expect(JSON.stringify(resps)).toBe(raw);
  });

  it('MERA generative scoring: remove_whitespace (lstrip in 0.4.4) then take_first', () => {
    const [p] = buildFilterPipelines([{ name: 'scoring', filter: [{ function: 'remove_whitespace' }, { function: 'take_first' }] }], v044);
    expect(p.apply([[' Paris\n'], ['  Да']], noDocs(2))).toEqual(['Paris\n', 'Да']);
  });

  it('errors name the bad entry', () => {
    expect(() => buildFilterPipelines({ name: 'x' }, latest)).toThrow(LmEvalError);
    expect(() => buildFilterPipelines([{ filter: [] }], latest)).toThrow(/needs a 'name'/);
    expect(() => buildFilterPipelines([{ name: 'x', filter: [{ regex_pattern: 'a' }] }], latest)).toThrow(/filter\[0\]/);
    const bad = buildFilterPipelines([{ name: 'x', filter: [{ function: () => ({ apply: () => [1] }) }] }], latest)[0];
    expect(() => bad.apply([['a'], ['b']], noDocs(2))).toThrow(/returned 1 values for 2 instances/);
  });
});
