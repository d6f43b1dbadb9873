/**
 * Conformance of applyTemplate with Python Jinja2 as configured by lm-eval: every fixture row
 * holds a real task template, a doc and the exact string Python rendered. Docs are parsed with
 * the float-preserving JSON parser, so `2.0` in a doc stays a Python float.
 *
 * A row that expects an error (an `error` field, or no string `expected`) must throw a
 * TemplateError; when the error text names a Python exception type, the types must match.
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
  expected?: unknown;
  error?: unknown;
  source: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, 'fixtures/templates/lm-eval-templates.dev.jsonl');
const rows: Row[] = readFileSync(fixture, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => parsePyJson(l) as Row);

function expectsError(r: Row): boolean {
  return (r.error !== undefined && r.error !== null) || typeof r.expected !== 'string';
}

/** "UndefinedError: 'x' is undefined" → "UndefinedError". */
function errorType(r: Row): string | null {
  const text = typeof r.error === 'string' ? r.error : typeof r.expected === 'object' && r.expected ? (r.expected as { error?: unknown }).error : null;
  if (typeof text !== 'string') return null;
  const m = /^(?:[\w.]+\.)?(\w+(?:Error|Exception))\b/.exec(text.trim());
  return m ? m[1] : null;
}

describe('lm-eval template conformance', () => {
  it('has fixture rows', () => {
    expect(rows.length).toBeGreaterThan(500);
  });

  it(`renders all ${rows.length} fixture templates exactly like Python Jinja2`, () => {
    const failures: string[] = [];
    let passed = 0;
    for (const [i, r] of rows.entries()) {
      const where = `row ${i} (${r.source} ${r.field})`;
      if (expectsError(r)) {
        try {
          const out = applyTemplate(r.template, r.doc);
          failures.push(`${where}: expected an error, rendered ${JSON.stringify(out)}`);
        } catch (e) {
          const want = errorType(r);
          if (!(e instanceof TemplateError)) failures.push(`${where}: threw a non-template error: ${String(e)}`);
          else if (want && e.pyType !== want) failures.push(`${where}: raised ${e.pyType}, expected ${want}`);
          else passed++;
        }
        continue;
      }
      try {
        const out = applyTemplate(r.template, r.doc);
        if (out === r.expected) passed++;
        else failures.push(`${where}: got ${JSON.stringify(out)}, expected ${JSON.stringify(r.expected)}`);
      } catch (e) {
        failures.push(`${where}: threw ${(e as Error).message}`);
      }
    }
    console.log(`template conformance: ${passed}/${rows.length} identical`);
    expect(failures).toEqual([]);
    expect(passed).toBe(rows.length);
  });
});
