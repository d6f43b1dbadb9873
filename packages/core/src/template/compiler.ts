/**
 * Compiles the template AST into JS closures once; rendering then only runs closures.
 *
 * Scoping follows Jinja2: `{% for %}` bodies (one scope per iteration), `{% with %}`, macros and
 * block sets get a child scope whose assignments do not leak out; `{% if %}` has no scope.
 * Name lookup: scopes (innermost first) → render variables (the doc) → globals.
 */
import { PyException, PySlice, isDict, pyIter, pyTypeName, typeError } from '../python/types.ts';
import { dictEntries, makeDict } from '../python/collections.ts';
import { tuple } from '../python/values.ts';
import { TemplateSyntaxError } from './errors.ts';
import { FILTERS, type FilterEnv } from './filters.ts';
import type { CallArgs, Expr, Stmt, Target } from './parser.ts';
import {
  LenientUndef,
  LoopContext,
  Namespace,
  Undef,
  binaryOp,
  callValue,
  compareOp,
  getAttr,
  getItem,
  iterate,
  makeGlobals,
  sliceItem,
  toStr,
  truthy,
  unaryOp,
  undefinedName,
  unpack,
} from './runtime.ts';
import { TESTS } from './tests.ts';

const GLOBALS = makeGlobals();
const BLOCK_VALUE = '\u0000block';

export class Scope {
  readonly vars = new Map<string, unknown>();
  constructor(
    readonly parent: Scope | null,
    readonly doc: Record<string, unknown>,
  ) {}
  lookup(name: string): unknown {
    for (let s: Scope | null = this; s; s = s.parent) {
      if (s.vars.has(name)) return s.vars.get(name);
    }
    if (Object.prototype.hasOwnProperty.call(this.doc, name)) {
      const v = this.doc[name];
      return v === undefined ? null : v;
    }
    if (GLOBALS.has(name)) return GLOBALS.get(name);
    return undefinedName(name);
  }
  child(): Scope {
    return new Scope(this, this.doc);
  }
}

type CExpr = (s: Scope) => unknown;
type CStmt = (s: Scope, out: string[]) => void;

const ENV: FilterEnv = {
  callFilter(name, value, args, kwargs) {
    const f = FILTERS[name];
    if (!f) throw new PyException('TemplateRuntimeError', `No filter named '${name}' found.`);
    return f(ENV, value, args, kwargs);
  },
  callTest(name, value, args, kwargs) {
    const t = TESTS[name];
    if (!t) throw new PyException('TemplateRuntimeError', `No test named '${name}' found.`);
    return t(value, args, kwargs);
  },
};

function has(table: object, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, name);
}

class Compiler {
  /** > 0 inside `{% if %}` and `x if c else y`: unknown filters/tests fail only when reached (Jinja's soft frames). */
  private soft = 0;
  constructor(private readonly source: string) {}

  private fail(msg: string, pos = 0): never {
    throw new TemplateSyntaxError(msg, this.source, pos, 'TemplateAssertionError');
  }

  body(stmts: Stmt[]): CStmt {
    const parts = stmts.map((s) => this.stmt(s));
    if (parts.length === 1) return parts[0];
    return (s, out) => {
      for (const p of parts) p(s, out);
    };
  }

