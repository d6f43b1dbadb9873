/**
 * Sharding: an experiment set run as shards 1/3, 2/3 and 3/3, merged, equals the unsharded run —
 * samples byte for byte, results value for value (task metrics, stderrs, the group aggregate,
 * n-samples, task hashes), apart from dates and timings. The merged folder then counts as a
 * finished unsharded run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTransformersModels } from '@lm-eval/transformers';
import { mergeShards, parsePlanText, readRuns, runExperiments, writeReports } from '../src/index.ts';
import { MODEL_DIR, ROOT } from './servers.ts';

const FIXTURE_TASKS = path.join(ROOT, 'packages/experiments/test/fixtures/tasks');
let tmp: string;

const YAML = `
name: sharded
models:
  - name: tiny
    backend: hf
    model_args: {pretrained: ${JSON.stringify(MODEL_DIR)}}
tasks: [tiny_agg, tinystories_perplexity]
include_path: [${JSON.stringify(FIXTURE_TASKS)}]
common: {limit: 9}
grid: {num_fewshot: [0, 1]}
`;

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)))
    .sort();
}

/** results JSON without the fields that differ between any two runs */
function comparable(file: string): Record<string, any> {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const k of ['date', 'start_time', 'end_time', 'total_evaluation_time_seconds']) delete r[k];
  delete r.config.use_cache;
  return r;
}

const withoutDate = (f: string) => f.replace(/_\d{4}-\d\d-\d\dT[\d\-.]+\.json(l?)$/, '.json$1');

beforeAll(() => {
  registerTransformersModels();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-shard-'));
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('shard + merge', { timeout: 300_000 }, () => {
  it('shards 1/3 + 2/3 + 3/3 merged equal the unsharded run', async () => {
    const plan = parsePlanText(YAML, 'sharded.yaml', { env: {} });
    const opts = (out: string, shard: { index: number; count: number } | null) => ({ outputPath: path.join(tmp, out), cwd: ROOT, shard, bootstrapIters: 1000 });
    expect((await runExperiments(plan, opts('full', null))).map((o) => o.status)).toEqual(['done', 'done']);
    for (const i of [1, 2, 3]) expect((await runExperiments(plan, opts(`s${i}`, { index: i, count: 3 }))).map((o) => o.status)).toEqual(['done', 'done']);

    // the shards split the documents: each has some, together all, none twice
    const lineCount = (dir: string, task: string) =>
      filesUnder(dir)
        .filter((f) => path.basename(f).startsWith(`samples_${task}_`))
        .reduce((n, f) => n + fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).length, 0);
    for (const task of ['tinystories_cloze', 'tinystories_continue', 'tinystories_perplexity']) {
      const parts = [1, 2, 3].map((i) => lineCount(path.join(tmp, `s${i}`), task));
      expect(parts.every((n) => n > 0), `${task}: ${parts}`).toBe(true);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(lineCount(path.join(tmp, 'full'), task));
    }

    const merged = path.join(tmp, 'merged');
    const out = await mergeShards([1, 2, 3].map((i) => path.join(tmp, `s${i}`)), { outputPath: merged, includePath: [FIXTURE_TASKS], cwd: ROOT });
    expect(out.experimentSet).toBe(true);

    const full = path.join(tmp, 'full');
    for (const e of plan.experiments) {
      const a = filesUnder(path.join(full, e.id)).filter((f) => f.endsWith('.jsonl') || path.basename(f).startsWith('results_'));
      const b = filesUnder(path.join(merged, e.id)).filter((f) => f.endsWith('.jsonl') || path.basename(f).startsWith('results_'));
      expect(b.map(withoutDate)).toEqual(a.map(withoutDate));
      for (const [i, f] of a.entries()) {
        if (f.endsWith('.jsonl')) expect(fs.readFileSync(path.join(merged, e.id, b[i]), 'utf8'), f).toBe(fs.readFileSync(path.join(full, e.id, f), 'utf8'));
        else {
          const want = comparable(path.join(full, e.id, f));
          const got = comparable(path.join(merged, e.id, b[i]));
          expect(got).toEqual(want);
          expect(want.groups.tiny_agg['acc,none']).toBeTypeOf('number');
          expect(want.results.tinystories_perplexity['word_perplexity,none']).toBeTypeOf('number');
        }
      }
    }

    // the merged folder is a finished unsharded run: running the file there does nothing
    const again = await runExperiments(plan, opts('merged', null));
    expect(again.map((o) => o.status)).toEqual(['skipped', 'skipped']);
    expect(writeReports(merged, readRuns([merged])).markdown).toContain('| tiny_agg acc ↑ |');
  });

  it('refuses an incomplete set of shards, naming the missing one', async () => {
    await expect(mergeShards([path.join(tmp, 's1'), path.join(tmp, 's3')], { outputPath: path.join(tmp, 'bad') })).rejects.toThrow(/shard 2\/3 missing/);
  });
});
