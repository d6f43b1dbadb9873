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
import { parseYaml, resolvePlainScalar } from './yaml.ts';

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

function inlineValue(v: string): unknown {
  if (v.startsWith('[')) return flowList(v);
  return simpleScalar(v);
}

/**
 * Scans YAML text for the index keys. Returns undefined when the file needs a full parse.
 */
export function scanIndexKeysText(text: string): YamlDict | undefined {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
  const out: YamlDict = {};
  let seenContent = false;
  try {
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) {
        i++;
        continue;
      }
      if (line[0] === ' ' || line[0] === '\t') {
        // continuation of a key we do not care about (checked below for keys we do)
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
      const rawValue = stripComment(m[4] ?? '');
      if (!INTERESTING.has(key) && (rawValue[0] === '"' || rawValue[0] === "'") && !isClosedQuoted(rawValue)) {
        // a quoted scalar continued on following lines (even at column 0, as PyYAML reads it)
        i = quotedScalarEnd(lines, i, line.length - (m[4] ?? '').length) + 1;
        continue;
      }
      // the lines that belong to this key
      let j = i + 1;
      const block: string[] = [];
      while (j < lines.length) {
        const l = lines[j];
        const t = l.trim();
        if (t === '' || t.startsWith('#')) {
          j++;
          continue;
        }
        if (l[0] === ' ' || l[0] === '\t' || (rawValue === '' && /^- |^-$/.test(l))) {
          block.push(l);
          j++;
          continue;
        }
        break;
      }
      if (!INTERESTING.has(key)) {
        i = j;
        continue;
      }
      if (rawValue !== '') {
        if (block.length > 0) throw COMPLEX; // multi-line value
        out[key] = inlineValue(rawValue);
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
function quotedScalarEnd(lines: string[], first: number, start: number): number {
  const q = lines[first][start];
  let pos = start + 1;
  for (let j = first; j < lines.length; j++, pos = 0) {
    const l = lines[j];
    if (j > first && /^(---|\.\.\.)(\s|$)/.test(l)) throw COMPLEX;
    for (let k = pos; k < l.length; k++) {
      const ch = l[k];
      if (q === '"' && ch === '\\') k++;
      else if (ch === q) {
        if (q === "'" && l[k + 1] === "'") k++;
        else {
          if (!/^\s*(#.*)?$/.test(l.slice(k + 1)) || (l[k + 1] === '#')) throw COMPLEX;
          return j;
        }
      }
    }
  }
  throw COMPLEX;
}

/** True when the quoted scalar that starts `v` is closed on this line. */
function isClosedQuoted(v: string): boolean {
  const q = v[0];
  for (let i = 1; i < v.length; i++) {
    if (q === '"' && v[i] === '\\') i++;
    else if (v[i] === q) {
      if (q === "'" && v[i + 1] === "'") i++;
      else return true;
    }
  }
  return false;
}

/** Index keys of one file (without include resolution): line scan, else full parse. */
export function scanIndexKeys(file: string): YamlDict {
  const text = readFileSync(file, 'utf8');
  const scanned = scanIndexKeysText(text);
  if (scanned) return scanned;
  const full = parseYaml(text, { file: path.resolve(file) }) as YamlDict;
  const out: YamlDict = {};
  for (const k of INDEX_KEYS) if (k in full) out[k] = full[k];
  return out;
}