  private stmt(n: Stmt): CStmt {
    switch (n.k) {
      case 'output': {
        const d = n.data;
        return (_s, out) => {
          out.push(d);
        };
      }
      case 'print': {
        const e = this.expr(n.expr);
        return (s, out) => {
          out.push(toStr(e(s)));
        };
      }
      case 'if': {
        this.soft++;
        const branches = n.branches.map((b) => ({ test: this.expr(b.test), body: this.body(b.body) }));
        const elseBody = this.body(n.else);
        this.soft--;
        return (s, out) => {
          for (const b of branches) {
            if (truthy(b.test(s))) {
              b.body(s, out);
              return;
            }
          }
          elseBody(s, out);
        };
      }
      case 'for': {
        const iter = this.expr(n.iter);
        const filter = n.filter ? this.expr(n.filter) : null;
        const body = this.body(n.body);
        const elseBody = this.body(n.else);
        const target = n.target;
        return (s, out) => {
          let items = iterate(iter(s));
          if (filter) {
            items = items.filter((item) => {
              const fs = s.child();
              assign(target, item, fs);
              return truthy(filter(fs));
            });
          }
          if (!items.length) {
            elseBody(s.child(), out);
            return;
          }
          const loop = new LoopContext(items);
          for (let i = 0; i < items.length; i++) {
            loop.index0 = i;
            const ls = s.child();
            ls.vars.set('loop', loop);
            assign(target, items[i], ls);
            body(ls, out);
          }
        };
      }
      case 'set': {
        const e = this.expr(n.expr);
        const target = n.target;
        return (s) => assign(target, e(s), s);
      }
      case 'setblock': {
        const body = this.body(n.body);
        const filter = n.filter ? this.expr(n.filter) : null;
        const target = n.target;
        return (s) => {
          const bs = s.child();
          const buf: string[] = [];
          body(bs, buf);
          let value: unknown = buf.join('');
          if (filter) {
            bs.vars.set(BLOCK_VALUE, value);
            value = filter(bs);
          }
          assign(target, value, s);
        };
      }
      case 'with': {
        const values = n.values.map((v) => this.expr(v));
        const body = this.body(n.body);
        const targets = n.targets;
        return (s, out) => {
          const vals = values.map((v) => v(s));
          const ws = s.child();
          targets.forEach((t, i) => assign(t, vals[i], ws));
          body(ws, out);
        };
      }
      case 'macro': {
        const body = this.body(n.body);
        const defaults = n.defaults.map((d) => this.expr(d));
        const { name, params } = n;
        const firstDefault = params.length - defaults.length;
        return (s) => {
          const macro = {
            __pyTypeName__: 'Macro',
            __pyStr__: () => `<Macro '${name}'>`,
            __call__: (args: unknown[], kwargs: Record<string, unknown>) => {
              const ms = s.child();
              const kw = { ...kwargs };
              params.forEach((p, i) => {
                if (i < args.length) {
                  if (p in kw) throw typeError(`macro '${name}' got multiple values for argument '${p}'`);
                  ms.vars.set(p, args[i]);
                } else if (has(kw, p)) {
                  ms.vars.set(p, kw[p]);
                  delete kw[p];
                } else if (i >= firstDefault) ms.vars.set(p, defaults[i - firstDefault](ms));
                else ms.vars.set(p, new Undef(`parameter '${p}' was not provided`));
              });
              ms.vars.set('varargs', tuple(...args.slice(params.length)));
              ms.vars.set('kwargs', makeDict(Object.entries(kw)));
              const buf: string[] = [];
              body(ms, buf);
              return buf.join('');
            },
          };
          s.vars.set(name, macro);
        };
      }
      case 'filterblock': {
        const body = this.body(n.body);
        const filter = this.expr(n.filter);
        return (s, out) => {
          const bs = s.child();
          const buf: string[] = [];
          body(bs, buf);
          bs.vars.set(BLOCK_VALUE, buf.join(''));
          out.push(toStr(filter(bs)));
        };
      }
    }
  }

  private callArgs(c: CallArgs): (s: Scope) => [unknown[], Record<string, unknown>] {
    const args = c.args.map((a) => this.expr(a));
    const kwargs = c.kwargs.map((k) => ({ name: k.name, value: this.expr(k.value) }));
    const dynArgs = c.dynArgs ? this.expr(c.dynArgs) : null;
    const dynKwargs = c.dynKwargs ? this.expr(c.dynKwargs) : null;
    if (!dynArgs && !dynKwargs && !kwargs.length) {
      return (s) => [args.map((a) => a(s)), {}];
    }
    return (s) => {
      const av = args.map((a) => a(s));
      const kv: Record<string, unknown> = {};
      for (const k of kwargs) kv[k.name] = k.value(s);
      if (dynArgs) {
        const d = dynArgs(s);
        if (d instanceof Undef) d.fail();
        av.push(...pyIter(d));
      }
      if (dynKwargs) {
        const d = dynKwargs(s);
        if (d instanceof Undef) d.fail();
        if (!isDict(d)) throw typeError(`argument after ** must be a mapping, not ${pyTypeName(d)}`);
        for (const [key, v] of dictEntries(d)) {
          if (typeof key !== 'string') throw typeError('keywords must be strings');
          if (has(kv, key)) throw typeError(`got multiple values for keyword argument '${key}'`);
          Object.defineProperty(kv, key, { value: v, enumerable: true, writable: true, configurable: true });
        }
      }
      return [av, kv];
    };
  }

