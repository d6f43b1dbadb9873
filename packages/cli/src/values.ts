/**
 * Parsing of typed flag values (lm_eval/utils.py `simple_parse_args_string`,
 * `handle_arg_string`; lm_eval/_cli/utils.py `_int_or_none_list_arg_type`): `--model_args`,
 * `--gen_kwargs`, `--seed`, `--limit`, `--samples`, `--metadata`. Every failure is an
 * LmEvalError naming the flag, with an example of a valid value as the hint.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { LmEvalError, type Profile } from '@lm-eval/core';
import { isPlainObject, parsePyJson, parsePythonLiteral, pyFloat, pyStr } from '@lm-eval/core/python';

/** Python `str.isnumeric()` restricted to what `int()` then accepts here: ASCII digits, no sign. */
const isAsciiNumeric = (s: string): boolean => /^[0-9]+$/.test(s);

function pyInt(s: string): number | bigint {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

/**
 * Python `float(str)`: decimal and exponent forms, `inf`/`infinity`/`nan` (any case, signed),
 * underscores between digits, surrounding whitespace. Integral results stay Python floats
 * (PyFloat), so `1e3` records as `1000.0`. `undefined` when Python would raise ValueError.
 */
export function pythonFloat(s: string): number | ReturnType<typeof pyFloat> | undefined {
  const t = s.trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?((\d(_?\d)*)(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$/.test(t)) return undefined;
  return pyFloat(Number(t.replace(/_/g, '')));
}

/**
 * One `k=v` value typed as the CLI of each lm-eval version does:
 * - latest (`run`): true/false (any case) -> bool; isnumeric -> int; float(); then
 *   `ast.literal_eval` (None, lists, quoted text, dicts); else the raw text.
 * - v0.4.4: the same without the literal step (`None` stays the text "None").
 */
export function typedValue(raw: string, profile: Profile = 'latest'): unknown {
  const low = raw.toLowerCase();
  if (low === 'true') return true;
  if (low === 'false') return false;
  if (isAsciiNumeric(raw)) return pyInt(raw);
  const f = pythonFloat(raw);
  if (f !== undefined) return f;
  if (profile === '0.4.4') return raw;
  try {
    return parsePythonLiteral(raw);
  } catch {
    return raw;
  }
}

export interface KeyValueArgs {
  /** typed values, in order */
  values: Record<string, unknown>;
  /** the original text, comma-joined (v0.4.4 records model_args as the raw string) */
  raw: string;
  /** keys given more than once (the later value wins; the CLI warns) */
  overridden: string[];
}

function example(flag: string): string {
  return flag === '--gen_kwargs'
    ? `example: ${flag} temperature=0,max_gen_toks=64 or ${flag} '{"temperature": 0}'`
    : `example: ${flag} pretrained=models/stories260k,dtype=float32 or ${flag} '{"pretrained": "models/stories260k"}'`;
}

/**
 * `k=v,k2=v2` items (several arguments merged, later wins) or a JSON object per argument; a
 * mapping (from a --config YAML file) is taken as is. Empty input gives `{}`.
 * v0.4.4 splits each item on every `=` (a value containing `=` is an error there); latest on the
 * first `=` only.
 */
export function parseKeyValueArgs(
  parts: Array<string | Record<string, unknown>> | string | Record<string, unknown> | undefined,
  flag: string,
  profile: Profile = 'latest',
): KeyValueArgs {
  const list = parts === undefined || parts === null ? [] : Array.isArray(parts) ? parts : [parts];
  const values: Record<string, unknown> = {};
  const overridden: string[] = [];
  const raws: string[] = [];
  const set = (k: string, v: unknown) => {
    if (k in values && !overridden.includes(k)) overridden.push(k);
    values[k] = v;
  };
  for (const part of list) {
    if (isPlainObject(part)) {
      for (const [k, v] of Object.entries(part)) set(k, v);
      raws.push(Object.entries(part).map(([k, v]) => `${k}=${pyStr(v)}`).join(','));
      continue;
    }
    const text = String(part).trim();
    if (!text) continue;
    raws.push(text);
    if (text.startsWith('{')) {
      let obj: unknown;
      try {
        obj = parsePyJson(text);
      } catch (e) {
        throw new LmEvalError(`${flag}: ${text} is not a valid JSON object (${oneLine((e as Error).message)})`, example(flag));
      }
      if (!isPlainObject(obj)) throw new LmEvalError(`${flag}: expected a JSON object, got ${text}`, example(flag));
      for (const [k, v] of Object.entries(obj)) set(k, v);
      continue;
    }
    for (const item of text.split(',')) {
      if (!item.trim()) continue;
      const eq = item.indexOf('=');
      if (eq <= 0) throw new LmEvalError(`${flag}: '${item}' is not a key=value pair`, example(flag));
      if (profile === '0.4.4' && item.indexOf('=', eq + 1) >= 0) {
        throw new LmEvalError(`${flag}: '${item}' has more than one '=' (lm-eval 0.4.4 cannot parse that)`, 'drop the extra "=" or run with --compat latest');
      }
      set(item.slice(0, eq).trim(), typedValue(item.slice(eq + 1).trim(), profile));
    }
  }
  return { values, raw: raws.join(','), overridden };
}

export interface Seeds {
  random: number | null;
  numpy: number | null;
  torch: number | null;
  fewshot: number | null;
}

const DEFAULT_SEEDS: Array<number | null> = [0, 1234, 1234, 1234];
const SEED_HINT = 'example: --seed 1234, --seed 0,1234,1234 or --seed 0,None,1234,1234';

/**
 * `--seed S` (all four), `a,b,c` (the fewshot seed from the default) or `a,b,c,d`; items are
 * Python ints (sign, underscores, spaces allowed) or None (any case).
 */
export function parseSeed(text: string): { seeds: Seeds; filledFromDefault: boolean } {
  const items = text.split(',').map((s) => s.trim());
  const parseOne = (s: string): number | null => {
    if (s.toLowerCase() === 'none') return null;
    if (!/^[+-]?\d(_?\d)*$/.test(s)) throw new LmEvalError(`--seed: '${s}' is not an integer or None`, SEED_HINT);
    return Number(s.replace(/_/g, ''));
  };
  let seeds: Array<number | null>;
  const parsed = items.map(parseOne);
  if (parsed.length === 1) seeds = Array(4).fill(parsed[0]);
  else if (parsed.length === 3) seeds = [...parsed, DEFAULT_SEEDS[3]];
  else if (parsed.length === 4) seeds = parsed;
  else throw new LmEvalError(`--seed: expected 1, 3 or 4 comma-separated values, got ${parsed.length} ('${text}')`, SEED_HINT);
  return { seeds: { random: seeds[0], numpy: seeds[1], torch: seeds[2], fewshot: seeds[3] }, filledFromDefault: parsed.length === 3 };
}

/** `--limit`: Python float(); a value below 1.0 is a fraction of the docs. */
export function parseLimit(text: string): number {
  const f = pythonFloat(text);
  if (f === undefined || Number.isNaN(Number(f))) {
    throw new LmEvalError(`--limit: '${text}' is not a number`, 'use a doc count (--limit 10) or a fraction of the docs (--limit 0.1)');
  }
  if (Number(f) < 0) throw new LmEvalError(`--limit: '${text}' is negative`, 'use a doc count (--limit 10) or a fraction of the docs (--limit 0.1)');
  return Number(f);
}

/** An integer flag (`--num_fewshot`, `--max_batch_size`): Python int(). */
export function parseIntFlag(text: string, flag: string, min = 0): number {
  const t = String(text).trim();
  if (!/^[+-]?\d(_?\d)*$/.test(t)) throw new LmEvalError(`${flag}: '${text}' is not an integer`, `example: ${flag} 5`);
  const n = Number(t.replace(/_/g, ''));
  if (n < min) throw new LmEvalError(`${flag}: ${n} is below ${min}`, `example: ${flag} 5`);
  return n;
}

/** `--samples`: the path of a JSON file, or JSON text; `{task: [doc indexes]}`. */
export function parseSamples(text: string): Record<string, number[]> {
  const isFile = existsSync(text) && statSync(text).isFile();
  const source = isFile ? readFileSync(text, 'utf8') : text;
  const hint = `example: --samples '{"arc_easy": [0, 1, 2]}' or --samples samples.json`;
  let obj: unknown;
  try {
    obj = parsePyJson(source);
  } catch (e) {
    throw new LmEvalError(
      isFile ? `--samples: ${text} does not hold valid JSON (${oneLine((e as Error).message)})` : `--samples: '${text}' is neither valid JSON nor an existing file (${oneLine((e as Error).message)})`,
      hint,
    );
  }
  if (!isPlainObject(obj)) throw new LmEvalError('--samples: expected a JSON object {"task": [doc indexes]}', hint);
  for (const [task, idx] of Object.entries(obj)) {
    if (!Array.isArray(idx) || !idx.every((i) => Number.isInteger(i) && (i as number) >= 0)) {
      throw new LmEvalError(`--samples: the value for '${task}' must be a list of non-negative doc indexes`, hint);
    }
  }
  return obj as Record<string, number[]>;
}

/** `--metadata`: a JSON object. */
export function parseJsonObject(text: string, flag: string): Record<string, unknown> {
  const hint = `example: ${flag} '{"key": "value"}'`;
  let obj: unknown;
  try {
    obj = parsePyJson(text);
  } catch (e) {
    throw new LmEvalError(`${flag}: '${text}' is not valid JSON (${oneLine((e as Error).message)})`, hint);
  }
  if (!isPlainObject(obj)) throw new LmEvalError(`${flag}: expected a JSON object, got '${text}'`, hint);
  return obj;
}

/** `true/1/yes` (any case) -> true, anything else false (latest `--fewshot_as_multiturn VALUE`). */
export function parseBoolText(v: unknown): boolean {
  return ['true', '1', 'yes'].includes(String(v).trim().toLowerCase());
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

const GEN_HINT = `example: --gen_kwargs max_gen_toks=64,temperature=0 or --gen_kwargs '{"until": ["\\n\\n"], "max_gen_toks": 64}'`;

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'number') return (v as { value: number }).value; // PyFloat
  return undefined;
}

/**
 * `--gen_kwargs` values of the keys every backend reads are checked before anything runs: a
 * length that is not a whole number (`max_gen_toks=abc` would otherwise mean "no limit" on a
 * paid API), a negative length or temperature, an empty stop sequence. Other keys pass as given.
 */
export function checkGenKwargs(values: Record<string, unknown>): void {
  const bad = (key: string, v: unknown, what: string) =>
    new LmEvalError(`--gen_kwargs: ${key}=${typeof v === 'string' ? `'${v}'` : pyStr(v)} ${what}`, GEN_HINT);
  for (const [key, v] of Object.entries(values)) {
    const n = numberOf(v);
    switch (key) {
      case 'max_gen_toks':
      case 'max_new_tokens':
      case 'max_tokens':
      case 'max_length':
      case 'min_tokens':
      case 'top_k':
      case 'seed':
        if (n === undefined || !Number.isInteger(n)) throw bad(key, v, 'is not a whole number');
        if (key !== 'seed' && key !== 'top_k' && n < 0) throw bad(key, v, 'is negative');
        break;
      case 'temperature':
      case 'top_p':
      case 'repetition_penalty':
      case 'frequency_penalty':
      case 'presence_penalty':
        if (n === undefined || Number.isNaN(n)) throw bad(key, v, 'is not a number');
        if ((key === 'temperature' || key === 'top_p') && n < 0) throw bad(key, v, 'is negative');
        if (key === 'top_p' && n > 1) throw bad(key, v, 'is above 1');
        break;
      case 'do_sample':
        if (typeof v !== 'boolean') throw bad(key, v, 'is not true or false');
        break;
      case 'until': {
        const list = Array.isArray(v) ? v : [v];
        if (list.some((s) => typeof s !== 'string')) throw bad(key, v, 'is not a string or a list of strings');
        if (list.some((s) => s === '')) throw bad(key, v, 'contains an empty stop sequence (it would stop before the first token); drop it or give the text to stop at');
        break;
      }
    }
  }
}
