/**
 * Task YAML parsing with PyYAML (YAML 1.1) scalar semantics.
 *
 * lm-eval loads task files with PyYAML, whose implicit resolvers differ from YAML 1.2 and from
 * the `yaml` package's own 1.1 schema (which e.g. accepts `y`/`n` as booleans and `1e-5` as a
 * float). The resolvers below copy PyYAML's regular expressions and constructors exactly:
 *
 * - bool: yes/no/true/false/on/off in lower, Title and UPPER case (`y`/`n` stay strings);
 * - null: `~`, `null`, `Null`, `NULL`, empty;
 * - float: needs a dot, and an exponent needs a sign (`1e-5` and `1.0e5` are strings), `.inf`,
 *   `.nan`, sexagesimal `1:30.5`; an integral float becomes a {@link PyFloat};
 * - int: decimal, `0x`, `0b`, leading-zero octal (`0777` = 511), underscores, sexagesimal `1:30`;
 * - merge keys `<<` with PyYAML's order (merged keys first; earlier merge sources win), anchors,
 *   duplicate keys (last value wins, first position kept);
 * - timestamps are kept as strings (PyYAML makes `datetime` objects; not used by task files).
 *
 * The custom `!function module.name` tag yields an unresolved {@link FunctionRef}.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { Alias, Document, Node, ScalarTag, Tags } from 'yaml';
import type * as YamlLib from 'yaml';
import { LmEvalError } from '../errors.ts';
import { floatRepr, PyFloat } from '../python/values.ts';

let yamlLib: typeof YamlLib | undefined;

/** The `yaml` package, loaded on first use: the task index reads most files without it (scan.ts). */
function lib(): typeof YamlLib {
  return (yamlLib ??= createRequire(import.meta.url)('yaml') as typeof YamlLib);
}

/** An unresolved `!function <module>.<name>` reference (see functions.ts to resolve it). */
export class FunctionRef {
  constructor(
    /** Everything before the last `.` of the tag text, e.g. `../custom_samplers`. */
    public readonly module: string,
    /** The export name after the last `.`, e.g. `FewshotSampler`. */
    public readonly name: string,
    /** Absolute folder of the YAML file that contains the tag. */
    public readonly yamlDir: string,
    /** The tag text as written, e.g. `../custom_samplers.FewshotSampler`. */
    public readonly raw: string,
    /** Absolute path of the YAML file that contains the tag (for error messages). */
    public readonly yamlFile: string = '',
  ) {}

  toString(): string {
    return `!function ${this.raw}`;
  }
}

export function isFunctionRef(v: unknown): v is FunctionRef {
  return v instanceof FunctionRef;
}

// ---------------------------------------------------------------------------------------------
// PyYAML implicit resolvers (resolver.py) and constructors (constructor.py).

const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const FLOAT_RE = new RegExp(
  '^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?' +
    '|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?' +
    '|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*' +
    '|[-+]?\\.(?:inf|Inf|INF)' +
    '|\\.(?:nan|NaN|NAN))$',
);
const INT_RE = new RegExp(
  '^(?:[-+]?0b[0-1_]+' +
    '|[-+]?0[0-7_]+' +
    '|[-+]?(?:0|[1-9][0-9_]*)' +
    '|[-+]?0x[0-9a-fA-F_]+' +
    '|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$',
);

/** PyYAML `construct_yaml_bool`. */
export function constructBool(text: string): boolean {
  return ['yes', 'true', 'on'].includes(text.toLowerCase());
}

