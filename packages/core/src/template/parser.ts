/**
 * Jinja2 3.x parser (same grammar and precedence as jinja2/parser.py) producing a small AST.
 *
 * Precedence, loosest first: `x if c else y` < `or` < `and` < `not` < comparisons (`== != < <= > >=
 * in`, `not in`, chained) < `+ -` < `~` < `* / // %` < `**` (left-associative, as in Jinja) <
 * unary `- +` < postfix (`.a`, `[k]`, calls) with filters `|f` and tests `is t`.
 */
import type { Token, TokenType } from './lexer.ts';
import { TemplateSyntaxError } from './errors.ts';

export interface CallArgs {
  args: Expr[];
  kwargs: Array<{ name: string; value: Expr }>;
  dynArgs: Expr | null;
  dynKwargs: Expr | null;
}

export type Expr =
  | { k: 'const'; value: unknown }
  | { k: 'name'; name: string }
  | { k: 'list'; items: Expr[] }
  | { k: 'tuple'; items: Expr[] }
  | { k: 'dict'; pairs: Array<{ key: Expr; value: Expr }> }
  | { k: 'getattr'; obj: Expr; attr: string }
  | { k: 'getitem'; obj: Expr; arg: Expr }
  | { k: 'slice'; start: Expr | null; stop: Expr | null; step: Expr | null }
  | ({ k: 'call'; fn: Expr } & CallArgs)
  | ({ k: 'filter'; node: Expr | null; name: string; pos: number } & CallArgs)
  | ({ k: 'test'; node: Expr; name: string; pos: number } & CallArgs)
  | { k: 'binop'; op: string; left: Expr; right: Expr }
  | { k: 'concat'; items: Expr[] }
  | { k: 'unary'; op: 'neg' | 'pos' | 'not'; node: Expr }
  | { k: 'and' | 'or'; left: Expr; right: Expr }
  | { k: 'compare'; expr: Expr; ops: Array<{ op: string; expr: Expr }> }
  | { k: 'cond'; test: Expr; expr1: Expr; expr2: Expr | null };

export type Target = { k: 'name'; name: string } | { k: 'tuple'; items: Target[] } | { k: 'nsref'; name: string; attr: string };

export type Stmt =
  | { k: 'output'; data: string }
  | { k: 'print'; expr: Expr }
  | { k: 'if'; branches: Array<{ test: Expr; body: Stmt[] }>; else: Stmt[] }
  | { k: 'for'; target: Target; iter: Expr; filter: Expr | null; body: Stmt[]; else: Stmt[]; recursive: boolean }
  | { k: 'set'; target: Target; expr: Expr }
  | { k: 'setblock'; target: Target; filter: Expr | null; body: Stmt[] }
  | { k: 'with'; targets: Target[]; values: Expr[]; body: Stmt[] }
  | { k: 'macro'; name: string; params: string[]; defaults: Expr[]; body: Stmt[] }
  | { k: 'filterblock'; filter: Expr; body: Stmt[] };

const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);

