/**
 * Python `re` on top of JS RegExp (CPython Lib/re, https://docs.python.org/3/library/re.html).
 *
 * A Python pattern is parsed with the rules of CPython's sre_parse and re-emitted as a JS
 * `u`-mode RegExp whose semantics match Python's:
 * - `\w \d \s \b \W \D \S \B` are Unicode-aware (Python `str.isalnum()`+`_`, `isdecimal()`,
 *   `isspace()`), or ASCII under `(?a)`;
 * - `.` excludes only `\n`; `^`/`$` follow Python (`$` also matches before a final `\n`;
 *   under `(?m)` only `\n` separates lines); `\A`, `\Z`;
 * - inline flags `(?imsxa)` (global, anywhere) and scoped `(?i:...)`, `(?-s:...)`;
 * - `(?P<name>…)`, `(?P=name)`, `(?#…)`, octal/`\x`/`\u`/`\U` escapes, `{,n}`, stray `{`;
 * - IGNORECASE as in sre (lowercase equality plus re._casefix's extra cases), including the
 *   `i`/`I`/`İ`/`ı` family that JS case folding keeps apart, and ASCII-only folding under `(?a)`;
 * - look-behinds must be fixed-width, as in Python;
 * - iteration (`findall`, `finditer`, `sub`, `split`) uses Python 3.7+ empty-match rules.
 * Match positions (`start`, `end`, `pos`) are JS string (UTF-16) indices.
 * Checked against CPython 3.11 on regexes harvested from real task files (re.harvested.test.ts).
 *
 * Not translatable (→ LmEvalError naming the pattern): conditionals `(?(1)…)`, atomic groups,
 * possessive quantifiers, `\N{…}`, scoped `(?-i:…)` inside a case-insensitive pattern, and
 * case-insensitive backreferences inside a scoped `(?i:…)` or under `(?a)`.
 * Known differences: a case-insensitive backreference compares by Unicode case folding, Python by
 * lowercase (they differ for `ſ`/`s`, `ς`/`σ`, `µ`/`μ`, `İ`/`i` and a few Greek symbol forms); under
 * a global IGNORECASE, U+0345 (combining ypogegrammeni) counts as a word character; global flags
 * in the middle of a pattern are accepted (Python 3.11 rejects them); iterating a pattern that
 * matches empty at many positions costs O(n²) (Python: O(n)).
 */
import { LmEvalError } from '../errors.ts';
import { PyTuple, strRepr } from './values.ts';

// Python flag bits (re.I, re.L, re.M, re.S, re.U, re.X, re.A).
export const PY_RE_FLAGS = { I: 2, L: 4, M: 8, S: 16, U: 32, X: 64, A: 256 } as const;

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  a: boolean;
}

const FLAG_LETTERS: Record<string, keyof Flags | 'u' | 'L'> = { i: 'i', m: 'm', s: 's', x: 'x', a: 'a', u: 'u', L: 'L' };

/** Python syntax error in a pattern (as `re.error`). */
class PatternError extends Error {}
/** Valid Python, but no JS RegExp equivalent. */
class UntranslatableError extends Error {}

// --- character categories ---------------------------------------------------------------------
// Verified against CPython 3.11 over all code points (differences only for characters assigned
// after Unicode 14).
const UNI_WORD = '\\p{L}\\p{N}_';
const UNI_DIGIT = '\\p{Nd}';
const UNI_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const ASCII_WORD = 'a-zA-Z0-9_';
const ASCII_DIGIT = '0-9';
const ASCII_SPACE = ' \\t\\n\\r\\f\\v';

type Cat = 'd' | 'D' | 's' | 'S' | 'w' | 'W';

function catBody(c: Cat, ascii: boolean): string {
  switch (c.toLowerCase()) {
    case 'd':
      return ascii ? ASCII_DIGIT : UNI_DIGIT;
    case 's':
      return ascii ? ASCII_SPACE : UNI_SPACE;
    default:
      return ascii ? ASCII_WORD : UNI_WORD;
  }
}

function catAtom(c: Cat, ascii: boolean): string {
  const neg = c === c.toUpperCase();
  if (!ascii && c === 'd') return '\\p{Nd}';
  if (!ascii && c === 'D') return '\\P{Nd}';
  return `[${neg ? '^' : ''}${catBody(c, ascii)}]`;
}