function intFromDigits(digits: string, base: number, sign: number): number | bigint {
  if (digits === '' || !/^[0-9a-fA-F]+$/.test(digits)) throw new Error(`invalid int literal '${digits}'`);
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  const big = BigInt(prefix + digits) * BigInt(sign);
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

/** PyYAML `construct_yaml_int` (Python int; a bigint beyond 2^53). */
export function constructInt(text: string): number | bigint {
  let value = text.replace(/_/g, '');
  let sign = 1;
  if (value[0] === '-') sign = -1;
  if (value[0] === '+' || value[0] === '-') value = value.slice(1);
  if (value === '0') return 0;
  if (value.startsWith('0b')) return intFromDigits(value.slice(2), 2, sign);
  if (value.startsWith('0x')) return intFromDigits(value.slice(2), 16, sign);
  if (value[0] === '0') return intFromDigits(value, 8, sign);
  if (value.includes(':')) {
    let total = 0n;
    for (const part of value.split(':')) total = total * 60n + BigInt(part);
    const big = total * BigInt(sign);
    const n = Number(big);
    return Number.isSafeInteger(n) ? n : big;
  }
  return intFromDigits(value, 10, sign);
}

/** PyYAML `construct_yaml_float` (always a Python float: integral values become PyFloat). */
export function constructFloat(text: string): number | PyFloat {
  let value = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (value[0] === '-') sign = -1;
  if (value[0] === '+' || value[0] === '-') value = value.slice(1);
  let x: number;
  if (value === '.inf') x = sign * Infinity;
  else if (value === '.nan') x = NaN;
  else if (value.includes(':')) {
    let total = 0;
    for (const part of value.split(':')) total = total * 60 + Number(part);
    x = sign * total;
  } else x = sign * Number(value);
  return Number.isInteger(x) ? new PyFloat(x) : x;
}

/** Python value of a *plain* (unquoted, untagged) scalar, resolved the PyYAML way. */
export function resolvePlainScalar(text: string): unknown {
  if (NULL_RE.test(text)) return null;
  if (BOOL_RE.test(text)) return constructBool(text);
  if (INT_RE.test(text)) return constructInt(text);
  if (FLOAT_RE.test(text)) return constructFloat(text);
  return text;
}

const Y = 'tag:yaml.org,2002:';

/** Implicit (plain scalar) resolvers, plus explicit `!!int` etc. variants without a test. */
function scalarTags(): ScalarTag[] {
  const make = (name: string, test: RegExp, resolve: (s: string) => unknown): ScalarTag[] => [
    { tag: Y + name, default: true, test, resolve: (s: string) => resolve(s) } as ScalarTag,
    { tag: Y + name, default: false, resolve: (s: string) => resolve(s) } as ScalarTag,
  ];
  return [
    ...make('null', NULL_RE, () => null),
    ...make('bool', BOOL_RE, constructBool),
    ...make('int', INT_RE, constructInt),
    ...make('float', FLOAT_RE, constructFloat),
  ];
}

function functionTag(yamlDir: string, yamlFile: string): ScalarTag {
  return {
    tag: '!function',
    resolve: (text: string) => {
      const raw = text.trim();
      const dot = raw.lastIndexOf('.');
      if (dot <= 0 || dot === raw.length - 1)
        throw new Error(`!function ${raw}: expected '<module>.<name>'`);
      return new FunctionRef(raw.slice(0, dot), raw.slice(dot + 1), yamlDir, raw, yamlFile);
    },
  } as ScalarTag;
}

function buildTags(yamlDir: string, yamlFile: string) {
  return (defaults: Tags): Tags => {
    const keep = defaults.filter((t) => {
      const tag = (t as { tag?: string }).tag;
      return (
        tag === Y + 'map' ||
        tag === Y + 'seq' ||
        tag === Y + 'str' ||
        tag === Y + 'binary' ||
        tag === Y + 'omap' ||
        tag === Y + 'pairs' ||
        tag === Y + 'set'
      );
    });
    return [...keep, ...scalarTags(), functionTag(yamlDir, yamlFile)];
  };
}

// ---------------------------------------------------------------------------------------------
// Node -> value conversion with PyYAML mapping semantics.

/** Key of a Python dict entry as a JS object key (json.dumps spelling for non-strings). */
function keyString(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k === null || k === undefined) return 'null';
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  if (k instanceof PyFloat) return floatRepr(k.value);
  if (typeof k === 'number') return Number.isInteger(k) ? String(k) : floatRepr(k);
  if (typeof k === 'bigint') return k.toString();
  return String(k);
}

interface Ctx {
  doc: Document.Parsed;
  depth: number;
  /** nodes built so far through aliases (shared across the whole document) */
  aliased: { count: number };
}

/**
 * PyYAML shares one object per anchor, so an alias costs nothing there; we build a copy per
 * alias, so a "billion laughs" document (aliases of aliases) would grow exponentially. Past this
 * many nodes built through aliases the file is refused. Real task files stay far below it (the
 * largest in lm-eval's task tree builds a few hundred).
 */
export const MAX_ALIAS_NODES = 100_000;

function isMergeKey(key: unknown): boolean {
  if (!lib().isScalar(key)) return false;
  if (key.tag === Y + 'merge') return true;
  return key.type === lib().Scalar.PLAIN && key.value === '<<' && !key.tag;
}

