/**
 * Fingerprints of Python definitions, so a `!function` that points at Python code we ship a TS
 * port of can be recognised by what the code says rather than by where it lives.
 *
 * The source is tokenised roughly as CPython's `tokenize` module does (names, numbers, strings
 * with their prefixes and quotes, operators, NEWLINE / INDENT / DEDENT at logical-line
 * boundaries); comments, blank lines, line continuations inside brackets and the amount of
 * indentation are dropped. Two sources that differ only in whitespace or comments give the same
 * token stream; any other change gives another one.
 *
 * The fingerprint of a top-level name covers its own statement (a `def`/`class` block with its
 * decorators, an assignment, an import) and, transitively, every top-level statement of the same
 * module that defines a name it mentions (helpers, constants, imports). Changing a helper the
 * function calls therefore changes the function's fingerprint; adding an unrelated function to the
 * file does not.
 */
import { createHash } from 'node:crypto';

/** Token kinds that carry structure. */
const NEWLINE = '\n';
const INDENT = '<INDENT>';
const DEDENT = '<DEDENT>';

interface Token {
  text: string;
  /** a NAME token (identifier or keyword) */
  name: boolean;
}

const STRING_PREFIX = /(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?(?:'''|"""|'|")/y;
const NAME_RE = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_]*/uy;
const NUMBER_RE = /(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)/y;

/** Sticky match of `re` at `i`. */
function matchAt(re: RegExp, text: string, i: number): string | undefined {
  re.lastIndex = i;
  const m = re.exec(text);
  return m ? m[0] : undefined;
}
const OPERATORS = ['**=', '//=', '>>=', '<<=', '...', '->', ':=', '**', '//', '<<', '>>', '<=', '>=', '==', '!=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@='];

/** Length of the string literal starting at `i` (prefix included); throws on an unterminated one. */
function stringLength(src: string, i: number, quoteStart: number): number {
  const triple = src.startsWith('"""', quoteStart) || src.startsWith("'''", quoteStart);
  const q = triple ? src.slice(quoteStart, quoteStart + 3) : src[quoteStart];
  let j = quoteStart + q.length;
  while (j < src.length) {
    const ch = src[j];
    if (ch === '\\') {
      j += 2;
      continue;
    }
    if (!triple && ch === '\n') break;
    if (src.startsWith(q, j)) return j + q.length - i;
    j++;
  }
  throw new SyntaxError(`unterminated string literal at offset ${i}`);
}

/** Logical lines of Python source as token lists (comments and layout removed), with indent widths. */
function logicalLines(src: string): Array<{ indent: number; tokens: Token[] }> {
  const text = src.replace(/\r\n?/g, '\n');
  const lines: Array<{ indent: number; tokens: Token[] }> = [];
  let i = 0;
  let depth = 0;
  let current: Token[] = [];
  let indent = 0;
  let atLineStart = true;
  const finish = () => {
    if (current.length) lines.push({ indent, tokens: current });
    current = [];
    atLineStart = true;
  };
  while (i < text.length) {
    if (atLineStart && depth === 0) {
      // measure indentation of a new logical line
      let w = 0;
      let j = i;
      for (; j < text.length; j++) {
        const ch = text[j];
        if (ch === ' ') w++;
        else if (ch === '\t') w = (Math.floor(w / 8) + 1) * 8;
        else if (ch === '\f') w = 0;
        else break;
      }
      indent = w;
      i = j;
      atLineStart = false;
      continue;
    }
    const ch = text[i];
    if (ch === '\n') {
      i++;
      if (depth === 0) finish();
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\f') {
      i++;
      continue;
    }
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '\\' && text[i + 1] === '\n') {
      i += 2; // explicit line joining
      continue;
    }
    const sp = /[rRbBuUfF'"]/.test(ch) ? matchAt(STRING_PREFIX, text, i) : undefined;
    if (sp) {
      const quoteStart = i + sp.length - (sp.endsWith('"""') || sp.endsWith("'''") ? 3 : 1);
      const n = stringLength(text, i, quoteStart);
      current.push({ text: text.slice(i, i + n), name: false });
      i += n;
      continue;
    }
    const nm = matchAt(NAME_RE, text, i);
    if (nm) {
      current.push({ text: nm, name: true });
      i += nm.length;
      continue;
    }
    const num = /[0-9.]/.test(ch) ? matchAt(NUMBER_RE, text, i) : undefined;
    if (num && num !== '.') {
      current.push({ text: num, name: false });
      i += num.length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i)) ?? ch;
    if (op === '(' || op === '[' || op === '{') depth++;
    else if (op === ')' || op === ']' || op === '}') depth = Math.max(0, depth - 1);
    current.push({ text: op, name: false });
    i += op.length;
  }
  finish();
  return lines;
}

