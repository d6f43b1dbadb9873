/**
 * Conformance with Python lm-eval: every fixture task and setting must produce the same
 * requests (samples' arguments), per-sample records, metrics and stderrs, and results files
 * equal apart from environment fields.
 */
import { describe, expect, it } from 'vitest';
import { pyJsonDumps } from '../src/python/index.ts';
import { normaliseResults, oracleRuns, runOracle } from './oracle-harness.ts';

const runs = oracleRuns();

describe('oracle conformance (dummy model vs Python lm-eval)', () => {
  it('has fixtures', () => {
    expect(runs.length).toBeGreaterThan(30);
  });
  for (const run of runs) {
    it(`${run.task} / ${run.setting}`, async () => {
      const { ours, theirs } = await runOracle(run);
      // samples: byte-for-byte, line by line
      expect(Object.keys(ours.samplesText).sort()).toEqual(Object.keys(theirs.samplesText).sort());
      for (const [name, text] of Object.entries(theirs.samplesText)) {
        const a = ours.samplesText[name].split('\n');
        const b = text.split('\n');
        expect(a.length).toBe(b.length);
        for (let i = 0; i < b.length; i++) expect(a[i], `${name} line ${i + 1}`).toBe(b[i]);
      }
      // results: equal apart from environment fields
      const a = normaliseResults(ours.resultsText);
      const b = normaliseResults(theirs.resultsText);
      expect(pyJsonDumps(a, { indent: 2, ensureAscii: false })).toBe(pyJsonDumps(b, { indent: 2, ensureAscii: false }));
    });
  }
});