function deref(node: unknown, ctx: Ctx): unknown {
  let n = node;
  for (let i = 0; lib().isAlias(n) && i < 100; i++) n = (n as Alias).resolve(ctx.doc);
  return n;
}

/** PyYAML flatten_mapping: returns the pair list with merged pairs first. */
function flattenPairs(map: unknown, ctx: Ctx): Array<[unknown, unknown]> {
  const m = deref(map, ctx);
  if (!lib().isMap(m)) throw new Error('expected a mapping for merging');
  const merged: Array<[unknown, unknown]> = [];
  const own: Array<[unknown, unknown]> = [];
  for (const pair of m.items) {
    if (isMergeKey(pair.key)) {
      const value = deref(pair.value, ctx);
      if (lib().isMap(value)) merged.push(...flattenPairs(value, ctx));
      else if (lib().isSeq(value)) {
        const sub: Array<Array<[unknown, unknown]>> = [];
        for (const item of value.items) {
          const it = deref(item, ctx);
          if (!lib().isMap(it)) throw new Error('expected a mapping for merging, but found a ' + typeof it);
          sub.push(flattenPairs(it, ctx));
        }
        sub.reverse();
        for (const s of sub) merged.push(...s);
      } else throw new Error('expected a mapping or list of mappings for merging');
    } else own.push([pair.key, pair.value]);
  }
  return [...merged, ...own];
}

function toValue(node: unknown, ctx: Ctx, viaAlias = false): unknown {
  if (ctx.depth > 200) throw new Error('YAML nesting too deep (recursive alias?)');
  const throughAlias = viaAlias || lib().isAlias(node);
  if (throughAlias && ++ctx.aliased.count > MAX_ALIAS_NODES) {
    throw new AliasBombError(`aliases expand to more than ${MAX_ALIAS_NODES.toLocaleString('en-US')} nodes (an alias bomb, or "billion laughs")`);
  }
  const n = deref(node, ctx);
  if (n === null || n === undefined) return null;
  if (lib().isScalar(n)) return n.value;
  const inner: Ctx = { doc: ctx.doc, depth: ctx.depth + 1, aliased: ctx.aliased };
  if (lib().isMap(n)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of flattenPairs(n, ctx)) {
      const key = keyString(toValue(k, inner, throughAlias));
      out[key] = toValue(v, inner, throughAlias);
    }
    return out;
  }
  if (lib().isSeq(n)) return n.items.map((x) => toValue(x, inner, throughAlias));
  // Other collections (!!set, !!omap, !!pairs): fall back to the library's JS value.
  return (n as Node).toJS(ctx.doc, { maxAliasCount: -1 });
}

class AliasBombError extends Error {}

/** Zero-width markers of the `yaml` lexer (document start, flow end, scalar); they consume no text. */
const LEXER_MARKERS = new Set(['\x02', '\x18', '\x1f']);

