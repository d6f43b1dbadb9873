/**
 * Cheap line-based pre-scan of the top-level keys the task index needs (`task`, `group`, `tag`,
 * `include`, `class`, `output_type`), so start-up does not parse every YAML file. Any file whose
 * relevant keys are not simple one-line scalars or simple lists (anchors, aliases, merge keys,
 * tags, block scalars, multi-line values, quoted keys, flow mappings...) falls back to a full
 * parse of that one file. The result is a partial config dict with the same values a full parse
 * would give for those keys.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { YamlDict } from './include.ts';
import { closingQuote, FunctionRef, parseYaml, resolvePlainScalar } from './yaml.ts';

export const INDEX_KEYS = ['task', 'group', 'tag', 'include', 'class', 'output_type'] as const;

/** `key: value` at column 0; the key plain or quoted (`"task": …`, as generated files write it). */
const KEY_LINE = /^(?:([A-Za-z_][A-Za-z0-9_.-]*)|"([A-Za-z_][A-Za-z0-9_.-]*)"|'([A-Za-z_][A-Za-z0-9_.-]*)')[ \t]*:(?:[ \t]+(.*))?$/;
const INTERESTING = new Set<string>(INDEX_KEYS);

class Complex extends Error {}
/** Thrown for every file the scan leaves to the parser: one instance (no stack trace captured per file). */
const COMPLEX = new Complex('needs a full parse');

