/** Flag value parsing (lm_eval/utils.py `simple_parse_args_string`, lm_eval/_cli/utils.py). */
import { describe, expect, it } from 'vitest';
import { PyFloat, pyRepr } from '@lm-eval/core/python';
import { parseIntFlag, parseJsonObject, parseKeyValueArgs, parseLimit, parseSamples, parseSeed, pythonFloat, typedValue } from '../src/values.ts';
import { normaliseArgv, errorLine } from '../src/main.ts';

describe('typedValue', () => {
  it('latest: bool, int, float, Python literal, else text', () => {
    expect(typedValue('True')).toBe(true);
    expect(typedValue('false')).toBe(false);
    expect(typedValue('42')).toBe(42);
    expect(typedValue('123456789012345678901234')).toBe(123456789012345678901234n);
    // isnumeric() is false for a sign: -1 goes through float()
    expect(pyRepr(typedValue('-1'))).toBe('-1.0');
    expect(pyRepr(typedValue('1e3'))).toBe('1000.0');
    expect(typedValue('0.5')).toBe(0.5);
    expect(typedValue('None')).toBeNull();
    expect(typedValue('[1, 2]')).toEqual([1, 2]);
    expect(typedValue("'quoted'")).toBe('quoted');
    expect(typedValue('models/stories260k')).toBe('models/stories260k');
    expect(typedValue('float32')).toBe('float32');
  });

  it('v0.4.4: no literal step', () => {
    expect(typedValue('None', '0.4.4')).toBe('None');
    expect(typedValue('[1, 2]', '0.4.4')).toBe('[1, 2]');
    expect(typedValue('7', '0.4.4')).toBe(7);
  });

  it('pythonFloat accepts what float() accepts', () => {
    expect(pythonFloat(' 1_000.5 ')).toBe(1000.5);
    expect(pythonFloat('-inf')).toBe(-Infinity);
    expect(Number.isNaN(pythonFloat('NaN') as number)).toBe(true);
    expect(pythonFloat('.5')).toBe(0.5);
    expect(pythonFloat('5.')).toBeInstanceOf(PyFloat);
    expect(pythonFloat('1e')).toBeUndefined();
    expect(pythonFloat('abc')).toBeUndefined();
    expect(pythonFloat('1__0')).toBeUndefined();
  });
});

describe('parseKeyValueArgs', () => {
  it('k=v items, several arguments merged, the first = splits', () => {
    const r = parseKeyValueArgs(['pretrained=x,dtype=float32', 'max_length=512', 'dtype=bfloat16', 'q=a=b'], '--model_args');
    expect(r.values).toEqual({ pretrained: 'x', dtype: 'bfloat16', max_length: 512, q: 'a=b' });
    expect(Object.keys(r.values)).toEqual(['pretrained', 'dtype', 'max_length', 'q']);
    expect(r.overridden).toEqual(['dtype']);
    expect(r.raw).toBe('pretrained=x,dtype=float32,max_length=512,dtype=bfloat16,q=a=b');
  });

  it('JSON objects keep Python float-ness; mappings from a config file pass through', () => {
    const r = parseKeyValueArgs(['{"temperature": 1.0, "until": ["\\n"]}'], '--gen_kwargs');
    expect(pyRepr(r.values)).toBe("{'temperature': 1.0, 'until': ['\\n']}");
    expect(parseKeyValueArgs({ pretrained: 'x', n: 2 }, '--model_args')).toMatchObject({ values: { pretrained: 'x', n: 2 }, raw: 'pretrained=x,n=2' });
    expect(parseKeyValueArgs(undefined, '--model_args').values).toEqual({});
    expect(parseKeyValueArgs([''], '--model_args').values).toEqual({});
    expect(parseKeyValueArgs(['a=1,,b=2,'], '--model_args').values).toEqual({ a: 1, b: 2 });
  });

  it('errors name the flag and show an example', () => {
    expect(() => parseKeyValueArgs(['pretrained'], '--model_args')).toThrow(/--model_args: 'pretrained' is not a key=value pair/);
    expect(() => parseKeyValueArgs(['=x'], '--model_args')).toThrow(/not a key=value pair/);
    expect(() => parseKeyValueArgs(['{"a": }'], '--gen_kwargs')).toThrow(/--gen_kwargs: .* is not a valid JSON object/);
    expect(() => parseKeyValueArgs(['q=a=b'], '--model_args', '0.4.4')).toThrow(/more than one '='/);
    try {
      parseKeyValueArgs(['x'], '--gen_kwargs');
    } catch (e) {
      expect((e as { hint: string }).hint).toMatch(/^example: --gen_kwargs temperature=0/);
    }
  });
});