/** One top-level statement: its tokens (with INDENT/DEDENT/NEWLINE markers), names defined and mentioned. */
export interface TopLevelStatement {
  tokens: string[];
  defines: Set<string>;
  mentions: Set<string>;
}

const COMPOUND = new Set(['if', 'try', 'with', 'for', 'while', 'async']);

/** Python 3 keywords (never names of definitions). */
const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

function definedNames(lines: Token[][]): Set<string> {
  const out = new Set<string>();
  for (const toks of lines) {
    let k = 0;
    while (k < toks.length && toks[k].text === '@') {
      // a decorator line is its own logical line; nothing defined by it
      return out;
    }
    const first = toks[k]?.text;
    if (first === 'async') k++;
    const kw = toks[k]?.text;
    if (kw === 'def' || kw === 'class') {
      if (toks[k + 1]?.name) out.add(toks[k + 1].text);
      continue;
    }
    if (kw === 'import') {
      // import a.b as c, d
      let j = k + 1;
      while (j < toks.length) {
        const start = j;
        while (j < toks.length && toks[j].text !== ',') j++;
        const part = toks.slice(start, j);
        const asAt = part.findIndex((t) => t.text === 'as');
        if (asAt >= 0 && part[asAt + 1]) out.add(part[asAt + 1].text);
        else if (part[0]?.name) out.add(part[0].text);
        j++;
      }
      continue;
    }
    if (kw === 'from') {
      const imp = toks.findIndex((t) => t.text === 'import');
      const names = toks.slice(imp + 1).filter((t) => t.text !== '(' && t.text !== ')');
      for (let j = 0; j < names.length; j++) {
        if (!names[j].name) continue;
        if (names[j + 1]?.text === 'as') {
          if (names[j + 2]) out.add(names[j + 2].text);
          j += 2;
        } else out.add(names[j].text);
      }
      continue;
    }
    if (KEYWORDS.has(kw ?? '')) continue; // other compound-statement headers (`if x:`, `else:`, ...)
    // assignment targets: names at bracket depth 0 before an `=` (also `x: T = ...`, `x += ...`)
    let depth = 0;
    const before: string[] = [];
    for (const [k2, t] of toks.entries()) {
      if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
      if (depth === 0 && (t.text === '=' || t.text === ':' || /^[-+*/%&|^@]=$|^(\*\*|\/\/|>>|<<)=$/.test(t.text))) {
        for (const n of before) out.add(n);
        break;
      }
      if (t.name && depth === 0 && toks[k2 - 1]?.text !== '.') before.push(t.text);
    }
  }
  return out;
}