function boundary(ascii: boolean, negate: boolean): string {
  const w = `[${ascii ? ASCII_WORD : UNI_WORD}]`;
  if (!negate) return `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
  // Python's \B never matches in an empty string.
  return `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w})(?:(?<=[\\s\\S])|(?=[\\s\\S])))`;
}

// --- literal emission ------------------------------------------------------------------------
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split('').map((c) => c.codePointAt(0)!));
const CLASS_SYNTAX = new Set('\\]-^['.split('').map((c) => c.codePointAt(0)!));

function hexEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function needsHex(cp: number): boolean {
  return cp < 0x20 || cp === 0x7f || cp === 0x2028 || cp === 0x2029 || (cp >= 0xd800 && cp <= 0xdfff);
}

function litOut(cp: number): string {
  if (SYNTAX.has(cp)) return '\\' + String.fromCodePoint(cp);
  if (needsHex(cp)) return hexEscape(cp);
  return String.fromCodePoint(cp);
}

function litIn(cp: number): string {
  if (CLASS_SYNTAX.has(cp)) return '\\' + String.fromCodePoint(cp);
  if (needsHex(cp)) return hexEscape(cp);
  return String.fromCodePoint(cp);
}

// --- case-insensitive matching (Python semantics) ----------------------------------------------
// Under re.IGNORECASE (Unicode), CPython's sre matches a character `ch` against a pattern character
// `c` when lower(ch) is lower(c) or one of its "extra cases" (re._casefix: lowercase letters that
// share an uppercase form). lower() is the simple (one code point) lowercase mapping.
// CPython re._casefix._EXTRA_CASES (3.11).
const EXTRA_CASES: Record<number, number[]> = {
  0x69: [0x131], 0x73: [0x17f], 0xb5: [0x3bc], 0x131: [0x69], 0x17f: [0x73], 0x345: [0x3b9, 0x1fbe],
  0x390: [0x1fd3], 0x3b0: [0x1fe3], 0x3b2: [0x3d0], 0x3b5: [0x3f5], 0x3b8: [0x3d1], 0x3b9: [0x345, 0x1fbe],
  0x3ba: [0x3f0], 0x3bc: [0xb5], 0x3c0: [0x3d6], 0x3c1: [0x3f1], 0x3c2: [0x3c3], 0x3c3: [0x3c2],
  0x3c6: [0x3d5], 0x3d0: [0x3b2], 0x3d1: [0x3b8], 0x3d5: [0x3c6], 0x3d6: [0x3c0], 0x3f0: [0x3ba],
  0x3f1: [0x3c1], 0x3f5: [0x3b5], 0x432: [0x1c80], 0x434: [0x1c81], 0x43e: [0x1c82], 0x441: [0x1c83],
  0x442: [0x1c84, 0x1c85], 0x44a: [0x1c86], 0x463: [0x1c87], 0x1c80: [0x432], 0x1c81: [0x434],
  0x1c82: [0x43e], 0x1c83: [0x441], 0x1c84: [0x442, 0x1c85], 0x1c85: [0x442, 0x1c84], 0x1c86: [0x44a],
  0x1c87: [0x463], 0x1c88: [0xa64b], 0x1e61: [0x1e9b], 0x1e9b: [0x1e61], 0x1fbe: [0x345, 0x3b9],
  0x1fd3: [0x390], 0x1fe3: [0x3b0], 0xa64b: [0x1c88], 0xfb05: [0xfb06], 0xfb06: [0xfb05],
};

/** Simple lowercase mapping (U+0130 is the only character whose full lowercase is longer). */
function simpleLower(cp: number): number {
  if (cp === 0x130) return 0x69;
  const l = String.fromCodePoint(cp).toLowerCase();
  const lc = l.codePointAt(0)!;
  return l.length === String.fromCodePoint(lc).length ? lc : cp;
}

let inverseLower: Map<number, number[]> | undefined;

/** Characters (other than l itself) whose simple lowercase is l. Built on first use. */
function upperPreimages(l: number): number[] {
  if (!inverseLower) {
    inverseLower = new Map();
    // Every cased character is below U+20000.
    for (let cp = 0; cp < 0x20000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const lo = simpleLower(cp);
      if (lo !== cp) {
        const list = inverseLower.get(lo);
        if (list) list.push(cp);
        else inverseLower.set(lo, [cp]);
      }
    }
  }
  return inverseLower.get(l) ?? [];
}

/** Everything a pattern character matches under Python's IGNORECASE (ASCII-only folding under re.A). */
function caseVariants(cp: number, ascii: boolean): number[] {
  if (ascii) {
    if (cp >= 0x41 && cp <= 0x5a) return [cp, cp + 32];
    if (cp >= 0x61 && cp <= 0x7a) return [cp, cp - 32];
    return [cp];
  }
  const lo = simpleLower(cp);
  const out = new Set<number>([cp]);
  for (const l of [lo, ...(EXTRA_CASES[lo] ?? [])]) {
    out.add(l);
    for (const u of upperPreimages(l)) out.add(u);
  }
  return [...out];
}

/**
 * With the JS `iu` flags (Unicode simple case folding) only these four differ from Python: there,
 * `i`, `I`, `İ` (lowercase `i`) and `ı` (an extra case of `i`) all match one another.
 */
const DOTTED_I = [0x49, 0x69, 0x130, 0x131];

// --- translator ------------------------------------------------------------------------------
const DIGITS = /[0-9]/;
const OCT = /[0-7]/;
const HEX = /^[0-9a-fA-F]+$/;
const ASCII_LETTER = /[a-zA-Z]/;
const VERBOSE_WS = ' \t\n\r\v\f';

interface Item {
  src: string;
  kind: 'atom' | 'at' | 'assert' | 'repeat';
  /** Every match of this item starts / ends with a word character (for `\b` peepholes). */
  sw?: boolean;
  ew?: boolean;
  /** A `\b`: the word class it tests. */
  wordBoundary?: string;
  /** Match length bounds in code points (Python getwidth); default 1 for atoms, 0 otherwise. */
  w?: Width;
}

/** [min, max] match length; max may be Infinity. */
type Width = [number, number];

function itemWidth(it: Item): Width {
  return it.w ?? (it.kind === 'atom' ? [1, 1] : [0, 0]);
}

interface Seq {
  src: string;
  sw: boolean;
  ew: boolean;
  w: Width;
}

const UNI_WORD_RE = /^[\p{L}\p{N}_]$/u;
const ASCII_WORD_RE = /^[a-zA-Z0-9_]$/;

function isWordCp(cp: number, ascii: boolean): boolean {
  return (ascii ? ASCII_WORD_RE : UNI_WORD_RE).test(String.fromCodePoint(cp));
}

/**
 * Joins a branch. `\b` next to an item that surely starts (ends) with a word character only needs
 * the other side checked: `(?<!W)` (`(?!W)`), which is much faster than the full two-sided test.
 */
function joinBranch(items: Item[]): string {
  let out = '';
  for (let k = 0; k < items.length; k++) {
    const it = items[k];
    if (it.wordBoundary !== undefined) {
      if (items[k + 1]?.sw) {
        out += `(?<!${it.wordBoundary})`;
        continue;
      }
      if (items[k - 1]?.ew) {
        out += `(?!${it.wordBoundary})`;
        continue;
      }
    }
    out += it.src;
  }
  return out;
}

interface ClassItem {
  kind: 'lit' | 'cat';
  cp?: number;
  cat?: Cat;
}

interface Translation {
  source: string;
  groups: number;
  groupindex: Map<string, number>;
  /** Global flags found in the pattern (`(?i)` etc.). */
  found: Flags;
}

class Translator {
  private pos = 0;
  private groups = 0;
  private readonly names = new Map<string, number>();
  private readonly open = new Set<number>();
  /** Widths of closed groups (for backreferences). */
  private readonly widths = new Map<number, Width>();
  /** Inside a look-behind: the number of groups opened before it. */
  private lookbehindFrom: number | null = null;
  readonly found: Flags = { i: false, m: false, s: false, x: false, a: false };
  /** The JS `i` flag does the case folding (global Unicode IGNORECASE); otherwise variants are spelled out. */
  private readonly jsI: boolean;

  constructor(
    private readonly p: string,
    private readonly global: Flags,
    /** Extra JS capture groups placed before the pattern (shifts backreference numbers). */
    private readonly offset: number,
  ) {
    this.jsI = usesJsIgnoreCase(global);
  }

  run(): Translation {
    const source = this.alternation({ ...this.global }, 0).src;
    if (this.pos < this.p.length) throw new PatternError('unbalanced parenthesis');
    return { source, groups: this.groups, groupindex: this.names, found: this.found };
  }

  private peek(k = 0): string {
    return this.p[this.pos + k] ?? '';
  }

  private eof(): boolean {
    return this.pos >= this.p.length;
  }

  /** Reads one code point. */
  private nextCp(): number {
    const cp = this.p.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private alternation(flags: Flags, depth: number): Seq {
    const branches: string[] = [];
    let sw = true;
    let ew = true;
    let items: Item[] = [];
    let w: Width | undefined;
    const endBranch = () => {
      branches.push(joinBranch(items));
      const bw = items.reduce<Width>((acc, it) => {
        const [lo, hi] = itemWidth(it);
        return [acc[0] + lo, acc[1] + hi];
      }, [0, 0]);
      w = w ? [Math.min(w[0], bw[0]), Math.max(w[1], bw[1])] : bw;
      sw &&= items.length > 0 && items[0].sw === true;
      ew &&= items.length > 0 && items[items.length - 1].ew === true;
      items = [];
    };
    for (;;) {
      if (this.eof()) break;
      const c = this.peek();
      if (c === ')') {
        if (depth === 0) throw new PatternError('unbalanced parenthesis');
        break;
      }
      if (c === '|') {
        this.pos++;
        endBranch();
        continue;
      }
      if (flags.x) {
        if (VERBOSE_WS.includes(c)) {
          this.pos++;
          continue;
        }
        if (c === '#') {
          while (!this.eof() && this.peek() !== '\n') this.pos++;
          continue;
        }
      }
      if (c === '*' || c === '+' || c === '?' || (c === '{' && this.quantBraces() !== null)) {
        this.quantify(items, flags);
        continue;
      }
      const item = this.atom(flags);
      if (item) items.push(item);
    }
    endBranch();
    return { src: branches.join('|'), sw, ew, w: w! };
  }

  /** If `{` at pos starts a valid Python repeat, returns [min, max|'' , length]. */
  private quantBraces(): [string, string, number] | null {
    const m = /^\{([0-9]*)(?:(,)([0-9]*))?\}/.exec(this.p.slice(this.pos, this.pos + 40));
    if (!m || m[0] === '{}') return null;
    const lo = m[1];
    const hi = m[2] ? m[3] : lo;
    return [lo, hi, m[0].length];
  }

  private quantify(items: Item[], flags: Flags): void {
    const last = items[items.length - 1];
    if (!last || last.kind === 'at') throw new PatternError('nothing to repeat');
    if (last.kind === 'repeat') throw new PatternError('multiple repeat');
    let q: string;
    let min = 1;
    let max = Infinity;
    const c = this.peek();
    if (c === '{') {
      const [lo, hi, len] = this.quantBraces()!;
      this.pos += len;
      min = lo === '' ? 0 : Number(lo);
      if (hi !== '' && Number(hi) < min) throw new PatternError('min repeat greater than max repeat');
      if (hi !== '') max = Number(hi);
      q = hi === lo && lo !== '' ? `{${min}}` : `{${min},${hi}}`;
    } else {
      this.pos++;
      q = c;
      if (c !== '+') min = 0;
      if (c === '?') max = 1;
    }
    if (this.peek() === '?') {
      this.pos++;
      q += '?';
    } else if (this.peek() === '+') {
      throw new UntranslatableError('a possessive quantifier');
    }
    void flags;
    const src = last.kind === 'assert' ? `(?:${last.src})` : last.src;
    const keep = min >= 1;
    const [lo, hi] = itemWidth(last);
    const w: Width = [lo * min, hi === 0 || max === 0 ? 0 : hi * max];
    items[items.length - 1] = { src: src + q, kind: 'repeat', sw: keep && last.sw, ew: keep && last.ew, w };
  }

  private lit(cp: number, flags: Flags): Item {
    const w = isWordCp(cp, flags.a);
    if (flags.i) {
      // JS case folding covers everything but the dotted/dotless i family (see DOTTED_I).
      const vs = !this.jsI ? caseVariants(cp, flags.a) : DOTTED_I.includes(cp) ? DOTTED_I : [cp];
      if (vs.length > 1) {
        const vw = w && vs.every((v) => isWordCp(v, flags.a));
        return { src: '[' + vs.map(litIn).join('') + ']', kind: 'atom', sw: vw, ew: vw };
      }
    }
    return { src: litOut(cp), kind: 'atom', sw: w, ew: w };
  }

  private atom(flags: Flags): Item | null {
    const c = this.peek();
    switch (c) {
      case '\\':
        return this.escape(flags);
      case '.':
        this.pos++;
        return { src: flags.s ? '[\\s\\S]' : '[^\\n]', kind: 'atom' };
      case '^':
        this.pos++;
        return { src: flags.m ? '(?<![^\\n])' : '^', kind: 'at' };
      case '$':
        this.pos++;
        return { src: flags.m ? '(?=\\n|$)' : '(?=\\n?$)', kind: 'at' };
      case '[':
        this.pos++;
        return this.charClass(flags);
      case '(':
        this.pos++;
        return this.group(flags);
      default:
        return this.lit(this.nextCp(), flags);
    }
  }

  private hexDigits(n: number, what: string): number {
    const h = this.p.slice(this.pos, this.pos + n);
    if (h.length < n || !HEX.test(h)) throw new PatternError(`incomplete escape \\${what}${h}`);
    this.pos += n;
    const v = parseInt(h, 16);
    if (v > 0x10ffff) throw new PatternError(`bad escape \\${what}${h}`);
    return v;
  }

  private escape(flags: Flags): Item {
    this.pos++; // backslash
    if (this.eof()) throw new PatternError('bad escape (end of pattern)');
    const c = this.peek();
    this.pos++;
    switch (c) {
      case 'A':
        return { src: '^', kind: 'at' };
      case 'Z':
        return { src: '$', kind: 'at' };
      case 'b':
        return { src: boundary(flags.a, false), kind: 'at', wordBoundary: `[${flags.a ? ASCII_WORD : UNI_WORD}]` };
      case 'B':
        return { src: boundary(flags.a, true), kind: 'at' };
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
        return { src: catAtom(c, flags.a), kind: 'atom', sw: c === 'w' || c === 'd', ew: c === 'w' || c === 'd' };
    }
    const simple = this.simpleEscape(c);
    if (simple !== undefined) return this.lit(simple, flags);
    if (c === '0') {
      let digits = '0';
      for (let k = 0; k < 2 && OCT.test(this.peek()); k++) digits += this.p[this.pos++];
      return this.lit(parseInt(digits, 8), flags);
    }
    if (DIGITS.test(c)) {
      let digits = c;
      if (DIGITS.test(this.peek())) {
        digits += this.p[this.pos++];
        if (OCT.test(digits[0]) && OCT.test(digits[1]) && OCT.test(this.peek())) {
          digits += this.p[this.pos++];
          const v = parseInt(digits, 8);
          if (v > 0o377) throw new PatternError(`octal escape value \\${digits} outside of range 0-0o377`);
          return this.lit(v, flags);
        }
      }
      return this.backref(Number(digits), flags);
    }
    if (ASCII_LETTER.test(c)) throw new PatternError(`bad escape \\${c}`);
    this.pos--;
    return this.lit(this.nextCp(), flags);
  }

  /** Escapes that denote one literal code point, shared by patterns and classes; undefined if none. */
  private simpleEscape(c: string): number | undefined {
    switch (c) {
      case 'a':
        return 7;
      case 'f':
        return 12;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'v':
        return 11;
      case '\\':
        return 92;
      case 'x':
        return this.hexDigits(2, 'x');
      case 'u':
        return this.hexDigits(4, 'u');
      case 'U':
        return this.hexDigits(8, 'U');
      case 'N':
        throw new UntranslatableError('a named character escape \\N{...}');
    }
    return undefined;
  }

  private backref(n: number, flags: Flags): Item {
    if (n > this.groups) throw new PatternError(`invalid group reference ${n}`);
    if (this.open.has(n)) throw new PatternError('cannot refer to an open group');
    if (this.lookbehindFrom !== null && n > this.lookbehindFrom) throw new PatternError('cannot refer to group defined in the same lookbehind subpattern');
    if (flags.i && !this.jsI) throw new UntranslatableError(this.global.i ? 'a backreference in an ASCII case-insensitive pattern' : 'a backreference inside a scoped (?i:...) group');
    // Python 3.11 measures a backreference as its group (for the fixed-width look-behind check).
    return { src: `(?:\\${n + this.offset})`, kind: 'atom', w: this.widths.get(n) ?? [0, Infinity] };
  }

  private charClass(flags: Flags): Item {
    const negate = this.peek() === '^';
    if (negate) this.pos++;
    const ranges: [number, number][] = [];
    const cats: Cat[] = [];
    let first = true;
    const readItem = (): ClassItem => {
      if (this.peek() === '\\') {
        this.pos++;
        if (this.eof()) throw new PatternError('bad escape (end of pattern)');
        const c = this.p[this.pos++];
        if ('dDsSwW'.includes(c)) return { kind: 'cat', cat: c as Cat };
        if (c === 'b') return { kind: 'lit', cp: 8 };
        const simple = this.simpleEscape(c);
        if (simple !== undefined) return { kind: 'lit', cp: simple };
        if (OCT.test(c)) {
          let digits = c;
          for (let k = 0; k < 2 && OCT.test(this.peek()); k++) digits += this.p[this.pos++];
          const v = parseInt(digits, 8);
          if (v > 0o377) throw new PatternError(`octal escape value \\${digits} outside of range 0-0o377`);
          return { kind: 'lit', cp: v };
        }
        if (DIGITS.test(c) || ASCII_LETTER.test(c)) throw new PatternError(`bad escape \\${c}`);
        this.pos--;
        return { kind: 'lit', cp: this.nextCp() };
      }
      return { kind: 'lit', cp: this.nextCp() };
    };
    const add = (it: ClassItem) => {
      if (it.kind === 'cat') cats.push(it.cat!);
      else ranges.push([it.cp!, it.cp!]);
    };
    for (;;) {
      if (this.eof()) throw new PatternError('unterminated character set');
      if (this.peek() === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      const a = readItem();
      if (this.peek() === '-') {
        this.pos++;
        if (this.eof()) throw new PatternError('unterminated character set');
        if (this.peek() === ']') {
          this.pos++;
          add(a);
          add({ kind: 'lit', cp: 45 });
          break;
        }
        const b = readItem();
        if (a.kind !== 'lit' || b.kind !== 'lit') throw new PatternError('bad character range');
        if (b.cp! < a.cp!) throw new PatternError('bad character range');
        ranges.push([a.cp!, b.cp!]);
      } else add(a);
    }
    if (flags.i && !this.jsI) {
      // Scoped (?i:...) without a global i flag, or ASCII-only folding: add the case variants explicitly.
      const extra: number[] = [];
      for (const [lo, rangeHi] of ranges) {
        // ASCII folding only pairs ASCII letters.
        const hi = flags.a ? Math.min(rangeHi, 0x7f) : rangeHi;
        if (hi - lo > 0x5000) throw new UntranslatableError('a large character range inside a scoped (?i:...) group');
        for (let cp = lo; cp <= hi; cp++) for (const v of caseVariants(cp, flags.a)) if (v < lo || v > rangeHi) extra.push(v);
      }
      for (const v of extra) ranges.push([v, v]);
    } else if (flags.i && ranges.some(([lo, hi]) => DOTTED_I.some((c) => c >= lo && c <= hi))) {
      for (const c of DOTTED_I) ranges.push([c, c]);
    }
    let body = ranges.map(([lo, hi]) => (lo === hi ? litIn(lo) : `${litIn(lo)}-${litIn(hi)}`)).join('');
    const negCats: string[] = [];
    for (const c of cats) {
      if (c === c.toLowerCase()) body += catBody(c, flags.a);
      else negCats.push(catBody(c, flags.a));
    }
    if (negCats.length === 0) {
      const word = !negate && cats.every((c) => c === 'w' || c === 'd') && ranges.every(([lo, hi]) => hi - lo <= 512 && Array.from({ length: hi - lo + 1 }, (_, k) => lo + k).every((cp) => isWordCp(cp, flags.a)));
      return { src: `[${negate ? '^' : ''}${body}]`, kind: 'atom', sw: word, ew: word };
    }
    if (!body && negCats.length === 1) return { src: `[${negate ? '' : '^'}${negCats[0]}]`, kind: 'atom' };
    // A union with a complemented category cannot be one JS class: use an alternation.
    const parts = (body ? [`[${body}]`] : []).concat(negCats.map((b) => `[^${b}]`));
    const alt = parts.join('|');
    return { src: negate ? `(?:(?!${alt})[\\s\\S])` : `(?:${alt})`, kind: 'atom' };
  }

  private groupName(end: string): string {
    const close = this.p.indexOf(end, this.pos);
    if (close < 0) throw new PatternError('missing group name terminator');
    const name = this.p.slice(this.pos, close);
    this.pos = close + 1;
    if (!/^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u.test(name)) throw new PatternError(`bad character in group name ${strRepr(name)}`);
    return name;
  }

  private capture(flags: Flags, name?: string): Item {
    const n = ++this.groups;
    if (name !== undefined) {
      if (this.names.has(name)) throw new PatternError(`redefinition of group name ${strRepr(name)}`);
      this.names.set(name, n);
    }
    this.open.add(n);
    const inner = this.alternation(flags, 1);
    this.close();
    this.open.delete(n);
    this.widths.set(n, inner.w);
    return { src: name !== undefined ? `(?<${name}>${inner.src})` : `(${inner.src})`, kind: 'atom', sw: inner.sw, ew: inner.ew, w: inner.w };
  }

  private close(): void {
    if (this.peek() !== ')') throw new PatternError('missing ), unterminated subpattern');
    this.pos++;
  }

  private group(flags: Flags): Item | null {
    if (this.peek() !== '?') return this.capture(flags);
    this.pos++;
    const c = this.peek();
    this.pos++;
    switch (c) {
      case ':': {
        const inner = this.alternation(flags, 1);
        this.close();
        return { src: `(?:${inner.src})`, kind: 'atom', sw: inner.sw, ew: inner.ew, w: inner.w };
      }
      case 'P': {
        const d = this.peek();
        this.pos++;
        if (d === '<') return this.capture(flags, this.groupName('>'));
        if (d === '=') {
          const name = this.groupName(')');
          const n = this.names.get(name);
          if (n === undefined) throw new PatternError(`unknown group name ${strRepr(name)}`);
          return this.backref(n, flags);
        }
        throw new PatternError(`unknown extension ?P${d}`);
      }
      case '#': {
        const close = this.p.indexOf(')', this.pos);
        if (close < 0) throw new PatternError('missing ), unterminated comment');
        this.pos = close + 1;
        return null;
      }
      case '=':
      case '!': {
        const inner = this.alternation(flags, 1);
        this.close();
        return { src: `(?${c}${inner.src})`, kind: 'assert' };
      }
      case '<': {
        const d = this.peek();
        if (d !== '=' && d !== '!') throw new PatternError(`unknown extension ?<${d}`);
        this.pos++;
        const outer = this.lookbehindFrom;
        this.lookbehindFrom ??= this.groups;
        const inner = this.alternation(flags, 1);
        this.lookbehindFrom = outer;
        this.close();
        // JS accepts any look-behind; Python only fixed-width ones.
        if (inner.w[0] !== inner.w[1]) throw new PatternError('look-behind requires fixed-width pattern');
        return { src: `(?<${d}${inner.src})`, kind: 'assert' };
      }
      case '(':
        throw new UntranslatableError('a conditional group (?(...)...)');
      case '>':
        throw new UntranslatableError('an atomic group (?>...)');
    }
    if (!(c in FLAG_LETTERS) && c !== '-') throw new PatternError(`unknown extension ?${c}`);
    this.pos--;
    return this.flagGroup(flags);
  }

  private flagGroup(flags: Flags): Item | null {
    const add = new Set<string>();
    const del = new Set<string>();
    while (this.peek() in FLAG_LETTERS) add.add(this.p[this.pos++]);
    if (add.has('L')) throw new PatternError('bad inline flags: cannot use \'L\' flag with a str pattern');
    if (this.peek() === ')') {
      // Global flags. Python 3.11 requires them at the start; older versions applied them to
      // the whole pattern wherever they were. Both mean "global" here.
      this.pos++;
      for (const f of add) if (f !== 'u') this.found[f as keyof Flags] = true;
      return null;
    }
    if (this.peek() === '-') {
      this.pos++;
      while (this.peek() in FLAG_LETTERS) del.add(this.p[this.pos++]);
      if (del.size === 0) throw new PatternError('missing flag');
      if (del.has('a') || del.has('u') || del.has('L')) throw new PatternError("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
      if ([...del].some((f) => add.has(f))) throw new PatternError('bad inline flags: flag turned on and off');
    }
    if (this.peek() !== ':') throw new PatternError('missing :');
    this.pos++;
    const scoped = { ...flags };
    for (const f of add) if (f !== 'u') scoped[f as keyof Flags] = true;
    for (const f of del) scoped[f as keyof Flags] = false;
    if (del.has('i') && this.jsI) throw new UntranslatableError('a scoped (?-i:...) group in a case-insensitive pattern');
    const inner = this.alternation(scoped, 1);
    this.close();
    return { src: `(?:${inner.src})`, kind: 'atom', sw: inner.sw, ew: inner.ew, w: inner.w };
  }
}

function parseFlags(flags: string | number | undefined): Flags {
  const f: Flags = { i: false, m: false, s: false, x: false, a: false };
  if (flags === undefined) return f;
  if (typeof flags === 'number') {
    f.i = (flags & PY_RE_FLAGS.I) !== 0;
    f.m = (flags & PY_RE_FLAGS.M) !== 0;
    f.s = (flags & PY_RE_FLAGS.S) !== 0;
    f.x = (flags & PY_RE_FLAGS.X) !== 0;
    f.a = (flags & PY_RE_FLAGS.A) !== 0;
    return f;
  }
  for (const ch of flags) {
    const k = FLAG_LETTERS[ch];
    if (k === undefined || k === 'L') throw new LmEvalError(`unknown Python regex flag '${ch}' (allowed: i, m, s, x, a, u)`);
    if (k !== 'u') f[k] = true;
  }
  return f;
}

/** Whether the JS RegExp gets the `i` flag: global IGNORECASE with Unicode (not ASCII-only) folding. */
function usesJsIgnoreCase(f: Flags): boolean {
  return f.i && !f.a;
}

function flagBits(f: Flags): number {
  return (f.i ? 2 : 0) | (f.m ? 8 : 0) | (f.s ? 16 : 0) | (f.x ? 64 : 0) | (f.a ? 256 : 32);
}

function translate(pattern: string, flags: Flags, offset: number): Translation & { flags: Flags } {
  let cur = { ...flags };
  // Leading global flags (the only place Python 3.11 allows them) are known before translating.
  let lead = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  let rest = pattern;
  while (lead) {
    for (const ch of lead[1]) if (ch in cur) cur[ch as keyof Flags] = true;
    rest = rest.slice(lead[0].length);
    lead = /^\(\?([aiLmsux]+)\)/.exec(rest);
  }
  for (let pass = 0; pass < 3; pass++) {
    const t = new Translator(pattern, cur, offset).run();
    const merged: Flags = { i: cur.i || t.found.i, m: cur.m || t.found.m, s: cur.s || t.found.s, x: cur.x || t.found.x, a: cur.a || t.found.a };
    if (JSON.stringify(merged) === JSON.stringify(cur)) return { ...t, flags: cur };
    cur = merged;
  }
  throw new Error('unreachable: inline flags did not converge');
}

/** Whether index i falls between a high and a low surrogate. */
function isInsidePair(s: string, i: number): boolean {
  if (i <= 0 || i >= s.length) return false;
  const lo = s.charCodeAt(i);
  const hi = s.charCodeAt(i - 1);
  return lo >= 0xdc00 && lo <= 0xdfff && hi >= 0xd800 && hi <= 0xdbff;
}

// --- replacement templates -------------------------------------------------------------------
type TemplatePart = string | number;

function parseTemplate(repl: string, groups: number, groupindex: Map<string, number>): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let lit = '';
  const push = (g: number) => {
    if (lit) parts.push(lit);
    lit = '';
    parts.push(g);
  };
  let i = 0;
  while (i < repl.length) {
    const ch = repl[i++];
    if (ch !== '\\') {
      lit += ch;
      continue;
    }
    if (i >= repl.length) throw new PatternError('bad escape (end of pattern)');
    const c = repl[i++];
    if (c === 'g') {
      if (repl[i] !== '<') throw new PatternError('missing <');
      const close = repl.indexOf('>', i + 1);
      if (close < 0) throw new PatternError('missing >, unterminated name');
      const name = repl.slice(i + 1, close);
      i = close + 1;
      if (!name) throw new PatternError('missing group name');
      let idx: number;
      if (/^[0-9]+$/.test(name)) idx = Number(name);
      else if (groupindex.has(name)) idx = groupindex.get(name)!;
      else if (/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) throw new PatternError(`unknown group name ${strRepr(name)}`);
      else throw new PatternError(`bad character in group name ${strRepr(name)}`);
      if (idx > groups) throw new PatternError(`invalid group reference ${idx}`);
      push(idx);
    } else if (c === '0') {
      let d = '0';
      for (let k = 0; k < 2 && OCT.test(repl[i] ?? ''); k++) d += repl[i++];
      lit += String.fromCharCode(parseInt(d, 8) & 0xff);
    } else if (DIGITS.test(c)) {
      let d = c;
      if (DIGITS.test(repl[i] ?? '')) {
        d += repl[i++];
        if (OCT.test(d[0]) && OCT.test(d[1]) && OCT.test(repl[i] ?? '')) {
          d += repl[i++];
          const v = parseInt(d, 8);
          if (v > 0o377) throw new PatternError(`octal escape value \\${d} outside of range 0-0o377`);
          lit += String.fromCharCode(v);
          continue;
        }
      }
      const idx = Number(d);
      if (idx > groups) throw new PatternError(`invalid group reference ${idx}`);
      push(idx);
    } else {
      const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
      if (c in simple) lit += simple[c];
      else if (ASCII_LETTER.test(c)) throw new PatternError(`bad escape \\${c}`);
      else lit += '\\' + c; // Python keeps unknown non-letter escapes as written
    }
  }
  if (lit) parts.push(lit);
  return parts;
}

// --- match objects ---------------------------------------------------------------------------

/** Python `re.Match`. Group values are `undefined` where Python has None. */
export class PyMatch {
  private spans?: ([number, number] | undefined)[];

  constructor(
    /** The compiled pattern (Python `m.re`). */
    readonly re: PyPattern,
    /** The searched string (Python `m.string`). */
    readonly string: string,
    private readonly m: RegExpExecArray,
    private readonly offset: number,
    private readonly rerun: () => RegExpExecArray,
    readonly pos: number,
    readonly endpos: number,
  ) {}

  private index(g: number | string): number {
    const n = typeof g === 'string' ? this.re.groupindex[g] : g;
    if (n === undefined || !Number.isInteger(n) || n < 0 || n > this.re.groups) throw new LmEvalError(`no such group: ${String(g)} in regex ${strRepr(this.re.pattern)}`);
    return n;
  }

  /** `m.group(g)` (0 = whole match). */
  group(g: number | string = 0): string | undefined {
    const n = this.index(g);
    return n === 0 ? this.m[0] : this.m[n + this.offset];
  }

  /** `m.groups(default=None)` as a tuple. */
  groups<D = undefined>(defaultValue?: D): PyTuple<string | D> {
    const t = new PyTuple<string | D>();
    for (let i = 1; i <= this.re.groups; i++) t.push(this.m[i + this.offset] ?? (defaultValue as D));
    return t;
  }

  /** `m.groupdict(default=None)`. */
  groupdict<D = undefined>(defaultValue?: D): Record<string, string | D> {
    const out: Record<string, string | D> = {};
    for (const [name, n] of Object.entries(this.re.groupindex)) out[name] = this.m[n + this.offset] ?? (defaultValue as D);
    return out;
  }

  /** `m.span(g)`; (-1, -1) for a group that did not participate. */
  span(g: number | string = 0): [number, number] {
    const n = this.index(g);
    if (n === 0) return [this.m.index, this.m.index + this.m[0].length];
    if (!this.spans) {
      const r = this.rerun();
      this.spans = Array.from({ length: this.re.groups + 1 }, (_, i) => r.indices?.[i === 0 ? 0 : i + this.offset] as [number, number] | undefined);
    }
    return this.spans[n] ?? [-1, -1];
  }

  start(g: number | string = 0): number {
    return this.span(g)[0];
  }

  end(g: number | string = 0): number {
    return this.span(g)[1];
  }

  /** `m.expand(template)`. */
  expand(template: string): string {
    return this.re._expand(this, template);
  }
}

export type PyReplacement = string | ((m: PyMatch) => string);

/** A compiled Python regex (Python `re.Pattern`). */
export class PyPattern {
  /** Python group count. */
  readonly groups: number;
  /** Python `groupindex`: name → group number. */
  readonly groupindex: Readonly<Record<string, number>>;
  /** Python `flags` (bit set; includes inline flags). */
  readonly flags: number;
  /** The translated JS source (for diagnostics). */
  readonly jsSource: string;
  readonly jsFlags: string;
  private readonly search_: RegExp;
  private sticky_?: RegExp;
  private full_?: RegExp;
  private nonEmpty_?: RegExp;
  private readonly indices_ = new Map<RegExp, RegExp>();
  private readonly templates = new Map<string, TemplatePart[]>();

  constructor(
    readonly pattern: string,
    flags?: string | number,
  ) {
    const fail = (msg: string, cause?: unknown): never => {
      throw new LmEvalError(`cannot use Python regex ${strRepr(pattern)}: ${msg}`, 'check the regex in the task YAML or utils', { cause });
    };
    let t!: ReturnType<typeof translate>;
    try {
      t = translate(pattern, parseFlags(flags), 0);
    } catch (e) {
      if (e instanceof PatternError) fail(`invalid pattern (${e.message})`, e);
      if (e instanceof UntranslatableError) fail(`it uses ${e.message}, which has no JavaScript RegExp equivalent`, e);
      throw e;
    }
    this.groups = t.groups;
    this.groupindex = Object.fromEntries(t.groupindex);
    this.flags = flagBits(t.flags);
    this.jsSource = t.source;
    this.jsFlags = usesJsIgnoreCase(t.flags) ? 'iu' : 'u';
    let re: RegExp | undefined;
    try {
      re = new RegExp(t.source, 'g' + this.jsFlags);
    } catch (e) {
      fail(`invalid pattern (${(e as Error).message})`, e);
    }
    this.search_ = re!;
  }

  private get sticky(): RegExp {
    return (this.sticky_ ??= new RegExp(this.jsSource, 'y' + this.jsFlags));
  }

  private get full(): RegExp {
    return (this.full_ ??= new RegExp(`(?:${this.jsSource})$`, 'y' + this.jsFlags));
  }

  /** Sticky regex that only accepts non-empty matches (for Python's must_advance rule). */
  private get nonEmpty(): RegExp {
    if (!this.nonEmpty_) {
      const t = translate(this.pattern, parseFlags(this.flags), 1);
      this.nonEmpty_ = new RegExp(`(?=([\\s\\S]*))(?:${t.source})(?!\\1)`, 'y' + this.jsFlags);
    }
    return this.nonEmpty_;
  }

  private withIndices(re: RegExp): RegExp {
    let r = this.indices_.get(re);
    if (!r) {
      r = new RegExp(re.source, 'dy' + this.jsFlags);
      this.indices_.set(re, r);
    }
    return r;
  }

  private exec(re: RegExp, s: string, at: number, original: string, pos: number, endpos: number): PyMatch | null {
    re.lastIndex = at;
    let m = re.exec(s);
    // V8 can report a match between the two halves of a surrogate pair (seen with patterns made of
    // look-arounds only, such as (?m)^); Python indexes code points, so no match can start there.
    while (m && isInsidePair(s, m.index)) {
      if (re.sticky) return null;
      re.lastIndex = m.index + 1;
      m = re.exec(s);
    }
    if (!m) return null;
    const offset = re === this.nonEmpty_ ? 1 : 0;
    const idx = m.index;
    return new PyMatch(
      this,
      original,
      m,
      offset,
      () => {
        const d = this.withIndices(re);
        d.lastIndex = idx;
        return d.exec(s)!;
      },
      pos,
      endpos,
    );
  }

  private bounds(s: string, pos?: number, endpos?: number): [string, number, number] {
    const end = Math.max(0, Math.min(endpos ?? s.length, s.length));
    const start = Math.max(0, Math.min(pos ?? 0, end));
    return [end < s.length ? s.slice(0, end) : s, start, end];
  }

  /** `pattern.search(string, pos, endpos)`. */
  search(s: string, pos?: number, endpos?: number): PyMatch | null {
    const [t, p, e] = this.bounds(s, pos, endpos);
    return this.exec(this.search_, t, p, s, p, e);
  }

  /** `pattern.match(string, pos, endpos)`: anchored at pos. */
  match(s: string, pos?: number, endpos?: number): PyMatch | null {
    const [t, p, e] = this.bounds(s, pos, endpos);
    return this.exec(this.sticky, t, p, s, p, e);
  }

  /** `pattern.fullmatch(string, pos, endpos)`. */
  fullmatch(s: string, pos?: number, endpos?: number): PyMatch | null {
    const [t, p, e] = this.bounds(s, pos, endpos);
    return this.exec(this.full, t, p, s, p, e);
  }

  /**
   * `pattern.finditer(string)`, with Python 3.7+ rules: after an empty match at p, the next
   * match may start at p only if it is non-empty.
   */
  *finditer(s: string, pos?: number, endpos?: number): Generator<PyMatch> {
    const [t, start, e] = this.bounds(s, pos, endpos);
    let p = start;
    let mustAdvance = false;
    while (p <= t.length) {
      let m: PyMatch | null = null;
      if (mustAdvance) {
        m = this.exec(this.nonEmpty, t, p, s, start, e);
        if (!m) {
          const cp = t.codePointAt(p);
          p += cp !== undefined && cp > 0xffff ? 2 : 1;
          if (p > t.length) return;
        }
      }
      m ??= this.exec(this.search_, t, p, s, start, e);
      if (!m) return;
      yield m;
      const [a, b] = m.span();
      mustAdvance = a === b;
      p = b;
    }
  }

  /** `pattern.findall(string)`: strings (0 or 1 group) or tuples of strings (≥ 2 groups); unmatched groups are "". */
  findall(s: string, pos?: number, endpos?: number): (string | PyTuple<string>)[] {
    const out: (string | PyTuple<string>)[] = [];
    for (const m of this.finditer(s, pos, endpos)) {
      if (this.groups === 0) out.push(m.group(0)!);
      else if (this.groups === 1) out.push(m.group(1) ?? '');
      else out.push(m.groups(''));
    }
    return out;
  }

  /** `pattern.subn(repl, string, count=0)`. */
  subn(repl: PyReplacement, s: string, count = 0): [string, number] {
    let out = '';
    let last = 0;
    let n = 0;
    for (const m of this.finditer(s)) {
      if (count > 0 && n >= count) break;
      const [a, b] = m.span();
      out += s.slice(last, a) + (typeof repl === 'function' ? repl(m) : this._expand(m, repl));
      last = b;
      n++;
    }
    return [out + s.slice(last), n];
  }

  /** `pattern.sub(repl, string, count=0)`: Python template syntax (`\1`, `\g<name>`); `$` is literal. */
  sub(repl: PyReplacement, s: string, count = 0): string {
    return this.subn(repl, s, count)[0];
  }

  /** `pattern.split(string, maxsplit=0)`: groups are included; unmatched ones are `undefined` (None). */
  split(s: string, maxsplit = 0): (string | undefined)[] {
    const out: (string | undefined)[] = [];
    let last = 0;
    let n = 0;
    for (const m of this.finditer(s)) {
      if (maxsplit > 0 && n >= maxsplit) break;
      const [a, b] = m.span();
      out.push(s.slice(last, a));
      for (let i = 1; i <= this.groups; i++) out.push(m.group(i));
      last = b;
      n++;
    }
    out.push(s.slice(last));
    return out;
  }

  /** @internal Expands a Python replacement template for a match. */
  _expand(m: PyMatch, template: string): string {
    let parts = this.templates.get(template);
    if (!parts) {
      try {
        parts = parseTemplate(template, this.groups, new Map(Object.entries(this.groupindex)));
      } catch (e) {
        if (e instanceof PatternError) throw new LmEvalError(`bad replacement ${strRepr(template)} for Python regex ${strRepr(this.pattern)}: ${e.message}`);
        throw e;
      }
      if (this.templates.size > 256) this.templates.clear();
      this.templates.set(template, parts);
    }
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : (m.group(p) ?? '');
    return out;
  }
}

// --- module-level API ------------------------------------------------------------------------
const CACHE_MAX = 512;
const cache = new Map<string, PyPattern>();

/** Python `re.compile(pattern, flags)` (cached). Flags: letters "imsxa" or Python bit values. */
export function compilePyRegex(pattern: string, flags?: string | number): PyPattern {
  const key = `${typeof flags === 'number' ? flags : (flags ?? '')}\u0000${pattern}`;
  let p = cache.get(key);
  if (!p) {
    p = new PyPattern(pattern, flags);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, p);
  }
  return p;
}

type PatternLike = string | PyPattern;
const toPattern = (p: PatternLike, flags?: string | number) => (typeof p === 'string' ? compilePyRegex(p, flags) : p);

/** `re.search(pattern, s, flags)`. */
export function reSearch(pattern: PatternLike, s: string, flags?: string | number): PyMatch | null {
  return toPattern(pattern, flags).search(s);
}

/** `re.match(pattern, s, flags)`. */
export function reMatch(pattern: PatternLike, s: string, flags?: string | number): PyMatch | null {
  return toPattern(pattern, flags).match(s);
}

/** `re.fullmatch(pattern, s, flags)`. */
export function reFullmatch(pattern: PatternLike, s: string, flags?: string | number): PyMatch | null {
  return toPattern(pattern, flags).fullmatch(s);
}

/** `re.findall(pattern, s, flags)`. */
export function reFindall(pattern: PatternLike, s: string, flags?: string | number): (string | PyTuple<string>)[] {
  return toPattern(pattern, flags).findall(s);
}

/** `re.finditer(pattern, s, flags)`. */
export function reFinditer(pattern: PatternLike, s: string, flags?: string | number): Generator<PyMatch> {
  return toPattern(pattern, flags).finditer(s);
}

/** `re.sub(pattern, repl, s, count=0, flags)`. */
export function reSub(pattern: PatternLike, repl: PyReplacement, s: string, count = 0, flags?: string | number): string {
  return toPattern(pattern, flags).sub(repl, s, count);
}

/** `re.subn(pattern, repl, s, count=0, flags)`. */
export function reSubn(pattern: PatternLike, repl: PyReplacement, s: string, count = 0, flags?: string | number): [string, number] {
  return toPattern(pattern, flags).subn(repl, s, count);
}

/** `re.split(pattern, s, maxsplit=0, flags)`. */
export function reSplit(pattern: PatternLike, s: string, maxsplit = 0, flags?: string | number): (string | undefined)[] {
  return toPattern(pattern, flags).split(s, maxsplit);
}

const ESCAPE_CHARS = new Set('()[]{}?*+-|^$\\.&~# \t\n\r\v\f');

/** Python 3.7+ `re.escape(s)`. */
export function reEscape(s: string): string {
  let out = '';
  for (const ch of s) out += ESCAPE_CHARS.has(ch) ? '\\' + ch : ch;
  return out;
}
