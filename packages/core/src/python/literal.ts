/**
 * A Python literal parser with the semantics of `ast.literal_eval` (never an evaluator):
 * strings (single/double/triple quotes, escapes, r/u/b prefixes, adjacent-literal
 * concatenation), ints (number, or bigint beyond 2^53), floats (integral ones as PyFloat),
 * True/False/None, lists, tuples (PyTuple), dicts, sets, `set()`, unary minus/plus.
 *
 * Values follow values.ts: dicts are plain objects (a Map when a key is not a string, or is an
 * integer-like string whose position JS objects would not keep); sets are JS Sets; bytes
 * literals become JS strings of their byte values (latin-1).
 */
import { PyException, checkHashable } from './types.ts';
import { makeDict } from './collections.ts';
import { PyFloat, tuple } from './values.ts';

function syntaxError(msg: string, pos?: number): PyException {
  return new PyException('SyntaxError', pos === undefined ? msg : `${msg} (at offset ${pos})`);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * Decodes the backslash escapes of a (non-raw) Python string literal body, like the
 * `unicode_escape` codec: `\\ \' \" \a \b \f \n \r \t \v`, octal `\ooo`, `\xhh`, `\uXXXX`,
 * `\UXXXXXXXX`, line continuation; unknown escapes are kept verbatim. With `bytes`, `\u`/`\U`/`\N`
 * are not escapes. `\N{name}` needs the Unicode name database, which JS lacks: it throws.
 */
export function decodePyEscapes(body: string, options: { bytes?: boolean } = {}): string {
  if (!body.includes('\\')) return body;
  let out = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw syntaxError('trailing \\ in string');
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === '\n') {
      i += 2; // line continuation
    } else if (e >= '0' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      const v = parseInt(m, 8);
      out += String.fromCharCode(options.bytes ? v & 0xff : v);
      i += 1 + m.length;
    } else if (e === 'x' || (!options.bytes && (e === 'u' || e === 'U'))) {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + n);
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) {
        throw syntaxError(`(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\${e}${'X'.repeat(n)} escape`);
      }
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw syntaxError("(unicode error) 'unicodeescape' codec can't decode bytes: illegal Unicode character");
      out += String.fromCodePoint(cp);
      i += 2 + n;
    } else if (e === 'N' && !options.bytes) {
      throw syntaxError('\\N{...} escapes are not supported (no Unicode name database); write the character itself');
    } else {
      out += '\\' + e; // unknown escape: kept
      i += 2;
    }
  }
  return out;
}

type Tok =
  | { t: 'str'; v: string; bytes: boolean; pos: number }
  | { t: 'num'; v: unknown; pos: number }
  | { t: 'name'; v: string; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'end'; pos: number };