/** Splits a module into top-level statements (decorators joined to their def/class). */
export function topLevelStatements(source: string): TopLevelStatement[] {
  const lines = logicalLines(source);
  const statements: Array<{ lines: Array<{ indent: number; tokens: Token[] }> }> = [];
  let pendingDecorators: Array<{ indent: number; tokens: Token[] }> = [];
  let base = lines.length ? lines[0].indent : 0;
  for (const line of lines) {
    if (statements.length === 0 && pendingDecorators.length === 0) base = line.indent;
    if (line.indent <= base) {
      if (line.tokens[0]?.text === '@') {
        pendingDecorators.push(line);
        continue;
      }
      statements.push({ lines: [...pendingDecorators, line] });
      pendingDecorators = [];
    } else if (statements.length) statements[statements.length - 1].lines.push(line);
  }
  if (pendingDecorators.length) statements.push({ lines: pendingDecorators });
  return statements.map(({ lines: ls }) => {
    const tokens: string[] = [];
    const stack = [ls[0].indent];
    for (const l of ls) {
      while (l.indent < stack[stack.length - 1]) {
        stack.pop();
        tokens.push(DEDENT);
      }
      if (l.indent > stack[stack.length - 1]) {
        stack.push(l.indent);
        tokens.push(INDENT);
      }
      for (const t of l.tokens) tokens.push(t.text);
      tokens.push(NEWLINE);
    }
    for (let k = 1; k < stack.length; k++) tokens.push(DEDENT);
    const mentions = new Set<string>();
    for (const l of ls) {
      l.tokens.forEach((t, k) => {
        if (t.name && !KEYWORDS.has(t.text) && l.tokens[k - 1]?.text !== '.') mentions.add(t.text);
      });
    }
    const head = ls.find((l) => l.tokens[0]?.text !== '@')?.tokens ?? [];
    const isCompound = COMPOUND.has(head[0]?.text ?? '') && head[1]?.text !== 'def';
    const defines = definedNames(isCompound ? ls.map((l) => l.tokens) : [ls.find((l) => l.tokens[0]?.text !== '@')?.tokens ?? []]);
    return { tokens, defines, mentions };
  });
}

/** The statements a top-level name depends on (itself first definition order kept), or undefined when not defined. */
export function definitionClosure(statements: TopLevelStatement[], name: string): TopLevelStatement[] | undefined {
  const definers = (n: string) => statements.filter((s) => s.defines.has(n));
  if (definers(name).length === 0) return undefined;
  const included = new Set<TopLevelStatement>();
  const queue = [name];
  const seenNames = new Set<string>();
  while (queue.length) {
    const n = queue.pop() as string;
    if (seenNames.has(n)) continue;
    seenNames.add(n);
    for (const s of definers(n)) {
      if (included.has(s)) continue;
      included.add(s);
      for (const m of s.mentions) if (!seenNames.has(m)) queue.push(m);
    }
  }
  return statements.filter((s) => included.has(s));
}

const HASH_VERSION = 'pydef-v1';

/**
 * Fingerprint (`sha256:<hex>`) of the top-level definition `name` in Python `source`, covering the
 * same-module statements it depends on; undefined when `name` is not defined at top level or the
 * source cannot be tokenised.
 */
export function pythonDefinitionHash(source: string, name: string): string | undefined {
  let statements: TopLevelStatement[];
  try {
    statements = topLevelStatements(source);
  } catch {
    return undefined;
  }
  return definitionHash(statements, name);
}

/** {@link pythonDefinitionHash} over already split statements. */
export function definitionHash(statements: TopLevelStatement[], name: string): string | undefined {
  const closure = definitionClosure(statements, name);
  if (!closure) return undefined;
  const h = createHash('sha256');
  h.update(HASH_VERSION + '\u0000' + name + '\u0000');
  for (const s of closure) h.update(s.tokens.join('\u0001') + '\u0002');
  return 'sha256:' + h.digest('hex');
}

/** Top-level names a module defines (a static check that a `!function` target exists). */
export function pythonTopLevelNames(source: string | TopLevelStatement[]): Set<string> {
  const out = new Set<string>();
  for (const s of typeof source === 'string' ? topLevelStatements(source) : source) for (const n of s.defines) out.add(n);
  return out;
}

/** `@register_filter("name")` classes of a module: filter name -> class name. */
export function pythonRegisteredFilters(source: string | TopLevelStatement[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of typeof source === 'string' ? topLevelStatements(source) : source) {
    const t = s.tokens;
    for (let k = 0; k + 3 < t.length && t[k] === '@'; ) {
      const end = t.indexOf(NEWLINE, k);
      const deco = t.slice(k, end);
      const nameAt = deco.indexOf('register_filter');
      if (nameAt >= 0 && deco[nameAt + 1] === '(' && /^['"]/.test(deco[nameAt + 2] ?? '')) {
        const lit = deco[nameAt + 2];
        const cls = [...s.defines][0];
        if (cls) out.set(lit.slice(1, -1), cls);
      }
      k = end + 1;
    }
  }
  return out;
}
