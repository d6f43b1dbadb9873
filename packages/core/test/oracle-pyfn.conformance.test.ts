/**
 * Conformance with Python lm-eval on task folders whose helpers are Python (`!function` into a
 * utils.py): fixtures/oracle_pyfn (see its README). The helpers run in the Python worker; every
 * setting must reproduce the requests, the per-sample records and the results byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePyJson, pyJsonDumps } from '../src/python/index.ts';
import { normaliseResults, ORACLE_PYFN_DIR, oracleRuns, runOracle } from './oracle-harness.ts';

const python = process.env.LM_EVAL_PYTHON || 'python3';
const probe = spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' });
const skip = probe.status !== 0 ? `${python} with numpy is needed (the fixtures' helpers import numpy): ${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}` : null;
if (skip) console.log(`[oracle_pyfn conformance] SKIPPED: ${skip}`);

const runs = oracleRuns(ORACLE_PYFN_DIR);

/** `(task, doc_id)` → every request's arguments, from the fixture's requests_<setting>.jsonl. */
function theirRequests(task: string, setting: string): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  const text = readFileSync(path.join(ORACLE_PYFN_DIR, task, `requests_${setting}.jsonl`), 'utf8');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const r = parsePyJson(line) as { task_name: string; doc_id: number; idx: number; arguments: unknown[] };
    const key = `${r.task_name}/${r.doc_id}`;
    if (!out.has(key)) out.set(key, []);
    out.get(key)![r.idx] = r.arguments;
  }
  return out;
}

/** The same from our samples files (first filter of each task: the requests do not depend on it). */
function ourRequests(samplesText: Record<string, string>): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const [file, text] of Object.entries(samplesText)) {
    const task = file.replace(/^samples_/, '');
    const seen = new Set<number>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const s = parsePyJson(line) as { doc_id: number; arguments: Record<string, Record<string, unknown>> };
      if (seen.has(s.doc_id)) continue;
      seen.add(s.doc_id);
      out.set(
        `${task}/${s.doc_id}`,
        Object.values(s.arguments).map((a) => Object.values(a)),
      );
    }
  }
  return out;
}

describe.skipIf(skip !== null)('oracle_pyfn conformance (Python helpers, dummy model vs Python lm-eval)', () => {
  it('has fixtures', () => {
    expect(runs.length).toBe(18);
  });
  for (const run of runs) {
    it(`${run.task} / ${run.setting}`, async () => {
      const { ours, theirs } = await runOracle(run);
      // requests: same count, same arguments per (task, doc, idx)
      const a = ourRequests(ours.samplesText);
      const b = theirRequests(run.task, run.setting);
      expect([...a.values()].reduce((n, x) => n + x.length, 0)).toBe(run.nRequests);
      expect(pyJsonDumps(Object.fromEntries([...a].sort()))).toBe(pyJsonDumps(Object.fromEntries([...b].sort())));
      // samples: byte-for-byte, line by line
      expect(Object.keys(ours.samplesText).sort()).toEqual(Object.keys(theirs.samplesText).sort());
      for (const [name, text] of Object.entries(theirs.samplesText)) {
        const x = ours.samplesText[name].split('\n');
        const y = text.split('\n');
        expect(x.length).toBe(y.length);
        for (let i = 0; i < y.length; i++) expect(x[i], `${name} line ${i + 1}`).toBe(y[i]);
      }
      // results: equal apart from environment fields
      expect(pyJsonDumps(normaliseResults(ours.resultsText), { indent: 2, ensureAscii: false })).toBe(
        pyJsonDumps(normaliseResults(theirs.resultsText), { indent: 2, ensureAscii: false }),
      );
    });
  }
});