const NUMBER_RE =
  /(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.(?:\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*[eE][+-]?\d(?:_?\d)*|\d(?:_?\d)*)[jJ]?/y;
const NAME_RE = /[\p{ID_Start}_][\p{ID_Continue}]*/uy;
const STRING_START_RE = /([rRuUbB]|[bB][rR]|[rR][bB])?('''|"""|'|")/y;

function parseNumber(text: string, pos: number): unknown {
  if (/[jJ]$/.test(text)) throw new PyException('ValueError', `complex literals are not supported: ${text}`);
  const clean = text.replace(/_/g, '');
  if (/^0[xXoObB]/.test(clean)) {
    const big = BigInt(clean.toLowerCase());
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  if (/[.eE]/.test(clean)) {
    const x = Number(clean);
    return Number.isInteger(x) ? new PyFloat(x) : x;
  }
  if (/^0+[1-9]/.test(clean)) {
    throw syntaxError('leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers', pos);
  }
  const big = BigInt(clean);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let depth = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\n' ? 2 : 3;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      if (depth === 0 && toks.length && /\S/.test(src.slice(i).replace(/#[^\n]*/g, ''))) {
        throw syntaxError('invalid syntax (newline outside brackets)', i);
      }
      i++;
      continue;
    }
    STRING_START_RE.lastIndex = i;
    const sm = STRING_START_RE.exec(src);
    if (sm) {
      const prefix = (sm[1] ?? '').toLowerCase();
      const q = sm[2];
      let j = i + sm[0].length;
      let body = '';
      let closed = false;
      while (j < src.length) {
        if (src.startsWith(q, j)) {
          closed = true;
          break;
        }
        const ch = src[j];
        if (ch === '\\' && j + 1 < src.length) {
          body += ch + src[j + 1];
          j += 2;
          continue;
        }
        if ((ch === '\n' || ch === '\r') && q.length === 1) break;
        body += ch;
        j++;
      }
      if (!closed) throw syntaxError(q.length === 3 ? 'unterminated triple-quoted string literal' : 'unterminated string literal', i);
      body = body.replace(/\r\n?/g, '\n');
      const raw = prefix.includes('r');
      const bytes = prefix.includes('b');
      if (bytes && /[^\x00-\x7f]/.test(body)) throw syntaxError('bytes can only contain ASCII literal characters', i);
      toks.push({ t: 'str', v: raw ? body : decodePyEscapes(body, { bytes }), bytes, pos: i });
      i = j + q.length;
      continue;
    }
    NUMBER_RE.lastIndex = i;
    const nm = c >= '0' && c <= '9' ? NUMBER_RE.exec(src) : c === '.' && /\d/.test(src[i + 1] ?? '') ? NUMBER_RE.exec(src) : null;
    if (nm) {
      toks.push({ t: 'num', v: parseNumber(nm[0], i), pos: i });
      i += nm[0].length;
      continue;
    }
    NAME_RE.lastIndex = i;
    const id = NAME_RE.exec(src);
    if (id) {
      toks.push({ t: 'name', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
    if ('()[]{},:-+'.includes(c)) {
      toks.push({ t: 'op', v: c, pos: i });
      i++;
      continue;
    }
    throw syntaxError(`invalid character '${c}'`, i);
  }
  toks.push({ t: 'end', pos: src.length });
  return toks;
}

class LiteralParser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
  ) {}

  private peek(): Tok {
    return this.toks[this.i];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.t === 'op' && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) this.fail(`expected '${v}'`);
    this.i++;
  }
  fail(msg: string): never {
    const t = this.peek();
    throw new PyException('ValueError', `malformed node or string: ${msg} at offset ${t.pos} in ${JSON.stringify(this.src)}`);
  }

  parseTop(): unknown {
    if (this.peek().t === 'end') throw syntaxError('invalid syntax (empty expression)');
    const first = this.parseValue();
    let result = first;
    if (this.isOp(',')) {
      const items = [first];
      while (this.isOp(',')) {
        this.i++;
        if (this.peek().t === 'end') break;
        items.push(this.parseValue());
      }
      result = tuple(...items);
    }
    if (this.peek().t !== 'end') this.fail('unexpected token');
    return result;
  }

  private parseValue(): unknown {
    const t = this.peek();
    if (t.t === 'op' && (t.v === '-' || t.v === '+')) {
      this.i++;
      const v = this.parseValue();
      return t.v === '-' ? negate(v, () => this.fail('bad operand for unary -')) : plus(v, () => this.fail('bad operand for unary +'));
    }
    const v = this.parseAtom();
    if (this.isOp('+') || this.isOp('-')) this.fail('binary operators are not literals');
    return v;
  }

  private parseAtom(): unknown {
    const t = this.peek();
    if (t.t === 'str') {
      let s = '';
      const bytes = t.bytes;
      while (this.peek().t === 'str') {
        const u = this.peek() as Extract<Tok, { t: 'str' }>;
        if (u.bytes !== bytes) throw syntaxError('cannot mix bytes and nonbytes literals', u.pos);
        s += u.v;
        this.i++;
      }
      return s;
    }
    if (t.t === 'num') {
      this.i++;
      return t.v;
    }
    if (t.t === 'name') {
      this.i++;
      if (t.v === 'True') return true;
      if (t.v === 'False') return false;
      if (t.v === 'None') return null;
      if (t.v === 'set' && this.isOp('(')) {
        this.i++;
        this.expectOp(')');
        return new Set();
      }
      this.i--;
      this.fail(`name '${t.v}'`);
    }
    if (t.t === 'op') {
      if (t.v === '[') {
        this.i++;
        const items = this.parseSeq(']');
        return items;
      }
      if (t.v === '(') {
        this.i++;
        if (this.isOp(')')) {
          this.i++;
          return tuple();
        }
        const first = this.parseValue();
        if (this.isOp(')')) {
          this.i++;
          return first; // parenthesized value
        }
        this.expectOp(',');
        const rest = this.parseSeq(')');
        return tuple(first, ...rest);
      }
      if (t.v === '{') {
        this.i++;
        if (this.isOp('}')) {
          this.i++;
          return {};
        }
        const k = this.parseValue();
        if (this.isOp(':')) {
          this.i++;
          const pairs: Array<[unknown, unknown]> = [[k, this.parseValue()]];
          while (this.isOp(',')) {
            this.i++;
            if (this.isOp('}')) break;
            const key = this.parseValue();
            this.expectOp(':');
            pairs.push([key, this.parseValue()]);
          }
          this.expectOp('}');
          return makeDict(pairs);
        }
        const items = [k];
        while (this.isOp(',')) {
          this.i++;
          if (this.isOp('}')) break;
          items.push(this.parseValue());
        }
        this.expectOp('}');
        const set = new Set<unknown>();
        for (const x of items) {
          checkHashable(x);
          set.add(x);
        }
        return set;
      }
    }
    this.fail('unexpected token');
  }

  /** Items up to `close` (already past the opening bracket); allows a trailing comma. */
  private parseSeq(close: string): unknown[] {
    const items: unknown[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseValue());
      if (this.isOp(',')) this.i++;
      else if (!this.isOp(close)) this.fail(`expected ',' or '${close}'`);
    }
    this.i++;
    return items;
  }
}

// literal_eval accepts unary +/- only on int/float/complex constants (not bools).
function negate(v: unknown, fail: () => never): unknown {
  if (typeof v === 'bigint') {
    const r = -v;
    return r >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : r;
  }
  if (typeof v === 'number') return v === 0 && Number.isInteger(v) ? 0 : -v;
  if (v instanceof PyFloat) return new PyFloat(-v.value);
  return fail();
}

function plus(v: unknown, fail: () => never): unknown {
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof PyFloat) return v;
  return fail();
}

/** A decimal int literal below 2^53 (what most label columns render to). */
const SMALL_INT_RE = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * Parses a Python literal (`ast.literal_eval` semantics). Throws a PyException (ValueError or
 * SyntaxError) for anything that is not a literal.
 */
export function parsePythonLiteral(text: string): unknown {
  // the common case (a label index such as "2"): a decimal int below 2^53, no tokenizer needed
  if (SMALL_INT_RE.test(text)) return Number(text);
  // literal_eval strips leading spaces and tabs before parsing in 'eval' mode
  const src = text.replace(/^[ \t]+/, '');
  return new LiteralParser(tokenize(src), text).parseTop();
}
