/**
 * An experiment set end to end, in-process: the bundled model (`hf`) and two OpenAI-compatible
 * test servers (different served model names, one greedy and one sampling) × 2 tasks × 2 settings
 * × repeat 2. Checks the folders and files, distinct recorded seeds, the leaderboard, that API
 * keys appear in no output, that a rerun sends nothing, and that adding a model runs only it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTransformersModels } from '@lm-eval/transformers';
import { parsePlanText, readRuns, runExperiments, writeReports, EndpointScheduler, buildLeaderboard } from '../src/index.ts';
import { apiModelArgs, MODEL_DIR, ROOT, startServer, type TestServer } from './servers.ts';

const FAST = { backoff: { multiplierMs: 5, minMs: 10, maxMs: 50, maxRetryAfterMs: 1000 } };
const SECRET = 'sk-test-secret-4242';
let tmp: string;
let a: TestServer;
let b: TestServer;

function planYaml(extraModel = ''): string {
  const args = (name: string) => JSON.stringify({ ...apiModelArgs(), model: name });
  return `
name: e2e
models:
  - name: local
    backend: hf
    model_args: {pretrained: ${JSON.stringify(MODEL_DIR)}}
  - name: api-greedy
    backend: local-completions
    model_args: ${args('story-a')}
    num_concurrent: 2
    endpoints: [{base_url: ${a.url}/v1/completions, api_key_env: EXP14_KEY}]
  - name: api-sampled
    backend: local-completions
    model_args: ${args('story-b')}
    gen_kwargs: {do_sample: true, temperature: 0.9}
    endpoints: [{base_url: ${b.url}/v1/completions}]
${extraModel}
tasks: [tinystories_cloze, tinystories_continue]
common: {limit: 3}
grid:
  num_fewshot: [0, 1]
repeat: 2
`;
}

/** completions requests a server received */
const sent = async (s: TestServer) => (await s.stats()).bodies.length;
const env = () => ({ ...process.env, EXP14_KEY: SECRET });

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

beforeAll(async () => {
  registerTransformersModels();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-exp-'));
  [a, b] = await Promise.all([startServer('story-a'), startServer('story-b')]);
});