const DOUBLE_QUOTE_OR_ESCAPE = /["\\]/g;

/**
 * Where in `l`, from `pos`, the flow scalar quoted with `q` closes (PyYAML's rules; -1: not in
 * `l`): `\x` is an escape inside double quotes, `''` an escaped quote inside single quotes. The
 * task index's line scan and the parser's quoted-scalar re-indenting both use it.
 */
export function closingQuote(l: string, pos: number, q: string): number {
  if (q === '"') {
    DOUBLE_QUOTE_OR_ESCAPE.lastIndex = pos;
    for (let m = DOUBLE_QUOTE_OR_ESCAPE.exec(l); m; m = DOUBLE_QUOTE_OR_ESCAPE.exec(l)) {
      if (m[0] === '"') return m.index;
      DOUBLE_QUOTE_OR_ESCAPE.lastIndex = m.index + 2;
    }
    return -1;
  }
  for (let k = l.indexOf(q, pos); k >= 0; k = l.indexOf(q, k + 2)) {
    if (l[k + 1] !== q) return k;
  }
  return -1;
}

/** Just past the quote that closes the quoted scalar opening at `start` (-1: not closed). */
function quotedEnd(text: string, start: number): number {
  const k = closingQuote(text, start + 1, text[start]);
  return k < 0 ? -1 : k + 1;
}

/** True when a lexer token that opens a quoted scalar also closes it. */
function isClosedQuoted(token: string): boolean {
  return quotedEnd(token, 0) === token.length;
}

/**
 * PyYAML reads a multi-line quoted scalar whatever the indentation of its continuation lines
 * (scanner.py `scan_flow_scalar_breaks` skips their leading blanks and only refuses a document
 * marker), so task files such as `xnli_eu.yaml` continue a quoted value at column 0. The `yaml`
 * package (YAML 1.2) ends the scalar at the unindented line. As leading blanks of continuation
 * lines never belong to the value, re-indenting them past the opening quote gives the same value
 * and a document the `yaml` package reads.
 */
export function reindentQuotedScalars(text: string): string {
  for (let round = 0; round < 10_000; round++) {
    let offset = 0;
    let broken = -1;
    for (const token of new (lib().Lexer)().lex(text)) {
      if (!LEXER_MARKERS.has(token)) {
        if ((token[0] === '"' || token[0] === "'") && text.startsWith(token, offset) && !isClosedQuoted(token)) {
          broken = offset;
          break;
        }
        offset += token.length;
      }
    }
    if (broken < 0) return text;
    const end = quotedEnd(text, broken);
    if (end < 0) return text; // really unclosed: let the parser report it
    const column = broken - (text.lastIndexOf('\n', broken - 1) + 1);
    const pad = ' '.repeat(column + 1);
    const body = text.slice(broken, end).replace(/\n[ \t]*(?=([^\n]*))/g, (m, rest: string) => {
      if (/^(?:---|\.\.\.)(?:[ \t\r]|$)/.test(rest)) return m; // PyYAML refuses a document marker here too
      return rest === '' || rest === '\r' ? '\n' : '\n' + pad;
    });
    if (body === text.slice(broken, end)) return text;
    text = text.slice(0, broken) + body + text.slice(end);
  }
  return text;
}

export interface ParseYamlOptions {
  /** File name used in error messages and for `!function` references. */
  file?: string;
  /** If false, the top level may be any value (default: must be a mapping). */
  requireMapping?: boolean;
}

/** Line (1-based) of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parses YAML text with PyYAML semantics. Throws LmEvalError with `file:line` on bad YAML. */
export function parseYaml(text: string, options: ParseYamlOptions = {}): unknown {
  const file = options.file ?? '<string>';
  const abs = options.file ? path.resolve(options.file) : '';
  const yamlDir = options.file ? path.dirname(abs) : process.cwd();
  let doc = parseYamlDocument(text, yamlDir, abs);
  if (doc.errors.length > 0) {
    const fixed = reindentQuotedScalars(text);
    if (fixed !== text) {
      const retry = parseYamlDocument(fixed, yamlDir, abs);
      if (retry.errors.length === 0) {
        doc = retry;
        text = fixed;
      }
    }
  }
  const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
  if (problems.length > 0) {
    const e = problems[0];
    const line = e.linePos?.[0]?.line ?? lineOf(text, e.pos[0]);
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new LmEvalError(`${file}:${line}: invalid YAML: ${msg}`, 'Fix the YAML syntax of this file.');
  }
  let value: unknown;
  try {
    value = toValue(doc.contents, { doc, depth: 0, aliased: { count: 0 } });
  } catch (err) {
    if (err instanceof AliasBombError) {
      throw new LmEvalError(`${file}: YAML ${err.message}`, 'refer to each anchor a bounded number of times; this file is refused');
    }
    const range = (doc.contents as { range?: number[] } | null)?.range;
    throw new LmEvalError(
      `${file}:${range ? lineOf(text, range[0]) : 1}: invalid YAML: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
  if (options.requireMapping !== false) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof PyFloat) {
      throw new LmEvalError(
        `${file}: the top level of a task or group YAML file must be a mapping (key: value pairs), not ${describe(value)}`,
      );
    }
  }
  return value;
}

function parseYamlDocument(text: string, yamlDir: string, abs: string): Document.Parsed {
  return lib().parseDocument(text, {
    version: '1.1',
    merge: false,
    uniqueKeys: false,
    customTags: buildTags(yamlDir, abs),
    resolveKnownTags: false,
    prettyErrors: false,
    keepSourceTokens: false,
  });
}

function describe(v: unknown): string {
  if (v === null) return 'an empty document';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v === 'object' ? 'value' : typeof v}`;
}

/** Reads and parses a YAML file whose top level must be a mapping. */
export function loadYamlFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new LmEvalError(`${file}: cannot read YAML file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  return parseYaml(text, { file }) as Record<string, unknown>;
}