describe('parseSeed', () => {
  it('one value, three (fewshot default), four; None; Python int syntax', () => {
    expect(parseSeed('42').seeds).toEqual({ random: 42, numpy: 42, torch: 42, fewshot: 42 });
    expect(parseSeed('1,2,3')).toEqual({ seeds: { random: 1, numpy: 2, torch: 3, fewshot: 1234 }, filledFromDefault: true });
    expect(parseSeed('0, None ,none,+5').seeds).toEqual({ random: 0, numpy: null, torch: null, fewshot: 5 });
    expect(parseSeed('1_000').seeds.random).toBe(1000);
  });
  it('other counts and non-integers fail', () => {
    expect(() => parseSeed('1,2')).toThrow(/expected 1, 3 or 4 comma-separated values, got 2/);
    expect(() => parseSeed('1,2,3,4,5')).toThrow(/got 5/);
    expect(() => parseSeed('1.5')).toThrow(/'1.5' is not an integer or None/);
    expect(() => parseSeed('')).toThrow(/'' is not an integer/);
  });
});

describe('other values', () => {
  it('--limit', () => {
    expect(parseLimit('10')).toBe(10);
    expect(parseLimit('0.1')).toBe(0.1);
    expect(() => parseLimit('ten')).toThrow(/--limit: 'ten' is not a number/);
    expect(() => parseLimit('-1')).toThrow(/negative/);
  });
  it('integers', () => {
    expect(parseIntFlag('5', '--num_fewshot')).toBe(5);
    expect(() => parseIntFlag('5.0', '--num_fewshot')).toThrow(/--num_fewshot: '5.0' is not an integer/);
    expect(() => parseIntFlag('0', '--max_batch_size', 1)).toThrow(/below 1/);
  });
  it('--samples and --metadata', () => {
    expect(parseSamples('{"arc_easy": [0, 3]}')).toEqual({ arc_easy: [0, 3] });
    expect(() => parseSamples('[0]')).toThrow(/expected a JSON object/);
    expect(() => parseSamples('{"a": [-1]}')).toThrow(/non-negative doc indexes/);
    expect(() => parseSamples('nope')).toThrow(/neither valid JSON nor an existing file/);
    expect(parseJsonObject('{"k": 1.0}', '--metadata')).toEqual({ k: new PyFloat(1) });
    expect(() => parseJsonObject('[]', '--metadata')).toThrow(/--metadata: expected a JSON object/);
  });
});

describe('argv and error lines', () => {
  it('-m is an alias of -M, except as the value of another flag', () => {
    expect(normaliseArgv(['-m', 'dummy', '-t', 'x'])).toEqual(['-M', 'dummy', '-t', 'x']);
    expect(normaliseArgv(['--system_instruction', '-m', '-m', 'hf'])).toEqual(['--system_instruction', '-m', '-M', 'hf']);
  });
  it('one line: message — hint; unexpected errors point at --verbosity DEBUG', async () => {
    const { LmEvalError } = await import('@lm-eval/core');
    expect(errorLine(new LmEvalError('bad\nthing', 'fix it'))).toBe('Error: bad thing — fix it');
    expect(errorLine(new TypeError('x is undefined'))).toBe('Error: TypeError: x is undefined (rerun with --verbosity DEBUG for the stack trace)');
  });
});