  expr(n: Expr): CExpr {
    switch (n.k) {
      case 'const': {
        const v = n.value;
        return () => v;
      }
      case 'name': {
        const name = n.name;
        return (s) => s.lookup(name);
      }
      case 'list': {
        const items = n.items.map((i) => this.expr(i));
        return (s) => items.map((i) => i(s));
      }
      case 'tuple': {
        const items = n.items.map((i) => this.expr(i));
        return (s) => tuple(...items.map((i) => i(s)));
      }
      case 'dict': {
        const pairs = n.pairs.map((p) => ({ key: this.expr(p.key), value: this.expr(p.value) }));
        return (s) =>
          makeDict(
            pairs.map((p) => {
              const k = p.key(s);
              if (k instanceof Undef) k.fail();
              return [k, p.value(s)] as [unknown, unknown];
            }),
          );
      }
      case 'getattr': {
        const obj = this.expr(n.obj);
        const attr = n.attr;
        return (s) => getAttr(obj(s), attr);
      }
      case 'getitem': {
        const obj = this.expr(n.obj);
        const arg = this.expr(n.arg);
        if (n.arg.k === 'slice') return (s) => sliceItem(obj(s), arg(s));
        return (s) => {
          const o = obj(s);
          return getItem(o, arg(s));
        };
      }
      case 'slice': {
        const none = () => null;
        const start = n.start ? this.expr(n.start) : none;
        const stop = n.stop ? this.expr(n.stop) : none;
        const step = n.step ? this.expr(n.step) : none;
        // An undefined bound is kept: Python then fails with TypeError (slice indices must be
        // integers), not UndefinedError.
        return (s) => new PySlice(start(s), stop(s), step(s));
      }
      case 'call': {
        const fn = this.expr(n.fn);
        const args = this.callArgs(n);
        return (s) => {
          const f = fn(s);
          const [a, k] = args(s);
          return callValue(f, a, k);
        };
      }
      case 'filter': {
        const name = n.name;
        if (!has(FILTERS, name) && !this.soft) this.fail(`No filter named '${name}'.`, n.pos);
        const node = n.node ? this.expr(n.node) : (s: Scope) => s.lookup(BLOCK_VALUE);
        const args = this.callArgs(n);
        return (s) => {
          const v = node(s);
          const [a, k] = args(s);
          return ENV.callFilter(name, v, a, k);
        };
      }
      case 'test': {
        const name = n.name;
        if (!has(TESTS, name) && !this.soft) this.fail(`No test named '${name}'.`, n.pos);
        const node = this.expr(n.node);
        const args = this.callArgs(n);
        return (s) => {
          const v = node(s);
          const [a, k] = args(s);
          return ENV.callTest(name, v, a, k);
        };
      }
      case 'binop': {
        const left = this.expr(n.left);
        const right = this.expr(n.right);
        const op = n.op;
        return (s) => {
          const a = left(s);
          return binaryOp(op, a, right(s));
        };
      }
      case 'concat': {
        const items = n.items.map((i) => this.expr(i));
        return (s) => items.map((i) => toStr(i(s))).join('');
      }
      case 'unary': {
        const node = this.expr(n.node);
        if (n.op === 'not') return (s) => !truthy(node(s));
        const op = n.op;
        return (s) => unaryOp(op, node(s));
      }
      case 'and': {
        const left = this.expr(n.left);
        const right = this.expr(n.right);
        return (s) => {
          const a = left(s);
          return truthy(a) ? right(s) : a;
        };
      }
      case 'or': {
        const left = this.expr(n.left);
        const right = this.expr(n.right);
        return (s) => {
          const a = left(s);
          return truthy(a) ? a : right(s);
        };
      }
      case 'compare': {
        const first = this.expr(n.expr);
        const ops = n.ops.map((o) => ({ op: o.op, expr: this.expr(o.expr) }));
        return (s) => {
          let left = first(s);
          for (const o of ops) {
            const right = o.expr(s);
            if (!compareOp(o.op, left, right)) return false;
            left = right;
          }
          return true;
        };
      }
      case 'cond': {
        this.soft++;
        const test = this.expr(n.test);
        const e1 = this.expr(n.expr1);
        const e2 = n.expr2 ? this.expr(n.expr2) : null;
        this.soft--;
        return (s) => {
          if (truthy(test(s))) return e1(s);
          if (e2) return e2(s);
          return new LenientUndef('the inline if-expression evaluated to false and no else section was defined.');
        };
      }
    }
  }
}

/** Assigns `value` to an assignment target (`x`, `a, b`, `ns.attr`). */
function assign(t: Target, value: unknown, s: Scope): void {
  if (t.k === 'name') {
    s.vars.set(t.name, value);
    return;
  }
  if (t.k === 'tuple') {
    const vals = unpack(value, t.items.length);
    t.items.forEach((it, i) => assign(it, vals[i], s));
    return;
  }
  const ns = s.lookup(t.name);
  if (!(ns instanceof Namespace)) throw new PyException('TemplateRuntimeError', 'cannot assign attribute on non-namespace object');
  ns.attrs.set(t.attr, value);
}

/** Compiles a parsed template into a render function. */
export function compileStatements(stmts: Stmt[], source: string): (doc: Record<string, unknown>) => string {
  const body = new Compiler(source).body(stmts);
  return (doc) => {
    const out: string[] = [];
    body(new Scope(null, doc), out);
    return out.join('');
  };
}