afterAll(() => {
  a?.kill();
  b?.kill();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('experiment set run', { timeout: 300_000 }, () => {
  it('runs 3 models × 2 tasks × 2 settings × 2 repeats, resumes as a no-op, and adds a model alone', async () => {
    const out = path.join(tmp, 'set');
    const plan = parsePlanText(planYaml(), 'e2e.yaml', { env: env() });
    expect(plan.experiments.map((e) => e.id)).toEqual([
      'local_num_fewshot-0_r1', 'local_num_fewshot-0_r2', 'api-greedy_num_fewshot-0_r1', 'api-greedy_num_fewshot-0_r2', 'api-sampled_num_fewshot-0_r1', 'api-sampled_num_fewshot-0_r2',
      'local_num_fewshot-1_r1', 'local_num_fewshot-1_r2', 'api-greedy_num_fewshot-1_r1', 'api-greedy_num_fewshot-1_r2', 'api-sampled_num_fewshot-1_r1', 'api-sampled_num_fewshot-1_r2',
    ]);
    const opts = { outputPath: out, env: env(), cwd: ROOT, bootstrapIters: 100, apiBackendOptions: FAST, scheduler: new EndpointScheduler({ restMs: 20 }) };
    const outcomes = await runExperiments(plan, opts);
    expect(outcomes.filter((o) => o.status !== 'done')).toEqual([]);

    // standard lm-eval output per experiment, seeds recorded and distinct per repeat
    const seeds = new Map<string, unknown>();
    for (const e of plan.experiments) {
      const files = allFiles(path.join(out, e.id)).map((f) => path.basename(f));
      expect(files.filter((f) => f.startsWith('results_'))).toHaveLength(1);
      expect(files.filter((f) => f.startsWith('samples_tinystories_'))).toHaveLength(2);
      const resultsFile = allFiles(path.join(out, e.id)).find((f) => path.basename(f).startsWith('results_'))!;
      const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      expect(r.results.tinystories_cloze['acc,none']).toBeTypeOf('number');
      expect(r['n-shot'].tinystories_cloze).toBe(e.settings.numFewshot);
      seeds.set(e.id, [r.config.random_seed, r.config.numpy_seed, r.config.torch_seed, r.config.fewshot_seed]);
    }
    expect(seeds.get('local_num_fewshot-0_r1')).toEqual([0, 1234, 1234, 1234]);
    expect(seeds.get('local_num_fewshot-0_r2')).toEqual([1, 1235, 1235, 1235]);

    // the sampled model's repeats sent their generations again with their own seeds; the greedy one's were answered once
    const gens = (await b.stats()).bodies.filter((x) => (x as { max_tokens?: number }).max_tokens !== 1) as Array<{ prompt: unknown; seed: number }>;
    const seedsByPrompt = new Map<string, Set<number>>();
    for (const g of gens) seedsByPrompt.set(JSON.stringify(g.prompt), (seedsByPrompt.get(JSON.stringify(g.prompt)) ?? new Set()).add(g.seed));
    expect(seedsByPrompt.size).toBeGreaterThan(0);
    // zero-shot prompts are the same in both repeats: each was sent once per repeat seed
    expect([...seedsByPrompt.values()].filter((s) => s.size === 2).length).toBe(3);
    expect(gens.length).toBe([...seedsByPrompt.values()].reduce((n, s) => n + s.size, 0));
    const continueSamples = (id: string) => {
      const f = allFiles(path.join(out, id)).find((x) => path.basename(x).startsWith('samples_tinystories_continue'))!;
      return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).resps);
    };
    expect(continueSamples('api-greedy_num_fewshot-0_r1')).toEqual(continueSamples('api-greedy_num_fewshot-0_r2'));

    // leaderboard: 6 rows of 2 runs each, mean ± std
    const written = writeReports(out, readRuns([out]), { mainMetric: 'tinystories_cloze/acc' });
    expect(written.board.rows).toHaveLength(6);
    expect(written.board.rows.every((r) => r.runs.length === 2)).toBe(true);
    expect(written.markdown).toMatch(/\| api-greedy_num_fewshot-0 \| api-greedy \| 2 \| [\d.]+ ± [\d.]+ \|/);
    expect(written.markdown).toContain('## tinystories_continue');

    // the API key is in no output file
    for (const f of allFiles(out)) expect(fs.readFileSync(f).includes(SECRET), f).toBe(false);
    // ... and the greedy server saw it
    expect(await sent(a)).toBeGreaterThan(0);
    // api-greedy's four experiments ran together, yet its endpoint never had more than num_concurrent=2 requests
    expect((await a.stats() as unknown as { maxInFlight: number }).maxInFlight).toBeLessThanOrEqual(2);

    // rerun: everything skipped, nothing sent
    const before = [await sent(a), await sent(b)];
    const again = await runExperiments(parsePlanText(planYaml(), 'e2e.yaml', { env: env() }), opts);
    expect(again.every((o) => o.status === 'skipped')).toBe(true);
    expect([await sent(a), await sent(b)]).toEqual(before);

    // a new model: only its experiments run
    const extra = `  - name: api-extra
    backend: local-completions
    model_args: ${JSON.stringify({ ...apiModelArgs(), model: 'story-a', max_gen_toks: 8 })}
    endpoints: [{base_url: ${a.url}/v1/completions}]`;
    const plan2 = parsePlanText(planYaml(extra), 'e2e.yaml', { env: env() });
    const third = await runExperiments(plan2, opts);
    expect(third.filter((o) => o.status === 'done').map((o) => o.id).sort()).toEqual(plan2.experiments.filter((e) => e.model.name === 'api-extra').map((e) => e.id).sort());
    expect(await sent(b)).toBe(before[1]);
    expect(buildLeaderboard(readRuns([out])).rows).toHaveLength(8);
  });

  it('spreads requests over two endpoints and finishes when one goes down mid-run', async () => {
    const [c1, c2] = await Promise.all([startServer('story-c'), startServer('story-c')]);
    try {
      // c1 hangs on its 4th request; it is then killed, so that request fails and goes to c2
      await c1.control('/__control/faults', { faults: 'hang:nth=4' });
      const yaml = (endpoints: string[]) => `
models:
  - name: pooled
    backend: local-completions
    model_args: ${JSON.stringify({ ...apiModelArgs(), model: 'story-c' })}
    num_concurrent: 2
    endpoints: [${endpoints.map((u) => `{base_url: ${u}/v1/completions}`).join(', ')}]
tasks: [tinystories_cloze, tinystories_continue]
common: {limit: 6}
`;
      const opts = (out: string) => ({ outputPath: out, cwd: ROOT, bootstrapIters: 100, apiBackendOptions: FAST, scheduler: new EndpointScheduler({ restMs: 20, maxRestMs: 200 }) });
      const run = runExperiments(parsePlanText(yaml([c1.url, c2.url]), 'pool.yaml'), opts(path.join(tmp, 'pool')));
      const end = Date.now() + 60_000;
      while ((await c1.stats()).scoringRequests < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      c1.kill();
      const outcomes = await run;
      expect(outcomes.map((o) => o.status)).toEqual(['done']);
      const s2 = await c2.stats();
      expect(s2.scoringRequests).toBeGreaterThan(0);

      // same samples as a run on one healthy endpoint
      const ref = await runExperiments(parsePlanText(yaml([c2.url]), 'pool.yaml'), opts(path.join(tmp, 'pool-ref')));
      expect(ref.map((o) => o.status)).toEqual(['done']);
      const samples = (dir: string) =>
        allFiles(dir)
          .filter((f) => path.basename(f).startsWith('samples_'))
          .sort()
          .map((f) => fs.readFileSync(f, 'utf8'));
      expect(samples(path.join(tmp, 'pool'))).toEqual(samples(path.join(tmp, 'pool-ref')));
    } finally {
      c1.kill();
      c2.kill();
    }
  });
});
