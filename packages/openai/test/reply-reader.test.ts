/**
 * The lazy reader of scoring replies (reply-reader.ts) against JSON.parse: the same scores and the
 * same errors on generated replies of every shape (random key order, whitespace, escapes, extra
 * keys, choices out of order, wrong lengths, missing fields, invalid JSON), and the scanner's rules.
 */
import { describe, expect, it } from 'vitest';
import { readScoringReply, scoringReplyParser, type ScoringRoute } from '../src/reply-reader.ts';
import { choicesByIndex, scoreEchoChoice, scorePromptLogprobs } from '../src/scoring.ts';
import { PromptLogprobsTable } from '../src/prompt-logprobs-table.ts';
import { mulberry32 } from './server/faults.ts';

const WHERE = 'http://127.0.0.1:1/v1/completions';

const rng = mulberry32;

type Rng = () => number;
const int = (r: Rng, n: number) => Math.floor(r() * n);
const chance = (r: Rng, p: number) => r() < p;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)];
function shuffled<T>(r: Rng, xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const SPACES = [' ', '\n', '\t', '\r\n', '  ', '\n    '];
const ws = (r: Rng) => (chance(r, 0.75) ? '' : pick(r, SPACES));

const STRINGS = ['', 'plain', 'quote " inside', 'back\\slash', '\\', '"', '[brackets]{braces}', 'comma, colon: ', 'é ü 中', '😀', '\u0000\u001f', 'line\nbreak\ttab/', '\ud800 lone', 'null', '12'];

/** A JSON string literal of `s`, sometimes with characters written as \u escapes or `\/`. */
function str(r: Rng, s: string): string {
  const plain = JSON.stringify(s);
  if (chance(r, 0.6)) return plain;
  let out = '"';
  for (const ch of s) {
    if (chance(r, 0.4)) {
      for (let k = 0; k < ch.length; k++) {
        const hex = ch.charCodeAt(k).toString(16).padStart(4, '0');
        out += '\\u' + (chance(r, 0.5) ? hex.toUpperCase() : hex);
      }
    }
    else if (ch === '/' && chance(r, 0.5)) out += '\\/';
    else out += JSON.stringify(ch).slice(1, -1);
  }
  return out + '"';
}

/** A JSON number literal for x, in one of the forms JSON allows. */
function num(r: Rng, x: number): string {
  if (Object.is(x, -0)) return pick(r, ['-0', '-0.0', '-0e0']);
  const forms = [JSON.stringify(x), x.toExponential(), x.toExponential().replace('e+', 'E'), x.toExponential().replace('e+', 'e')];
  return pick(r, forms);
}

function obj(r: Rng, members: Array<[string, string]>, shuffle = true): string {
  const m = shuffle ? shuffled(r, members) : members;
  if (m.length === 0) return '{' + ws(r) + '}';
  return '{' + m.map(([k, v]) => ws(r) + str(r, k) + ws(r) + ':' + ws(r) + v + ws(r)).join(',') + '}';
}

function arr(r: Rng, items: string[]): string {
  if (items.length === 0) return '[' + ws(r) + ']';
  return '[' + items.map((v) => ws(r) + v + ws(r)).join(',') + ']';
}

/** Any JSON value (what a server may add under keys the reader skips). */
function junk(r: Rng, depth = 0): string {
  const k = int(r, depth > 3 ? 5 : 7);
  if (k === 0) return 'null';
  if (k === 1) return pick(r, ['true', 'false']);
  if (k === 2) return pick(r, ['0', '-0', '12', '-3.25', '1e5', '2.5E-3', '-1E+2', '0.0', '123456789012345678901234567890']);
  if (k === 3 || k === 4) return str(r, pick(r, STRINGS));
  if (k === 5) return arr(r, Array.from({ length: int(r, 4) }, () => junk(r, depth + 1)));
  return obj(r, Array.from({ length: int(r, 4) }, () => [pick(r, STRINGS), junk(r, depth + 1)] as [string, string]));
}

function extras(r: Rng, p: number): Array<[string, string]> {
  return chance(r, p) ? Array.from({ length: 1 + int(r, 3) }, () => [pick(r, ['extra', 'usage', 'system_fingerprint', ...STRINGS]), junk(r)] as [string, string]) : [];
}

const LOGPROBS = [-0.5, -1, -1.25, -2, -0, -3.5e-3, -1e-7, -17.03125];

/** Generated replies keep a note of whether their shape was altered (a clean one must take the fast path). */
interface Gen {
  r: Rng;
  altered: boolean;
}

/** A field's value, sometimes replaced by one the reader must leave to JSON.parse. */
function maybeOdd(g: Gen, text: string, p: number): string | undefined {
  if (!chance(g.r, p)) return text;
  g.altered = true;
  return pick(g.r, [undefined, 'null', '{}', '"x"', '3', 'true']);
}

function promptLogprobsText(g: Gen, ids: number[], ctxlen: number): string {
  const r = g.r;
  const entries: string[] = ['null'];
  for (let i = 1; i < ids.length; i++) {
    const members: Array<[string, string]> = [];
    const own = pick(r, LOGPROBS);
    const entry = (x: number) => (chance(r, 0.15) ? num(r, x) : obj(r, [['logprob', num(r, x)], ['rank', String(1 + int(r, 5))], ['decoded_token', str(r, pick(r, STRINGS))], ...extras(r, 0.05)]));
    if (!(i >= ctxlen && chance(r, 0.02))) members.push([String(ids[i]), entry(own)]);
    for (let k = int(r, 3); k > 0; k--) members.push([String(int(r, 30)), entry(pick(r, LOGPROBS))]);
    // keys that are not plain token ids, repeated ids, values without a numeric logprob
    if (chance(r, 0.03)) {
      g.altered = true;
      members.push([pick(r, ['05', '-1', 'abc', '', '1e1', String(ids[i]), '__proto__']), entry(pick(r, LOGPROBS))]);
    }
    if (chance(r, 0.03)) {
      g.altered = true;
      members.push([String(int(r, 30)), pick(r, ['null', '"x"', '{}', '{"rank":1}', '[]', '{"logprob":-1,"logprob":-2}', '{"logprob":null}'])]);
    }
    entries.push(i >= ctxlen && chance(r, 0.01) ? 'null' : obj(r, members));
  }
  if (chance(r, 0.03)) entries.pop();
  if (chance(r, 0.03)) entries.push(chance(r, 0.5) ? 'null' : '{}');
  return arr(r, entries);
}

function echoLogprobsText(g: Gen, ids: number[], ctxlen: number): string | undefined {
  const r = g.r;
  const tl: string[] = [];
  const top: string[] = [];
  const tokens: string[] = [];
  for (let i = 0; i <= ids.length; i++) {
    tokens.push(str(r, `t${ids[i] ?? 13}`));
    if (i === 0) {
      tl.push('null');
      top.push('null');
      continue;
    }
    const x = pick(r, LOGPROBS);
    tl.push(i >= ctxlen && chance(r, 0.01) ? 'null' : num(r, x));
    const members: Array<[string, string]> = [[`t${ids[i] ?? 13}`, num(r, x)]];
    for (let k = int(r, 3); k > 0; k--) members.push([pick(r, STRINGS), num(r, pick(r, LOGPROBS))]);
    top.push(i >= ctxlen && chance(r, 0.01) ? 'null' : obj(r, members));
  }
  if (chance(r, 0.03)) tl.pop();
  if (chance(r, 0.03)) top.pop();
  if (chance(r, 0.02)) tl.push('null');
  const members: Array<[string, string | undefined]> = [
    ['tokens', arr(r, tokens)],
    ['text_offset', arr(r, tokens.map((_, i) => String(i * 2)))],
    ['token_logprobs', maybeOdd(g, arr(r, tl), 0.03)],
    ['top_logprobs', maybeOdd(g, arr(r, top), 0.03)],
  ];
  if (chance(r, 0.03)) members.push(['content', '[]']);
  if (chance(r, 0.02)) {
    g.altered = true;
    members.push([pick(r, ['token_logprobs', 'top_logprobs']), arr(r, ['null'])]);
  }
  return maybeOdd(g, obj(r, [...members.filter((m): m is [string, string] => m[1] !== undefined), ...extras(r, 0.1)]), 0.02);
}

function choiceText(g: Gen, route: ScoringRoute, ids: number[], ctxlen: number, index: number): string {
  const r = g.r;
  const members: Array<[string, string | undefined]> = [
    ['text', str(r, pick(r, STRINGS))],
    ['finish_reason', '"length"'],
    ['stop_reason', 'null'],
  ];
  let indexText: string | undefined = num(r, index);
  if (chance(r, 0.04)) {
    g.altered = true;
    indexText = pick(r, [undefined, 'null', '"0"', '[0]']);
  } else if (chance(r, 0.03)) indexText = undefined; // a missing index is 0 on both paths
  members.push(['index', indexText]);
  const pl = route === 'prompt_logprobs' ? maybeOdd(g, promptLogprobsText(g, ids, ctxlen), 0.04) : chance(r, 0.5) ? 'null' : promptLogprobsText(g, ids, ctxlen);
  const lp = route === 'echo' ? echoLogprobsText(g, ids, ctxlen) : chance(r, 0.5) ? 'null' : echoLogprobsText({ r, altered: false }, ids, ctxlen);
  members.push(['prompt_logprobs', pl], ['logprobs', lp]);
  if (chance(r, 0.02)) {
    g.altered = true;
    members.push([pick(r, ['index', route === 'echo' ? 'logprobs' : 'prompt_logprobs']), pick(r, ['0', 'null'])]);
  }
  return obj(r, [...members.filter((m): m is [string, string] => m[1] !== undefined), ...extras(r, 0.1)]);
}

interface Case {
  text: string;
  route: ScoringRoute;
  inputs: number[][];
  ctxlens: number[];
  /** The reply's shape is the one the reader reads (it must not fall back). */
  clean: boolean;
}

/** Edits that break the JSON (JSON.parse must throw, or else decide like the reader). */
function corrupt(r: Rng, text: string): string {
  const at = int(r, text.length + 1);
  switch (int(r, 7)) {
    case 6: {
      // a raw control character inside a string
      const q = text.indexOf('"', at);
      return q < 0 ? text : text.slice(0, q + 1) + pick(r, ['\u0001', '\n', '\t', '\u001f']) + text.slice(q + 1);
    }
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + pick(r, ['"', ',', '}', ']', '\u0001', 'x', '\\', ':', '{', '[', '01', '-', '.']) + text.slice(at);
    case 2:
      return text + pick(r, ['x', ',', '}', ' 1', '\u0000']);
    case 3:
      return '\uFEFF' + text;
    case 4:
      return text.replace(pick(r, ['":', ',"', '"t', 'null', '-', '.', 'e']), pick(r, ["':", ",'", '"\\x', 'nul', '+', '..', 'ee']));
    default:
      return text.slice(0, at) + text.slice(at + 1);
  }
}

function genCase(r: Rng): Case {
  const g: Gen = { r, altered: false };
  const route: ScoringRoute = chance(r, 0.5) ? 'prompt_logprobs' : 'echo';
  const n = 1 + int(r, 3);
  const inputs: number[][] = [];
  const ctxlens: number[] = [];
  for (let k = 0; k < n; k++) {
    const P = 1 + int(r, 9);
    inputs.push(Array.from({ length: P }, () => int(r, 30)));
    ctxlens.push(chance(r, 0.03) ? 0 : 1 + int(r, P));
  }
  let choices = inputs.map((ids, k) => choiceText(g, route, ids, ctxlens[k], k));
  if (chance(r, 0.3)) choices = shuffled(r, choices);
  if (chance(r, 0.03)) choices.pop();
  if (chance(r, 0.03) && choices.length > 0) choices.push(choices[0]);
  const top: Array<[string, string]> = [
    ['id', '"cmpl-x"'],
    ['object', '"text_completion"'],
    ['model', str(r, 'm')],
    ['choices', arr(r, choices)],
    ['usage', obj(r, [['prompt_tokens', '3'], ['total_tokens', '4']])],
    ...extras(r, 0.2),
  ];
  let text = obj(r, top);
  if (chance(r, 0.04)) {
    g.altered = true;
    text = pick(r, [
      obj(r, [...top, ['choices', pick(r, ['[]', 'null'])]]),
      obj(r, top.filter(([k]) => k !== 'choices')),
      obj(r, [['object', '"error"'], ['message', '"boom"'], ['code', '400']]),
      obj(r, [['error', obj(r, [['message', '"boom"']])]]),
      obj(r, [['choices', obj(r, [])]]),
      arr(r, [text]),
      'null',
      '3',
    ]);
  }
  if (chance(r, 0.1)) {
    g.altered = true;
    text = corrupt(r, text);
  }
  if (chance(r, 0.1)) text = ws(r) + text + ws(r);
  return { text, route, inputs, ctxlens, clean: !g.altered };
}

function errorOf(e: unknown): unknown {
  return e instanceof Error ? { name: e.constructor.name, message: e.message, hint: (e as { hint?: unknown }).hint } : { thrown: e };
}

/** What the scoring job makes of a reply read by `parse`: the scores, or where and what it threw. */
function outcome(c: Case, parse: (text: string) => unknown): unknown {
  let resp: unknown;
  try {
    resp = parse(c.text);
  } catch (e) {
    return { parse: errorOf(e) };
  }
  const out: unknown[] = [];
  try {
    const choices = choicesByIndex(resp, c.inputs.length, WHERE);
    for (let k = 0; k < c.inputs.length; k++) {
      const [lp, greedy] =
        c.route === 'echo' ? scoreEchoChoice(choices[k], c.inputs[k].length, c.ctxlens[k], WHERE) : scorePromptLogprobs(choices[k].prompt_logprobs, c.inputs[k], c.ctxlens[k], WHERE);
      out.push([Object.is(lp, -0) ? '-0' : lp, greedy]);
    }
  } catch (e) {
    out.push({ score: errorOf(e) });
  }
  return out;
}

describe('reading scoring replies lazily (differential against JSON.parse)', () => {
  it('gives the same scores and the same errors as JSON.parse on 2,000 generated replies', () => {
    const r = rng(20261207);
    const seen = { fast: 0, fastScored: 0, fastError: 0, fallback: 0, invalid: 0 };
    for (let t = 0; t < 2000; t++) {
      const c = genCase(r);
      const from = Math.min(...c.ctxlens);
      const full = outcome(c, JSON.parse);
      const lazy = outcome(c, scoringReplyParser(c.route, from, 0));
      expect(lazy, c.text).toStrictEqual(full);
      const read = readScoringReply(c.text, c.route, from);
      let valid = true;
      try {
        JSON.parse(c.text);
      } catch {
        valid = false;
        seen.invalid += 1;
        expect(read, `reader accepted invalid JSON: ${c.text}`).toBeNull();
      }
      if (c.clean) expect(read, `reader fell back on a reply it reads: ${c.text}`).not.toBeNull();
      if (read === null) seen.fallback += 1;
      else {
        seen.fast += 1;
        const last = (full as unknown[])[(full as unknown[]).length - 1];
        if (valid && last && typeof last === 'object' && 'score' in (last as object)) seen.fastError += 1;
        else seen.fastScored += 1;
      }
    }
    // every kind of case was met
    expect(seen.fastScored).toBeGreaterThan(700);
    expect(seen.fastError).toBeGreaterThan(150);
    expect(seen.fallback).toBeGreaterThan(200);
    expect(seen.invalid).toBeGreaterThan(80);
  });
});

describe('reply reader', () => {
  it('keeps arrays at their length and parses only the entries from `from` on', () => {
    const text = '{"choices":[{"index":0,"text":"x","prompt_logprobs":[null,{"1":-1},{"2":{"logprob":-2.5,"rank":1},"30":{"decoded_token":"a","logprob":-0.5}},{"7":-0.25}]}]}';
    const read = readScoringReply(text, 'prompt_logprobs', 2)!;
    const pl = read.choices[0].prompt_logprobs as PromptLogprobsTable;
    expect(pl).toBeInstanceOf(PromptLogprobsTable);
    expect(pl.length).toBe(4);
    expect(pl.tokenLogprob(1, 1)).toBeUndefined(); // before `from`: not read
    expect([pl.tokenLogprob(2, 2), pl.tokenLogprob(2, 30), pl.tokenLogprob(2, 3), pl.tokenLogprob(3, 7)]).toStrictEqual([-2.5, -0.5, undefined, -0.25]);
    expect([pl.othersAbove(2, 2, -2.5), pl.othersAbove(2, 30, -0.5), pl.othersAbove(3, 7, -0.25)]).toStrictEqual([true, false, false]);
    expect(read.choices[0].index).toBe(0);
    expect((readScoringReply(text, 'prompt_logprobs', 9)!.choices[0].prompt_logprobs as PromptLogprobsTable).length).toBe(4);
    const echo = '{"choices":[{"logprobs":{"tokens":["a","b"],"token_logprobs":[null,-1.5],"top_logprobs":[null,{"b":-1.5}]},"index":3}]}';
    expect(readScoringReply(echo, 'echo', 1)).toStrictEqual({ choices: [{ index: 3, logprobs: { token_logprobs: [, -1.5], top_logprobs: [, { b: -1.5 }] } }] });
  });

  it('reads any key order, whitespace, escaped keys, and skips any value under other keys', () => {
    const text = ' \r\n{ "usage" : {"a":[1,2,{"b":[]}]} ,\t"ch\\u006fices":[ {"x":"\\"}]{[\\\\","prompt\\u005flogprobs":[ null , {"5" : -1e-3} ],"index":-0.0E+0} ] , "z":[true,false,null,"\\ud83d\\ude00"]}\n';
    const read = readScoringReply(text, 'prompt_logprobs', 1)!;
    expect(read.choices[0].index).toBe(-0);
    expect((read.choices[0].prompt_logprobs as PromptLogprobsTable).tokenLogprob(1, 5)).toBe(-0.001);
  });

  it('reads numbers exactly as JSON.parse does', () => {
    const r = rng(5);
    const literals = ['0', '-0', '-0.0', '1', '-1.5', '0.1', '0.30000000000000004', '123456789012345', '1234567890123456', '12345678901234567890', '-0.0009765625', '1e-7', '2.5E+3', '-17.03125', '9007199254740993'];
    for (let t = 0; t < 3000; t++) {
      const x = -(r() * 10 ** int(r, 6));
      literals.push(chance(r, 0.5) ? String(x) : x.toFixed(int(r, 17)), `${int(r, 1e6)}.${String(int(r, 1e9)).padStart(9, '0')}`);
    }
    for (const lit of literals) {
      const read = readScoringReply(`{"choices":[{"index":${lit},"prompt_logprobs":[null,{"3":${lit}}]}]}`, 'prompt_logprobs', 1)!;
      expect(Object.is(read.choices[0].index, JSON.parse(lit)), lit).toBe(true);
      expect(Object.is((read.choices[0].prompt_logprobs as PromptLogprobsTable).tokenLogprob(1, 3), JSON.parse(lit)), lit).toBe(true);
    }
  });

  it('falls back (null) on text JSON.parse refuses', () => {
    const bad = [
      '',
      ' ',
      '{',
      '{"choices":[]',
      '{"choices":[]}x',
      '{"choices":[]} {}',
      '{"choices":[],}',
      '{"choices":[1,]}',
      "{'choices':[]}",
      '\uFEFF{"choices":[]}',
      '{"choices":[],"a":"\\x"}',
      '{"choices":[],"a":"\\u12G4"}',
      '{"choices":[],"a":"tab\there"}',
      '{"choices":[],"a":01}',
      '{"choices":[],"a":1.}',
      '{"choices":[],"a":.5}',
      '{"choices":[],"a":-}',
      '{"choices":[],"a":+1}',
      '{"choices":[],"a":1e}',
      '{"choices":[],"a":NaN}',
      '{"choices":[],"a":Infinity}',
      '{"choices":[],"a":nul}',
      '{"choices":[],"a":[}',
      '{"choices":[],"a":{"b"}}',
      '{"choices":[],"a":{"b":1,}}',
      '{"choices":[],"a":{1:2}}',
      '{"choices":[{"index":0,"prompt_logprobs":[null,{"1":-1]}]}',
    ];
    for (const text of bad) {
      expect(() => JSON.parse(text), text).toThrow(SyntaxError);
      expect(readScoringReply(text, 'prompt_logprobs', 1), text).toBeNull();
      expect(() => scoringReplyParser('prompt_logprobs', 1, 0)(text), text).toThrow(SyntaxError);
    }
  });

  it('falls back (null) on valid JSON of another shape, and then returns JSON.parse of it', () => {
    const deep = '['.repeat(600) + ']'.repeat(600);
    const other = [
      '[]',
      'null',
      '{}',
      '{"choices":{}}',
      '{"choices":[null]}',
      '{"choices":[],"choices":[]}',
      '{"choices":[{"index":"0","prompt_logprobs":[]}]}',
      '{"choices":[{"index":0,"index":1,"prompt_logprobs":[]}]}',
      '{"choices":[{"index":0,"prompt_logprobs":null}]}',
      '{"choices":[{"index":0}]}',
      '{"choices":[{"index":0,"prompt_logprobs":[],"prompt_logprobs":[]}]}',
      '{"object":"error","message":"boom"}',
      `{"choices":[],"deep":${deep}}`,
    ];
    for (const text of other) {
      expect(readScoringReply(text, 'prompt_logprobs', 1), text).toBeNull();
      expect(scoringReplyParser('prompt_logprobs', 1, 0)(text)).toStrictEqual(JSON.parse(text));
    }
    const echoOther = ['{"choices":[{"logprobs":null}]}', '{"choices":[{"logprobs":{"token_logprobs":[]}}]}', '{"choices":[{"logprobs":{"content":[],"top_logprobs":[]}}]}'];
    for (const text of echoOther) expect(readScoringReply(text, 'echo', 1), text).toBeNull();
    // when scoring reads more than half of the entries, the reply is parsed whole
    expect(scoringReplyParser('echo', 1, 10)).toBe(JSON.parse);
    expect(scoringReplyParser('echo', 5, 10)).not.toBe(JSON.parse);
    expect(scoringReplyParser('prompt_logprobs', 1, 10)).not.toBe(JSON.parse);
    // nesting the reader follows
    const nested = '['.repeat(100) + ']'.repeat(100);
    expect(readScoringReply(`{"choices":[],"deep":${nested}}`, 'echo', 1)).toStrictEqual({ choices: [] });
  });
});