/** Removes a trailing ` # comment` outside quotes. */
function stripComment(v: string): string {
  let quote: string | null = null;
  for (let i = 0; i < v.length; i++) {
    const ch = v[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      if (i === 0 || /[\s,[]/.test(v[i - 1])) quote = ch;
    } else if (ch === '#' && (i === 0 || /\s/.test(v[i - 1]))) return v.slice(0, i).trimEnd();
  }
  return v.trimEnd();
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\', '/': '/', r: '\r', '0': '\0' };

/** One scalar written on one line: quoted or plain. Throws Complex when unsure. */
function simpleScalar(v: string): unknown {
  if (v.startsWith('"')) {
    if (v.length < 2 || !v.endsWith('"')) throw COMPLEX;
    let out = '';
    for (let i = 1; i < v.length - 1; i++) {
      const ch = v[i];
      if (ch === '"') throw COMPLEX;
      if (ch === '\\') {
        const e = SIMPLE_ESCAPES[v[++i]];
        if (e === undefined) throw COMPLEX;
        out += e;
      } else out += ch;
    }
    return out;
  }
  if (v.startsWith("'")) {
    if (v.length < 2 || !v.endsWith("'")) throw COMPLEX;
    const inner = v.slice(1, -1);
    if (/'(?!')/.test(inner.replace(/''/g, ''))) throw COMPLEX;
    return inner.replace(/''/g, "'");
  }
  if (/^[[\]{}&*!|>%@`,?:-]/.test(v) && !/^-[0-9.]/.test(v)) throw COMPLEX;
  if (/: |\s#|[{}[\]]/.test(v)) throw COMPLEX;
  return resolvePlainScalar(v);
}

/** A one-line flow list `[a, "b", 'c']` of simple scalars. */
function flowList(v: string): unknown[] {
  if (!v.endsWith(']')) throw COMPLEX;
  const inner = v.slice(1, -1).trim();
  if (inner === '') return [];
  if (/["'[\]{}]/.test(inner) && /["']/.test(inner)) {
    // quoted items: split carefully on commas outside quotes
    const items: string[] = [];
    let cur = '';
    let quote: string | null = null;
    for (let i = 0; i < inner.length; i++) {
      const ch = inner[i];
      if (quote) {
        cur += ch;
        if (ch === '\\' && quote === '"') cur += inner[++i] ?? '';
        else if (ch === quote) quote = inner[i + 1] === "'" && quote === "'" ? (cur += inner[++i], quote) : null;
      } else if (ch === '"' || ch === "'") {
        quote = ch;
        cur += ch;
      } else if (ch === ',') {
        items.push(cur.trim());
        cur = '';
      } else if (ch === '[' || ch === ']' || ch === '{' || ch === '}') throw COMPLEX;
      else cur += ch;
    }
    if (quote) throw COMPLEX;
    items.push(cur.trim());
    if (items[items.length - 1] === '') items.pop();
    return items.map(simpleScalar);
  }
  if (/[[\]{}]/.test(inner)) throw COMPLEX;
  const parts = inner.split(',').map((s) => s.trim());
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map(simpleScalar);
}

function inlineValue(v: string, file: string | undefined): unknown {
  if (v.startsWith('[')) return flowList(v);
  if (v.startsWith('!')) return functionTag(v, file);
  return simpleScalar(v);
}

const FUNCTION_TAG = /^!function[ \t]+([A-Za-z0-9_./][A-Za-z0-9_./-]*)$/;

/**
 * `!function module.name` (lm-eval's `class: !function task.MyTask`), read as the parser reads it
 * (yaml.ts `functionTag`): a FunctionRef of the file `file` (none: left to the parser, as is any
 * other tag or form).
 */
function functionTag(v: string, file: string | undefined): FunctionRef {
  const m = file === undefined ? null : FUNCTION_TAG.exec(v);
  if (!m || file === undefined) throw COMPLEX;
  const raw = m[1];
  const dot = raw.lastIndexOf('.');
  if (dot <= 0 || dot === raw.length - 1) throw COMPLEX; // the parser says what is wrong
  const abs = path.resolve(file);
  return new FunctionRef(raw.slice(0, dot), raw.slice(dot + 1), path.dirname(abs), raw, abs);
}

/**
 * The lines of a text as `split(/\r?\n/)` gives them, kept as offsets: a line's string is made only
 * when it is looked at (most lines of a task file are indented block text the scan skips).
 */
class Lines {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  readonly length: number;

  constructor(private readonly text: string) {
    let s = 0;
    for (;;) {
      const n = text.indexOf('\n', s);
      if (n < 0) {
        this.starts.push(s);
        this.ends.push(text.length);
        break;
      }
      this.starts.push(s);
      this.ends.push(n > s && text.charCodeAt(n - 1) === 13 ? n - 1 : n);
      s = n + 1;
    }
    this.length = this.starts.length;
  }

  /** True when line `i` starts with a space or a tab (indented or blank: never a top-level key). */
  indented(i: number): boolean {
    const s = this.starts[i];
    if (s >= this.ends[i]) return false;
    const c = this.text.charCodeAt(s);
    return c === 32 || c === 9;
  }

  get(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]);
  }
}

/** A line is blank or a comment (skipped wherever it is). */
function skippable(l: string): boolean {
  const t = l.trim();
  return t === '' || t.startsWith('#');
}

/**
 * Scans YAML text for the index keys. Returns undefined when the file needs a full parse.
 * `file`: the file the text is from (a `!function` value is then read here too).
 */
export function scanIndexKeysText(text: string, file?: string): YamlDict | undefined {
  const lines = new Lines(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const out: YamlDict = {};
  let seenContent = false;
  try {
    let i = 0;
    while (i < lines.length) {
      // blank or indented: continuation of a key we do not care about (checked below for keys we do)
      if (lines.indented(i)) {
        i++;
        continue;
      }
      const line = lines.get(i);
      if (skippable(line)) {
        i++;
        continue;
      }
      if (/^---(\s|$)/.test(line) && !seenContent) {
        if (line.slice(3).trim() !== '') throw COMPLEX;
        seenContent = true;
        i++;
        continue;
      }
      seenContent = true;
      const m = KEY_LINE.exec(line);
      if (!m) throw COMPLEX;
      const key = m[1] ?? m[2] ?? m[3];
      const value = m[4] ?? '';
      const rawValue = value.includes('#') ? stripComment(value) : value.trimEnd();
      const interesting = INTERESTING.has(key);
      if (!interesting && (rawValue[0] === '"' || rawValue[0] === "'") && !isClosedQuoted(rawValue)) {
        // a quoted scalar continued on following lines (even at column 0, as PyYAML reads it)
        i = quotedScalarEnd(lines, i, line.length - value.length) + 1;
        continue;
      }
      // the lines that belong to this key
      let j = i + 1;
      const block: string[] = [];
      while (j < lines.length) {
        if (lines.indented(j)) {
          if (interesting) {
            const l = lines.get(j);
            if (!skippable(l)) block.push(l);
          }
          j++;
          continue;
        }
        const l = lines.get(j);
        if (skippable(l)) {
          j++;
          continue;
        }
        if (rawValue === '' && /^- |^-$/.test(l)) {
          block.push(l);
          j++;
          continue;
        }
        break;
      }
      if (!interesting) {
        i = j;
        continue;
      }
      if (rawValue !== '') {
        if (block.length > 0) throw COMPLEX; // multi-line value
        out[key] = inlineValue(rawValue, file);
      } else if (block.length === 0) {
        out[key] = null;
      } else {
        const first = block[0].trimStart();
        if (!first.startsWith('- ') && first !== '-') throw COMPLEX;
        const indent = block[0].length - first.length;
        if (key === 'task') {
          // a group's task list: only its list-ness matters for the index
          out[key] = block.filter((l) => l.length - l.trimStart().length === indent && l.trimStart().startsWith('-')).map(() => '<item>');
        } else {
          const items: unknown[] = [];
          for (const l of block) {
            const t = l.trimStart();
            if (l.length - t.length !== indent || !t.startsWith('-')) throw COMPLEX;
            const item = stripComment(t.slice(1).trim());
            if (item === '') throw COMPLEX;
            items.push(simpleScalar(item));
          }
          out[key] = items;
        }
      }
      i = j;
    }
  } catch (err) {
    if (err instanceof Complex) return undefined;
    throw err;
  }
  return out;
}

/**
 * The line on which the quoted scalar opening at `lines[first][start]` closes. Throws Complex
 * when it does not close, when something other than a comment follows it, or when a line inside
 * it is a document marker (`---`/`...` at column 0: an error in PyYAML).
 */
function quotedScalarEnd(lines: Lines, first: number, start: number): number {
  const q = lines.get(first)[start];
  let pos = start + 1;
  for (let j = first; j < lines.length; j++, pos = 0) {
    const l = lines.get(j);
    if (j > first && /^(---|\.\.\.)(\s|$)/.test(l)) throw COMPLEX;
    const k = closingQuote(l, pos, q);
    if (k >= 0) {
      if (!/^\s*(#.*)?$/.test(l.slice(k + 1)) || (l[k + 1] === '#')) throw COMPLEX;
      return j;
    }
  }
  throw COMPLEX;
}

/** True when the quoted scalar that starts `v` is closed on this line. */
function isClosedQuoted(v: string): boolean {
  return closingQuote(v, 1, v[0]) >= 0;
}

/** Index keys of one file (without include resolution): line scan, else full parse. `text`: its content, when already read. */
export function scanIndexKeys(file: string, text: string = readFileSync(file, 'utf8')): YamlDict {
  const scanned = scanIndexKeysText(text, file);
  if (scanned) return scanned;
  const full = parseYaml(text, { file: path.resolve(file) }) as YamlDict;
  const out: YamlDict = {};
  for (const k of INDEX_KEYS) if (k in full) out[k] = full[k];
  return out;
}
