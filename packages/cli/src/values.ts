/**
 * Parsing of typed flag values (spec: outputs-and-cli.md §6.3, §6.4): `--model_args`,
 * `--gen_kwargs`, `--seed`, `--samples`, `--metadata`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { LmEvalError, parsePythonLiteral, pyFloat } from '@lm-eval/core';

/** Python str.isnumeric() for ASCII-ish input (digits only, no sign). */
const isNumeric = (s: string): boolean => /^\p{N}+$/u.test(s);

/** latest CLI value typing: bool, int, float, Python literal, else the raw string. */
export function typedValue(raw: string): unknown {
  const v = raw;
  if (v.toLowerCase() === 'true') return true;
  if (v.toLowerCase() === 'false') return false;
  if (isNumeric(v) && /^[0-9]+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : BigInt(v);
  }
  const f = pythonFloat(v);
  if (f !== undefined) return f;
  try {
    return parsePythonLiteral(v);
  } catch {
    return v;
  }
}

/** Python float(str) acceptance: decimal/exponent forms, inf, nan (case-insensitive), underscores between digits. */
export function pythonFloat(s: string): number | ReturnType<typeof pyFloat> | undefined {
  const t = s.trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?((\d(_?\d)*)(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][+-]?\d(_?\d)*)?$/.test(t)) return undefined;
  return pyFloat(Number(t.replace(/_/g, '')));
}

export interface KeyValueArgs {
  /** typed values, in order */
  values: Record<string, unknown>;
  /** the original text, comma-joined (v0.4.4 records model_args as the raw string) */
  raw: string;
}

/**
 * `k=v,k2=v2` items (several arguments merged, later wins) or a JSON object.
 * Empty input gives `{}`.
 */
export function parseKeyValueArgs(parts: string[] | string | undefined, flag: string): KeyValueArgs {
  const list = parts === undefined ? [] : Array.isArray(parts) ? parts : [parts];
  const values: Record<string, unknown> = {};
  const raws: string[] = [];
  for (const part of list) {
    const text = String(part).trim();
    if (!text) continue;
    raws.push(text);
    if (text.startsWith('{')) {
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        throw new LmEvalError(`${flag}: invalid JSON object ${text} (${(e as Error).message})`, `example: ${flag} '{"key": "value"}'`);
      }
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new LmEvalError(`${flag}: expected a JSON object, got ${text}`);
      Object.assign(values, obj);
      continue;
    }
    for (const item of text.split(',')) {
      if (!item.trim()) continue;
      const eq = item.indexOf('=');
      if (eq <= 0) {
        throw new LmEvalError(`${flag}: '${item}' is not a key=value pair`, `example: ${flag} pretrained=models/stories260k,dtype=float32`);
      }
      const key = item.slice(0, eq).trim();
      values[key] = typedValue(item.slice(eq + 1).trim());
    }
  }
  return { values, raw: raws.join(',') };
}

export interface Seeds {
  random: number | null;
  numpy: number | null;
  torch: number | null;
  fewshot: number | null;
}

const DEFAULT_SEEDS: Array<number | null> = [0, 1234, 1234, 1234];

export function parseSeed(text: string): Seeds {
  const items = text.split(',').map((s) => s.trim());
  const parseOne = (s: string): number | null => {
    if (s.toLowerCase() === 'none') return null;
    if (!/^-?\d+$/.test(s)) {
      throw new LmEvalError(`--seed: '${s}' is not an integer or None`, "example: --seed 1234 or --seed 0,1234,1234,1234");
    }
    return Number(s);
  };
  let seeds: Array<number | null>;
  if (items.length === 1) seeds = Array(4).fill(parseOne(items[0]));
  else if (items.length === 3) seeds = [...items.map(parseOne), DEFAULT_SEEDS[3]];
  else if (items.length === 4) seeds = items.map(parseOne);
  else throw new LmEvalError(`--seed: expected 1, 3 or 4 comma-separated values, got ${items.length}`, 'example: --seed 0,1234,1234,1234');
  return { random: seeds[0], numpy: seeds[1], torch: seeds[2], fewshot: seeds[3] };
}

/** `--samples`: JSON text or the path of a JSON file, `{task: [indexes]}`. */
export function parseSamples(text: string): Record<string, number[]> {
  const source = existsSync(text) ? readFileSync(text, 'utf8') : text;
  let obj: unknown;
  try {
    obj = JSON.parse(source);
  } catch (e) {
    throw new LmEvalError(`--samples: not valid JSON nor a readable JSON file: ${(e as Error).message}`, `example: --samples '{"arc_easy": [0, 1, 2]}'`);
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new LmEvalError('--samples: expected a JSON object {"task": [indexes]}');
  for (const [task, idx] of Object.entries(obj)) {
    if (!Array.isArray(idx) || !idx.every((i) => Number.isInteger(i) && i >= 0)) {
      throw new LmEvalError(`--samples: the value for '${task}' must be a list of non-negative doc indexes`);
    }
  }
  return obj as Record<string, number[]>;
}

export function parseJsonObject(text: string, flag: string): Record<string, unknown> {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new LmEvalError(`${flag}: invalid JSON (${(e as Error).message})`, `example: ${flag} '{"key": "value"}'`);
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new LmEvalError(`${flag}: expected a JSON object`);
  return obj as Record<string, unknown>;
}
