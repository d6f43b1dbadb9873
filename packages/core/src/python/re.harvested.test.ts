/**
 * Differential cases for the Python `re` translation: regexes harvested from real task files
 * (EleutherAI/lm-evaluation-harness lm_eval/tasks/**, MERA-Evaluation/MERA benchmark_tasks/**:
 * filter `regex_pattern`s, `regexes_to_ignore`, and re.* calls in task utils) plus hand-written
 * probes of edge semantics. Expected values were produced by CPython 3.11 `re` and are stored in
 * testdata/re-harvested.jsonl; these tests never run Python.
 *
 * Each line: { pattern, flags (Python bits), op, input, repl?, expected, source }.
 * - findall: list of strings, or of lists for patterns with ≥ 2 groups ("" for unmatched groups)
 * - search / match / fullmatch: null, or { groups: [g0..gn] (null = did not participate),
 *   spans?: [[start, end]…] (only for BMP-only inputs: our positions are UTF-16 indices),
 *   groupdict? }
 * - sub / sub1 (count=1): the resulting string; split / split2 (maxsplit=2): list with nulls
 * - compile: { ok: true, groups } or { error } (Python rejects the pattern; so must we)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../errors.ts';
import { compilePyRegex, type PyMatch, type PyPattern } from './re.ts';

interface Case {
  pattern: string;
  flags: number;
  op: 'findall' | 'search' | 'match' | 'fullmatch' | 'sub' | 'sub1' | 'split' | 'split2' | 'compile';
  input: string;
  repl?: string;
  expected: unknown;
  source: string;
}

const CASES: Case[] = readFileSync(new URL('./testdata/re-harvested.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Case);

interface MatchView {
  groups: (string | null)[];
  spans?: [number, number][];
  groupdict?: Record<string, string | null>;
}

function view(m: PyMatch | null, expected: unknown): MatchView | null {
  if (!m) return null;
  const n = m.re.groups;
  const out: MatchView = { groups: Array.from({ length: n + 1 }, (_, i) => m.group(i) ?? null) };
  if (expected && typeof expected === 'object' && 'spans' in expected) out.spans = Array.from({ length: n + 1 }, (_, i) => m.span(i));
  if (Object.keys(m.re.groupindex).length) {
    out.groupdict = Object.fromEntries(Object.entries(m.groupdict()).map(([k, v]) => [k, v ?? null]));
  }
  return out;
}

function run(rx: PyPattern, c: Case): unknown {
  switch (c.op) {
    case 'findall':
      return rx.findall(c.input).map((x) => (typeof x === 'string' ? x : [...x]));
    case 'search':
      return view(rx.search(c.input), c.expected);
    case 'match':
      return view(rx.match(c.input), c.expected);
    case 'fullmatch':
      return view(rx.fullmatch(c.input), c.expected);
    case 'sub':
      return rx.sub(c.repl!, c.input);
    case 'sub1':
      return rx.sub(c.repl!, c.input, 1);
    case 'split':
      return rx.split(c.input).map((x) => x ?? null);
    case 'split2':
      return rx.split(c.input, 2).map((x) => x ?? null);
    case 'compile':
      return { ok: true, groups: rx.groups };
  }
}

const isError = (v: unknown): v is { error: string } => typeof v === 'object' && v !== null && !Array.isArray(v) && 'error' in v;

// One test per (source, pattern, flags); failures list every disagreeing case.
const groups = new Map<string, Case[]>();
for (const c of CASES) {
  const key = `${c.source} ${JSON.stringify(c.pattern)} flags=${c.flags}`;
  const list = groups.get(key);
  if (list) list.push(c);
  else groups.set(key, [c]);
}

describe('Python re: harvested patterns agree with CPython 3.11', () => {
  it('has the harvested corpus', () => {
    expect(CASES.length).toBeGreaterThan(3000);
    const harvested = new Set(CASES.filter((c) => !c.source.startsWith('probe/')).map((c) => `${c.flags}\u0000${c.pattern}`));
    expect(harvested.size).toBeGreaterThanOrEqual(180);
  });

  it.each([...groups.entries()])('%s', (_key, cases) => {
    const failures: string[] = [];
    for (const c of cases) {
      let got: unknown;
      try {
        got = run(compilePyRegex(c.pattern, c.flags), c);
      } catch (e) {
        if (!(e instanceof LmEvalError)) throw e;
        got = { error: e.message };
      }
      const ok = isError(c.expected) ? isError(got) : JSON.stringify(got) === JSON.stringify(c.expected);
      if (!ok) failures.push(`${c.op}(${JSON.stringify(c.input)}${c.repl !== undefined ? `, repl=${JSON.stringify(c.repl)}` : ''}): expected ${JSON.stringify(c.expected)}, got ${JSON.stringify(got)}`);
    }
    expect(failures).toEqual([]);
  });
});
