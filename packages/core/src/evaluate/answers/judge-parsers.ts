/**
 * Parsers of a judge's reply: text → score, or null when the reply cannot be read (recorded as
 * None, counted, never a silent 0). Registry keyed by the names `judge_parser:` uses; a parser
 * spec is a name or a mapping `{type: <name>, ...options}`.
 *
 *  - `binary`: the last standalone number of the reply (a denominator as in `8/10` is skipped);
 *    must be 0 or 1.
 *  - `number`: the last standalone number (int or decimal) of the reply; `min`/`max` bound it (outside → null).
 *  - `json`: the last `{...}` object of the reply parsed as JSON; its `key` (default `score`)
 *    must hold a number or a boolean (true = 1); `min`/`max` as for `number`.
 */
import { LmEvalError } from '../../errors.ts';
import { isPlainObject } from '../../python/values.ts';
import { defaultRegistry } from '../../registry/registry.ts';
import { activeRegistry } from '../../registry/active.ts';

export interface ParserOptions {
  min?: number;
  max?: number;
  key?: string;
}

export type ReplyParser = (reply: string, options: ParserOptions) => number | null;

export interface ParserSpec extends ParserOptions {
  type: string;
}

/** a standalone number; one right after '/' is a denominator (`8/10`) and is skipped */
const NUMBER = /(?<![\w./])[-+]?\d+(?:\.\d+)?(?!\w)/g;

function inRange(x: number, o: ParserOptions): number | null {
  if (!Number.isFinite(x)) return null;
  if (o.min !== undefined && x < o.min) return null;
  if (o.max !== undefined && x > o.max) return null;
  return x;
}

function lastNumber(reply: string): number | null {
  const all = reply.match(NUMBER);
  return all ? Number(all[all.length - 1]) : null;
}

const binary: ReplyParser = (reply) => {
  const x = lastNumber(reply);
  return x === 0 || x === 1 ? x : null;
};

const number: ReplyParser = (reply, o) => {
  const x = lastNumber(reply);
  return x === null ? null : inRange(x, o);
};

const json: ReplyParser = (reply, o) => {
  const key = o.key ?? 'score';
  // the last balanced-looking object: scan back from each '}' to a '{' that parses
  // (lastIndexOf with a negative position searches position 0 again: stop at 0 explicitly)
  for (let end = reply.lastIndexOf('}'); end >= 0; end = end === 0 ? -1 : reply.lastIndexOf('}', end - 1)) {
    for (let start = reply.lastIndexOf('{', end); start >= 0; start = start === 0 ? -1 : reply.lastIndexOf('{', start - 1)) {
      let v: unknown;
      try {
        v = JSON.parse(reply.slice(start, end + 1));
      } catch {
        continue;
      }
      if (!isPlainObject(v)) continue;
      const s = (v as Record<string, unknown>)[key];
      if (typeof s === 'boolean') return s ? 1 : 0;
      if (typeof s === 'number') return inRange(s, o);
      if (typeof s === 'string' && s.trim() !== '' && Number.isFinite(Number(s))) return inRange(Number(s), o);
      return null;
    }
  }
  return null;
};

/** Registers (or replaces) a reply parser, process-wide (see `createRegistry` for a registry of your own). */
export function registerReplyParser(name: string, parser: ReplyParser): void {
  defaultRegistry.registerReplyParser(name, parser);
}

registerReplyParser('binary', binary);
registerReplyParser('number', number);
registerReplyParser('json', json);

export function replyParserNames(): string[] {
  return activeRegistry().replyParsers.names();
}

/** A `judge_parser:` value (name or mapping) as a spec; `where` names the field for errors. */
export function parserSpecOf(value: unknown, where: string): ParserSpec {
  const spec: Record<string, unknown> = typeof value === 'string' ? { type: value } : isPlainObject(value) ? { ...value } : {};
  if (typeof spec.type !== 'string' || !activeRegistry().replyParsers.has(spec.type)) {
    throw new LmEvalError(
      `${where}: ${JSON.stringify(value)} is not a judge reply parser`,
      `use one of ${replyParserNames().join(', ')}, or a mapping like {type: number, min: 1, max: 10} / {type: json, key: score}`,
    );
  }
  for (const k of Object.keys(spec)) {
    if (!['type', 'min', 'max', 'key'].includes(k)) throw new LmEvalError(`${where}: unknown parser option '${k}'`, 'parser options: type, min, max, key');
  }
  for (const k of ['min', 'max'] as const) {
    if (spec[k] !== undefined && typeof spec[k] !== 'number') throw new LmEvalError(`${where}.${k}: expected a number, got ${JSON.stringify(spec[k])}`);
  }
  if (spec.key !== undefined && typeof spec.key !== 'string') throw new LmEvalError(`${where}.key: expected a string, got ${JSON.stringify(spec.key)}`);
  return spec as unknown as ParserSpec;
}

/** Parses a reply with a spec: a score, or null when unreadable. */
export function parseReply(reply: string, spec: ParserSpec): number | null {
  const parser = activeRegistry().replyParsers.get(spec.type);
  if (!parser) throw new LmEvalError(`judge reply parser '${spec.type}' is not registered`, `use one of ${replyParserNames().join(', ')}`);
  return parser(reply, spec);
}
