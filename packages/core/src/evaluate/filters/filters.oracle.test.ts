/**
 * Conformance: re-run every filter pipeline of the Python oracle runs over the logged `resps` and
 * compare with the logged `filtered_resps` (packages/core/test/fixtures/oracle).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFilterPipelines } from './index.ts';

const ORACLE = fileURLToPath(new URL('../../../test/fixtures/oracle', import.meta.url));

interface Run {
  task: string;
  dir: string;
  profile: '0.4.4' | 'latest';
}

const runs: Run[] = [];
if (existsSync(ORACLE)) {
  for (const task of readdirSync(ORACLE)) {
    const meta = join(ORACLE, task, 'meta.json');
    if (!existsSync(meta)) continue;
    const flavor = JSON.parse(readFileSync(meta, 'utf8')).flavor;
    for (const d of readdirSync(join(ORACLE, task))) {
      if (d.startsWith('lmeval_out_')) runs.push({ task, dir: join(ORACLE, task, d), profile: flavor === 'mera' ? '0.4.4' : 'latest' });
    }
  }
}

describe('filters reproduce the oracle filtered_resps', () => {
  it('finds oracle runs', () => {
    expect(runs.length).toBeGreaterThan(10);
  });

  for (const run of runs) {
    it(`${run.task} ${run.dir.split('lmeval_out_')[1]} (${run.profile})`, () => {
      const files = readdirSync(run.dir);
      const results = JSON.parse(readFileSync(join(run.dir, files.find((f) => f.startsWith('results_'))!), 'utf8'));
      let checked = 0;
      for (const [task, config] of Object.entries<Record<string, unknown>>(results.configs)) {
        const pipelines = buildFilterPipelines(config.filter_list, { profile: run.profile });
        const sampleFile = files.find((f) => f.startsWith(`samples_${task}_`));
        if (!sampleFile) continue;
        for (const line of readFileSync(join(run.dir, sampleFile), 'utf8').split('\n')) {
          if (!line.trim()) continue;
          const s = JSON.parse(line);
          const pipeline = s.filter !== undefined ? pipelines.find((p) => p.name === s.filter) : pipelines.length === 1 ? pipelines[0] : undefined;
          expect(pipeline, `pipeline for ${task} doc ${s.doc_id}`).toBeDefined();
          const docs = s.resps.map(() => s.doc);
          expect(pipeline!.apply(s.resps, docs), `${task} doc ${s.doc_id}`).toEqual(s.filtered_resps);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});