export class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  // ---- token stream -------------------------------------------------------------------------
  private get cur(): Token {
    return this.tokens[this.i];
  }
  private look(): Token {
    return this.tokens[Math.min(this.i + 1, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.tokens[this.i];
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }
  private isOp(v: string, t: Token = this.cur): boolean {
    return t.type === 'operator' && t.value === v;
  }
  private isName(v: string, t: Token = this.cur): boolean {
    return t.type === 'name' && t.value === v;
  }
  private skipOp(v: string): boolean {
    if (this.isOp(v)) {
      this.next();
      return true;
    }
    return false;
  }
  private skipName(v: string): boolean {
    if (this.isName(v)) {
      this.next();
      return true;
    }
    return false;
  }
  fail(msg: string, t: Token = this.cur): never {
    throw new TemplateSyntaxError(msg, this.source, t.pos);
  }
  private describe(t: Token): string {
    if (t.type === 'eof') return 'end of template';
    if (t.type === 'variable_end') return 'end of print statement';
    if (t.type === 'block_end') return 'end of statement block';
    if (t.type === 'name' || t.type === 'operator') return String(t.value);
    return t.type;
  }
  private expectOp(v: string): Token {
    if (!this.isOp(v)) this.fail(`expected token '${v}', got '${this.describe(this.cur)}'`);
    return this.next();
  }
  private expectType(type: TokenType): Token {
    if (this.cur.type !== type) this.fail(`expected token '${type}', got '${this.describe(this.cur)}'`);
    return this.next();
  }
  private expectName(v?: string): string {
    if (this.cur.type !== 'name' || (v !== undefined && this.cur.value !== v)) {
      this.fail(`expected token '${v ?? 'name'}', got '${this.describe(this.cur)}'`);
    }
    return this.next().value as string;
  }

  // ---- template -----------------------------------------------------------------------------
  parseTemplate(): Stmt[] {
    const body = this.subparse(null);
    return body;
  }

  /** Parses statements until a block tag whose name is in `endTags` (left unconsumed) or EOF. */
  private subparse(endTags: string[] | null): Stmt[] {
    const body: Stmt[] = [];
    while (this.cur.type !== 'eof') {
      const t = this.cur;
      if (t.type === 'data') {
        this.next();
        body.push({ k: 'output', data: t.value as string });
      } else if (t.type === 'variable_begin') {
        this.next();
        const expr = this.parseTuple({});
        this.expectType('variable_end');
        body.push({ k: 'print', expr });
      } else if (t.type === 'block_begin') {
        this.next();
        if (endTags && this.cur.type === 'name' && endTags.includes(this.cur.value as string)) return body;
        body.push(...this.parseStatement(endTags));
        this.expectType('block_end');
      } else this.fail(`unexpected '${this.describe(t)}'`);
    }
    if (endTags) this.fail(`Unexpected end of template. Jinja was looking for the following tags: ${endTags.map((e) => `'${e}'`).join(' or ')}.`);
    return body;
  }

  private parseStatement(endTags: string[] | null): Stmt[] {
    const t = this.cur;
    if (t.type !== 'name') this.fail('tag name expected');
    switch (t.value) {
      case 'if':
        return [this.parseIf()];
      case 'for':
        return [this.parseFor()];
      case 'set':
        return [this.parseSet()];
      case 'with':
        return [this.parseWith()];
      case 'macro':
        return [this.parseMacro()];
      case 'filter':
        return [this.parseFilterBlock()];
      case 'print': {
        this.next();
        const items: Stmt[] = [];
        while (this.cur.type !== 'block_end') {
          if (items.length) this.expectOp(',');
          items.push({ k: 'print', expr: this.parseExpression() });
        }
        return items;
      }
      default: {
        const name = String(t.value);
        if (['block', 'extends', 'include', 'import', 'from', 'call', 'autoescape'].includes(name)) {
          this.fail(`the '${name}' tag is not supported by this Jinja implementation`);
        }
        if (endTags) {
          this.fail(`Encountered unknown tag '${name}'. Jinja was looking for the following tags: ${endTags.map((e) => `'${e}'`).join(' or ')}.`);
        }
        if (/^end/.test(name) || name === 'else' || name === 'elif') this.fail(`Encountered unknown tag '${name}'.`);
        this.fail(`Encountered unknown tag '${name}'.`);
      }
    }
  }

  private parseIf(): Stmt {
    this.expectName('if');
    const branches: Array<{ test: Expr; body: Stmt[] }> = [];
    let elseBody: Stmt[] = [];
    let test = this.parseTuple({ withCondexpr: false });
    while (true) {
      this.expectType('block_end');
      const body = this.subparse(['elif', 'else', 'endif']);
      branches.push({ test, body });
      const tag = this.next().value;
      if (tag === 'elif') {
        test = this.parseTuple({ withCondexpr: false });
        continue;
      }
      if (tag === 'else') {
        this.expectType('block_end');
        elseBody = this.subparse(['endif']);
        this.next();
      }
      break;
    }
    return { k: 'if', branches, else: elseBody };
  }

  private parseFor(): Stmt {
    this.expectName('for');
    const target = this.parseAssignTarget({ extraEnd: ['in'] });
    this.expectName('in');
    const iter = this.parseTuple({ withCondexpr: false, extraEnd: ['recursive'] });
    let filter: Expr | null = null;
    if (this.skipName('if')) filter = this.parseExpression();
    const recursive = this.skipName('recursive');
    if (recursive) this.fail('recursive for loops are not supported by this Jinja implementation');
    this.expectType('block_end');
    const body = this.subparse(['endfor', 'else']);
    let elseBody: Stmt[] = [];
    if (this.next().value === 'else') {
      this.expectType('block_end');
      elseBody = this.subparse(['endfor']);
      this.next();
    }
    return { k: 'for', target, iter, filter, body, else: elseBody, recursive };
  }

  private parseSet(): Stmt {
    this.expectName('set');
    const target = this.parseAssignTarget({ withNamespace: true });
    if (this.skipOp('=')) {
      const expr = this.parseTuple({});
      return { k: 'set', target, expr };
    }
    const filter = this.isOp('|') ? this.parseFilter(null) : null;
    this.expectType('block_end');
    const body = this.subparse(['endset']);
    this.next();
    return { k: 'setblock', target, filter, body };
  }

  private parseWith(): Stmt {
    this.expectName('with');
    const targets: Target[] = [];
    const values: Expr[] = [];
    while (this.cur.type !== 'block_end') {
      if (targets.length) this.expectOp(',');
      targets.push(this.parseAssignTarget({}));
      this.expectOp('=');
      values.push(this.parseExpression());
    }
    this.expectType('block_end');
    const body = this.subparse(['endwith']);
    this.next();
    return { k: 'with', targets, values, body };
  }

  private parseMacro(): Stmt {
    this.expectName('macro');
    const name = this.expectName();
    const params: string[] = [];
    const defaults: Expr[] = [];
    this.expectOp('(');
    while (!this.isOp(')')) {
      if (params.length) this.expectOp(',');
      const p = this.expectName();
      if (this.skipOp('=')) defaults.push(this.parseExpression());
      else if (defaults.length) this.fail('non-default argument follows default argument');
      params.push(p);
    }
    this.expectOp(')');
    this.expectType('block_end');
    const body = this.subparse(['endmacro']);
    this.next();
    return { k: 'macro', name, params, defaults, body };
  }

  private parseFilterBlock(): Stmt {
    this.expectName('filter');
    const filter = this.parseFilter(null, true);
    this.expectType('block_end');
    const body = this.subparse(['endfilter']);
    this.next();
    return { k: 'filterblock', filter, body };
  }

  private parseAssignTarget(opts: { extraEnd?: string[]; withNamespace?: boolean }): Target {
    if (opts.withNamespace && this.cur.type === 'name' && this.isOp('.', this.look())) {
      const name = this.expectName();
      this.next();
      const attr = this.expectName();
      return { k: 'nsref', name, attr };
    }
    const expr = this.parseTuple({ simplified: true, extraEnd: opts.extraEnd });
    const toTarget = (e: Expr): Target => {
      if (e.k === 'name') return { k: 'name', name: e.name };
      if (e.k === 'tuple') return { k: 'tuple', items: e.items.map(toTarget) };
      this.fail(`can't assign to '${e.k === 'const' ? 'Const' : e.k}'`);
    };
    return toTarget(expr);
  }

  // ---- expressions --------------------------------------------------------------------------
  private isTupleEnd(extraEnd?: string[]): boolean {
    const t = this.cur;
    if (t.type === 'variable_end' || t.type === 'block_end' || this.isOp(')')) return true;
    if (extraEnd && t.type === 'name' && extraEnd.includes(t.value as string)) return true;
    return false;
  }

  parseTuple(opts: { simplified?: boolean; withCondexpr?: boolean; extraEnd?: string[]; explicitParens?: boolean }): Expr {
    const parse = opts.simplified
      ? () => this.parsePrimary()
      : opts.withCondexpr === false
        ? () => this.parseExpression(false)
        : () => this.parseExpression();
    const items: Expr[] = [];
    let isTuple = false;
    while (true) {
      if (items.length) this.expectOp(',');
      if (this.isTupleEnd(opts.extraEnd)) break;
      items.push(parse());
      if (this.isOp(',')) isTuple = true;
      else break;
    }
    if (!isTuple) {
      if (items.length) return items[0];
      if (!opts.explicitParens) this.fail(`Expected an expression, got '${this.describe(this.cur)}'`);
    }
    return { k: 'tuple', items };
  }

  parseExpression(withCondexpr = true): Expr {
    return withCondexpr ? this.parseCondexpr() : this.parseOr();
  }

  private parseCondexpr(): Expr {
    let expr1 = this.parseOr();
    while (this.skipName('if')) {
      const test = this.parseOr();
      const expr2 = this.skipName('else') ? this.parseCondexpr() : null;
      expr1 = { k: 'cond', test, expr1, expr2 };
    }
    return expr1;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.skipName('or')) left = { k: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.skipName('and')) left = { k: 'and', left, right: this.parseNot() };
    return left;
  }

  private parseNot(): Expr {
    if (this.skipName('not')) return { k: 'unary', op: 'not', node: this.parseNot() };
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const expr = this.parseMath1();
    const ops: Array<{ op: string; expr: Expr }> = [];
    while (true) {
      const t = this.cur;
      if (t.type === 'operator' && COMPARE_OPS.has(t.value as string)) {
        this.next();
        ops.push({ op: t.value as string, expr: this.parseMath1() });
      } else if (this.skipName('in')) {
        ops.push({ op: 'in', expr: this.parseMath1() });
      } else if (this.isName('not') && this.isName('in', this.look())) {
        this.next();
        this.next();
        ops.push({ op: 'notin', expr: this.parseMath1() });
      } else break;
    }
    return ops.length ? { k: 'compare', expr, ops } : expr;
  }

  private parseMath1(): Expr {
    let left = this.parseConcat();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().value as string;
      left = { k: 'binop', op, left, right: this.parseConcat() };
    }
    return left;
  }

  private parseConcat(): Expr {
    const items = [this.parseMath2()];
    while (this.skipOp('~')) items.push(this.parseMath2());
    return items.length === 1 ? items[0] : { k: 'concat', items };
  }

  private parseMath2(): Expr {
    let left = this.parsePow();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const op = this.next().value as string;
      left = { k: 'binop', op, left, right: this.parsePow() };
    }
    return left;
  }

  private parsePow(): Expr {
    let left = this.parseUnary();
    while (this.skipOp('**')) left = { k: 'binop', op: '**', left, right: this.parseUnary() };
    return left;
  }

  private parseUnary(withFilter = true): Expr {
    let node: Expr;
    if (this.skipOp('-')) node = { k: 'unary', op: 'neg', node: this.parseUnary(false) };
    else if (this.skipOp('+')) node = { k: 'unary', op: 'pos', node: this.parseUnary(false) };
    else node = this.parsePrimary();
    node = this.parsePostfix(node);
    if (withFilter) node = this.parseFilterExpr(node);
    return node;
  }

  private parsePrimary(): Expr {
    const t = this.cur;
    if (t.type === 'name') {
      this.next();
      const v = t.value as string;
      if (v === 'true' || v === 'True') return { k: 'const', value: true };
      if (v === 'false' || v === 'False') return { k: 'const', value: false };
      if (v === 'none' || v === 'None') return { k: 'const', value: null };
      return { k: 'name', name: v };
    }
    if (t.type === 'string') {
      let s = '';
      while (this.cur.type === 'string') s += this.next().value as string;
      return { k: 'const', value: s };
    }
    if (t.type === 'integer' || t.type === 'float') {
      this.next();
      return { k: 'const', value: t.value };
    }
    if (this.skipOp('(')) {
      const e = this.parseTuple({ explicitParens: true });
      this.expectOp(')');
      return e;
    }
    if (this.skipOp('[')) {
      const items: Expr[] = [];
      while (!this.isOp(']')) {
        if (items.length) this.expectOp(',');
        if (this.isOp(']')) break;
        items.push(this.parseExpression());
      }
      this.expectOp(']');
      return { k: 'list', items };
    }
    if (this.skipOp('{')) {
      const pairs: Array<{ key: Expr; value: Expr }> = [];
      while (!this.isOp('}')) {
        if (pairs.length) this.expectOp(',');
        if (this.isOp('}')) break;
        const key = this.parseExpression();
        this.expectOp(':');
        pairs.push({ key, value: this.parseExpression() });
      }
      this.expectOp('}');
      return { k: 'dict', pairs };
    }
    this.fail(`unexpected '${this.describe(t)}'`);
  }

  private parsePostfix(node: Expr): Expr {
    while (true) {
      if (this.isOp('.') || this.isOp('[')) node = this.parseSubscript(node);
      else if (this.isOp('(')) node = { k: 'call', fn: node, ...this.parseCallArgs() };
      else return node;
    }
  }

  private parseFilterExpr(node: Expr): Expr {
    while (true) {
      if (this.isOp('|')) node = this.parseFilter(node);
      else if (this.isName('is')) node = this.parseTest(node);
      else if (this.isOp('(')) node = { k: 'call', fn: node, ...this.parseCallArgs() };
      else return node;
    }
  }

  private parseSubscript(node: Expr): Expr {
    const t = this.next();
    if (t.type === 'operator' && t.value === '.') {
      const a = this.next();
      if (a.type === 'name') return { k: 'getattr', obj: node, attr: a.value as string };
      if (a.type !== 'integer') this.fail('expected name or number', a);
      return { k: 'getitem', obj: node, arg: { k: 'const', value: a.value } };
    }
    const args: Expr[] = [];
    while (!this.isOp(']')) {
      if (args.length) this.expectOp(',');
      args.push(this.parseSubscribed());
    }
    this.expectOp(']');
    return { k: 'getitem', obj: node, arg: args.length === 1 ? args[0] : { k: 'tuple', items: args } };
  }

  private parseSubscribed(): Expr {
    const parts: Array<Expr | null> = [];
    if (this.skipOp(':')) parts.push(null);
    else {
      const node = this.parseExpression();
      if (!this.isOp(':')) return node;
      this.next();
      parts.push(node);
    }
    if (this.isOp(':')) parts.push(null);
    else if (!this.isOp(']') && !this.isOp(',')) parts.push(this.parseExpression());
    else parts.push(null);
    if (this.skipOp(':')) {
      if (!this.isOp(']') && !this.isOp(',')) parts.push(this.parseExpression());
      else parts.push(null);
    } else parts.push(null);
    return { k: 'slice', start: parts[0], stop: parts[1], step: parts[2] };
  }

  private parseCallArgs(): CallArgs {
    this.expectOp('(');
    const out: CallArgs = { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
    let requireComma = false;
    const ensure = (ok: boolean) => {
      if (!ok) this.fail('invalid syntax for function call expression');
    };
    while (!this.isOp(')')) {
      if (requireComma) {
        this.expectOp(',');
        if (this.isOp(')')) break;
      }
      if (this.skipOp('*')) {
        ensure(out.dynArgs === null && out.dynKwargs === null);
        out.dynArgs = this.parseExpression();
      } else if (this.skipOp('**')) {
        ensure(out.dynKwargs === null);
        out.dynKwargs = this.parseExpression();
      } else if (this.cur.type === 'name' && this.isOp('=', this.look())) {
        ensure(out.dynKwargs === null);
        const name = this.next().value as string;
        this.next();
        out.kwargs.push({ name, value: this.parseExpression() });
      } else {
        ensure(out.dynArgs === null && out.dynKwargs === null && out.kwargs.length === 0);
        out.args.push(this.parseExpression());
      }
      requireComma = true;
    }
    this.expectOp(')');
    return out;
  }

  private parseFilter(node: Expr | null, startInline = false): Expr {
    while (this.isOp('|') || startInline) {
      if (!startInline) this.next();
      const t = this.cur;
      let name = this.expectName();
      while (this.isOp('.')) {
        this.next();
        name += '.' + this.expectName();
      }
      const call = this.isOp('(') ? this.parseCallArgs() : { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
      node = { k: 'filter', node, name, pos: t.pos, ...call };
      startInline = false;
    }
    return node!;
  }

  private parseTest(node: Expr): Expr {
    this.next(); // 'is'
    const negated = this.skipName('not');
    const t = this.cur;
    let name = this.expectName();
    while (this.isOp('.')) {
      this.next();
      name += '.' + this.expectName();
    }
    let call: CallArgs = { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
    const c = this.cur;
    if (this.isOp('(')) call = this.parseCallArgs();
    else if (
      (c.type === 'name' || c.type === 'string' || c.type === 'integer' || c.type === 'float' || this.isOp('[') || this.isOp('{')) &&
      !(c.type === 'name' && ['else', 'or', 'and'].includes(c.value as string))
    ) {
      if (this.isName('is')) this.fail('You cannot chain multiple tests with is');
      const arg = this.parsePostfix(this.parsePrimary());
      call = { args: [arg], kwargs: [], dynArgs: null, dynKwargs: null };
    }
    const test: Expr = { k: 'test', node, name, pos: t.pos, ...call };
    return negated ? { k: 'unary', op: 'not', node: test } : test;
  }
}
