/**
 * Jinja2 3.x lexer for the default delimiters (`{{ }}`, `{% %}`, `{# #}`), no line statements,
 * `trim_blocks`/`lstrip_blocks` off, `keep_trailing_newline=True`.
 *
 * Mirrors Jinja's quirks:
 * - newlines `\r\n`/`\r` become `\n` everywhere in the source (also inside string literals);
 * - `{{-`/`{%-`/`{#-` strip all preceding whitespace, `-}}`/`-%}`/`-#}` all following whitespace
 *   (the sign is part of the opening delimiter: `{{-1}}` strips and prints 1);
 * - `}}`/`%}` only close a tag while no bracket is open (`{{ {'a': {'b': 1}} }}`);
 * - string literals are decoded like `s.encode('ascii', 'backslashreplace').decode('unicode-escape')`;
 * - `{% raw %}…{% endraw %}` yields data verbatim.
 */
import { decodePyEscapes } from '../python/literal.ts';
import { PyFloat } from '../python/values.ts';
import { PY_WHITESPACE } from '../python/str-methods.ts';
import { TemplateSyntaxError } from './errors.ts';

export type TokenType =
  | 'data'
  | 'variable_begin'
  | 'variable_end'
  | 'block_begin'
  | 'block_end'
  | 'name'
  | 'string'
  | 'integer'
  | 'float'
  | 'operator'
  | 'eof';

export interface Token {
  type: TokenType;
  value: unknown;
  /** Offset in the normalized source (for error messages). */
  pos: number;
}

const WS_CLASS = PY_WHITESPACE.replace(/[\]\\^-]/g, '\\$&');
const TRAILING_WS = new RegExp(`[${WS_CLASS}]+$`);

/** Python `str.rstrip()` (Unicode whitespace). */
export function rstripPy(s: string): string {
  return s.replace(TRAILING_WS, '');
}

