/**
 * Differential conformance of applyTemplate with Python Jinja2 (lm-eval's environment:
 * BaseLoader, StrictUndefined, keep_trailing_newline=True, `regex_replace` = re.sub) on templates
 * harvested from real task YAML files (EleutherAI/lm-evaluation-harness lm_eval/tasks/**,
 * MERA-Evaluation/MERA benchmark_tasks/**, and this repo's tasks/mera) that are not in the dev
 * fixture, each rendered against synthesised docs (Cyrillic, quotes, newlines, padding, ints,
 * floats such as 2.0 and 1e-05, None, booleans, lists, dicts, nested MERA `inputs`).
 * Rows whose source starts with `probe/` are targeted semantics probes (slices, the implicit else
 * of inline ifs, str methods, number formatting, syntax corners) rendered the same way.
 *
 * Every `expected` / `error` was produced by Python Jinja2 3.1 on CPython 3.11; docs are parsed
 * with the float-preserving JSON parser, so `2.0` stays a Python float. A row with `error` must
 * throw a TemplateError of the same Python exception type.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TemplateError, applyTemplate } from '../src/template/index.ts';
import { parsePyJson } from '../src/python/json.ts';

interface Row {
  field: string;
  template: string;
  doc: Record<string, unknown>;
  expected?: string;
  error?: string;
  source: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, 'fixtures/templates/harvested.jsonl');
const rows: Row[] = readFileSync(fixture, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => parsePyJson(l) as Row);

/** "UndefinedError: 'x' is undefined" → "UndefinedError". */
function errorType(text: string): string | null {
  const m = /^(\w+):/.exec(text);
  return m ? m[1] : null;
}

/** JSON.stringify that also shows bigints (docs may hold ints beyond 2^53). */
function show(v: unknown, n: number): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)).slice(0, n);
}

function check(subset: Row[]): string[] {
  const failures: string[] = [];
  for (const r of subset) {
    const where = `${r.source} ${r.field} ${show(r.template, 120)} doc=${show(r.doc, 160)}`;
    if (typeof r.error === 'string') {
      try {
        const out = applyTemplate(r.template, r.doc);
        failures.push(`${where}: expected ${r.error}, rendered ${JSON.stringify(out)}`);
      } catch (e) {
        const want = errorType(r.error);
        if (!(e instanceof TemplateError)) failures.push(`${where}: threw a non-template error: ${String(e)}`);
        else if (want && e.pyType !== want) failures.push(`${where}: raised ${e.pyType}, expected ${r.error}`);
      }
      continue;
    }
    try {
      const out = applyTemplate(r.template, r.doc);
      if (out !== r.expected) failures.push(`${where}: got ${JSON.stringify(out)}, expected ${JSON.stringify(r.expected)}`);
    } catch (e) {
      failures.push(`${where}: threw ${(e as Error).message}, expected ${JSON.stringify(r.expected)}`);
    }
  }
  return failures;
}

const real = rows.filter((r) => !r.source.startsWith('probe/'));
const probes = rows.filter((r) => r.source.startsWith('probe/'));

describe('harvested lm-eval/MERA templates vs Python Jinja2', () => {
  it('has real-template rows, error rows and probe rows', () => {
    expect(new Set(real.map((r) => r.template)).size).toBeGreaterThan(100);
    expect(rows.some((r) => typeof r.error === 'string')).toBe(true);
    expect(probes.length).toBeGreaterThan(100);
    for (const r of rows) expect(typeof r.expected === 'string' || typeof r.error === 'string').toBe(true);
  });

  it(`renders all ${real.length} real-template rows exactly like Python`, () => {
    expect(check(real)).toEqual([]);
  });

  it(`matches Python on all ${probes.length} semantics probes`, () => {
    expect(check(probes)).toEqual([]);
  });
});