const BEGIN_RE = /\{\{|\{%|\{#/g;
const RAW_BEGIN_RE = new RegExp(`\\{%[-+]?[${WS_CLASS}]*raw[${WS_CLASS}]*(?:-%\\}[${WS_CLASS}]*|%\\})`, 'y');
const RAW_END_RE = new RegExp(`\\{%([-+]?)[${WS_CLASS}]*endraw[${WS_CLASS}]*(?:\\+%\\}|-%\\}[${WS_CLASS}]*|%\\})`, 'g');
const COMMENT_END_RE = new RegExp(`\\+#\\}|-#\\}[${WS_CLASS}]*|#\\}`, 'g');
const VAR_END_RE = new RegExp(`-\\}\\}[${WS_CLASS}]*|\\}\\}`, 'y');
const BLOCK_END_RE = new RegExp(`\\+%\\}|-%\\}[${WS_CLASS}]*|%\\}`, 'y');
const WS_RE = new RegExp(`[${WS_CLASS}]+`, 'y');
const FLOAT_RE = /(?<!\.)(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?[eE][+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/y;
const INTEGER_RE = /0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[0-9a-fA-F])+|[1-9](?:_?\d)*|0(?:_?0)*/y;
// Jinja 3 names: Python's \w plus identifier-continue marks (digits are taken by the number rules first).
const NAME_RE = /[\p{L}\p{N}\p{M}\p{Pc}\u00b7\u0387\u2118\u212e\u309b\u309c]+/uy;
const STRING_RE = /'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)"/sy;
const OPERATOR_RE = /\/\/|\*\*|==|!=|>=|<=|[-+/*%~[\](){}<>=.:|,;]/y;

const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * Decodes a Jinja string literal body: Jinja runs `encode('ascii', 'backslashreplace')` before
 * `decode('unicode-escape')`, so a backslash directly before a non-ASCII character yields a
 * backslash followed by that character's escape text (`\é` → `\xe9`).
 */
export function decodeJinjaString(body: string): string {
  if (!body.includes('\\')) return body;
  let pre = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      const next = body.codePointAt(i + 1);
      if (next !== undefined && next > 0x7f) {
        const ch = String.fromCodePoint(next);
        const esc = next <= 0xff ? 'x' + next.toString(16).padStart(2, '0') : next <= 0xffff ? 'u' + next.toString(16).padStart(4, '0') : 'U' + next.toString(16).padStart(8, '0');
        pre += '\\\\' + esc; // decodes to a backslash followed by the escape text
        i += ch.length;
        continue;
      }
      pre += c + (body[i + 1] ?? '');
      i++;
      continue;
    }
    pre += c;
  }
  return decodePyEscapes(pre);
}

export function tokenize(source: string): Token[] {
  const src = source.replace(/\r\n|\r/g, '\n');
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < src.length) {
    BEGIN_RE.lastIndex = pos;
    const m = BEGIN_RE.exec(src);
    if (!m) {
      tokens.push({ type: 'data', value: src.slice(pos), pos });
      break;
    }
    let text = src.slice(pos, m.index);
    const sign = src[m.index + 2];
    if (sign === '-') text = rstripPy(text);

    if (m[0] === '{%') {
      RAW_BEGIN_RE.lastIndex = m.index;
      const rm = RAW_BEGIN_RE.exec(src);
      if (rm) {
        if (text) tokens.push({ type: 'data', value: text, pos });
        const start = m.index + rm[0].length;
        RAW_END_RE.lastIndex = start;
        const em = RAW_END_RE.exec(src);
        if (!em) throw new TemplateSyntaxError('Missing end of raw directive', src, m.index);
        let content = src.slice(start, em.index);
        if (em[1] === '-') content = rstripPy(content);
        if (content) tokens.push({ type: 'data', value: content, pos: start });
        pos = em.index + em[0].length;
        continue;
      }
    }
    if (text) tokens.push({ type: 'data', value: text, pos });
    let p = m.index + 2 + (sign === '-' || sign === '+' ? 1 : 0);

    if (m[0] === '{#') {
      COMMENT_END_RE.lastIndex = p;
      const cm = COMMENT_END_RE.exec(src);
      if (!cm) throw new TemplateSyntaxError('Missing end of comment tag', src, m.index);
      pos = cm.index + cm[0].length;
      continue;
    }

    const isVar = m[0] === '{{';
    tokens.push({ type: isVar ? 'variable_begin' : 'block_begin', value: m[0], pos: m.index });
    const endRe = isVar ? VAR_END_RE : BLOCK_END_RE;
    const balance: string[] = [];
    let closed = false;
    while (p < src.length) {
      if (!balance.length) {
        endRe.lastIndex = p;
        const e = endRe.exec(src);
        if (e) {
          tokens.push({ type: isVar ? 'variable_end' : 'block_end', value: e[0], pos: p });
          p += e[0].length;
          closed = true;
          break;
        }
      }
      WS_RE.lastIndex = p;
      const ws = WS_RE.exec(src);
      if (ws) {
        p += ws[0].length;
        continue;
      }
      FLOAT_RE.lastIndex = p;
      const f = FLOAT_RE.exec(src);
      if (f) {
        const x = Number(f[0].replace(/_/g, ''));
        tokens.push({ type: 'float', value: Number.isInteger(x) ? new PyFloat(x) : x, pos: p });
        p += f[0].length;
        continue;
      }
      INTEGER_RE.lastIndex = p;
      const n = INTEGER_RE.exec(src);
      if (n) {
        const big = BigInt(n[0].replace(/_/g, '').replace(/^0+(?=\d)/, '').toLowerCase());
        tokens.push({ type: 'integer', value: big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big, pos: p });
        p += n[0].length;
        continue;
      }
      NAME_RE.lastIndex = p;
      const nm = NAME_RE.exec(src);
      if (nm) {
        tokens.push({ type: 'name', value: nm[0], pos: p });
        p += nm[0].length;
        continue;
      }
      STRING_RE.lastIndex = p;
      const s = STRING_RE.exec(src);
      if (s) {
        const body = s[1] ?? s[2];
        let value: string;
        try {
          value = decodeJinjaString(body);
        } catch (err) {
          throw new TemplateSyntaxError((err as Error).message, src, p);
        }
        tokens.push({ type: 'string', value, pos: p });
        p += s[0].length;
        continue;
      }
      OPERATOR_RE.lastIndex = p;
      const op = OPERATOR_RE.exec(src);
      if (op) {
        const o = op[0];
        if (o === '(' || o === '[' || o === '{') balance.push(o);
        else if (o in CLOSERS) {
          if (!balance.length) throw new TemplateSyntaxError(`unexpected '${o}'`, src, p);
          const open = balance.pop()!;
          if (open !== CLOSERS[o]) {
            const want = open === '(' ? ')' : open === '[' ? ']' : '}';
            throw new TemplateSyntaxError(`unexpected '${o}', expected '${want}'`, src, p);
          }
        }
        tokens.push({ type: 'operator', value: o, pos: p });
        p += o.length;
        continue;
      }
      throw new TemplateSyntaxError(`unexpected char ${JSON.stringify(src[p])}`, src, p);
    }
    if (!closed) {
      throw new TemplateSyntaxError(
        balance.length ? `unexpected end of template, expected '${balance[balance.length - 1] === '(' ? ')' : balance[balance.length - 1] === '[' ? ']' : '}'}'` : `unexpected end of template, expected end of ${isVar ? 'print statement' : 'statement block'}`,
        src,
        p,
      );
    }
    pos = p;
  }
  tokens.push({ type: 'eof', value: null, pos: src.length });
  return tokens;
}
