/**
 * `lm-eval experiments run` through the real binary: the bundled example (offline, hf), bad files
 * (one line naming the field), and a run SIGKILLed in the middle and restarted, which finishes
 * without sending any answered request again and ends with the uninterrupted run's leaderboard.
 * The two experiments share the endpoint's single slot, so the request the server hangs on stops
 * both (the per-endpoint limit holds across experiments).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseStore, responseCacheFile } from '@lm-eval/core/cache';
import { BIN, ROOT, runCli } from './cli-harness.ts';
import { control as controlServer, spawnTestServer } from '../../openai/test/server/spawn.ts';

const MODEL = path.join(ROOT, 'models/stories260k');
let tmp: string;
let server: ChildProcess;
let url: string;

const control = (pathname: string, body?: unknown) => controlServer(url, pathname, body);
const prompts = async () => ((await control('/__control/stats')).bodies as Array<{ prompt: unknown }>).map((b) => JSON.stringify(b.prompt));

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-expcli-'));
  ({ proc: server, url } = await spawnTestServer(['--model', MODEL]));
});

afterAll(() => {
  server?.kill('SIGKILL');
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('lm-eval experiments run', () => {
  it('runs the bundled example offline and writes a leaderboard', async () => {
    const out = path.join(tmp, 'example');
    const r = await runCli(['experiments', 'run', path.join(ROOT, 'examples/experiments/tinystories.yaml'), '--output_path', out], { cwd: ROOT });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('# tinystories demo');
    expect(r.stdout).toMatch(/\| 1 \| stories260k_num_fewshot-\d \| stories260k \| 2 \| /);
    expect(fs.readFileSync(path.join(out, 'leaderboard.md'), 'utf8')).toBe(r.stdout);
    expect(fs.readdirSync(out).sort()).toEqual(
      ['.cache', 'experiments.json', 'leaderboard.md', 'report.html', 'stories260k_num_fewshot-0_r1', 'stories260k_num_fewshot-0_r2', 'stories260k_num_fewshot-1_r1', 'stories260k_num_fewshot-1_r2'].filter((f) => fs.existsSync(path.join(out, f))).sort(),
    );
    const again = await runCli(['experiments', 'run', path.join(ROOT, 'examples/experiments/tinystories.yaml'), '--output_path', out], { cwd: ROOT });
    expect(again.code).toBe(0);
    expect(again.stderr.match(/already finished \(skipped\)/g)).toHaveLength(4);
    // lm-eval report over Python-written results and this set
    const rep = await runCli(['report', path.join(ROOT, 'packages/core/test/fixtures/oracle/arc_easy/lmeval_out_zeroshot'), out, '--output_path', path.join(tmp, 'rep'), '--title', 'mixed'], { cwd: ROOT });
    expect(rep.code, rep.stderr).toBe(0);
    expect(rep.stdout).toContain('# mixed');
    expect(rep.stdout).toMatch(/\| lmeval_out_zeroshot \| vdujuxrm \| 1 \|/);
    expect(fs.existsSync(path.join(tmp, 'rep', 'report.html'))).toBe(true);
    // lm-eval compare: two repeats of one experiment (greedy: nothing flips)
    const cmp = await runCli(['compare', path.join(out, 'stories260k_num_fewshot-0_r1'), path.join(out, 'stories260k_num_fewshot-0_r2'), '--output_path', path.join(tmp, 'cmp.json')], { cwd: ROOT });
    expect(cmp.code, cmp.stderr).toBe(0);
    expect(cmp.stdout).toMatch(/\| tinystories_cloze \| acc \| none \| 10 \| [\d.]+ \| [\d.]+ \| \+0\.0000 \|/);
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'cmp.json'), 'utf8')).metrics.length).toBeGreaterThan(0);
  }, 300_000);

  it('names the field of a bad file in one line', async () => {
    const file = path.join(tmp, 'bad.yaml');
    fs.writeFileSync(file, 'models:\n  - {name: m, backend: hf}\ntasks: [t]\ngrid: {}\n');
    const r = await runCli(['experiments', 'run', file, '--output_path', path.join(tmp, 'bad-out')], { cwd: ROOT });
    expect(r.code).toBe(1);
    expect(r.lastErr).toBe(`Error: experiments file ${file}: grid: is empty — give at least one key with a list of values, e.g. num_fewshot: [0, 5], or drop grid`);
  });

  it('shards a plain run with --shard i/n and merges it into the unsharded files', async () => {
    const base = ['run', '--model', 'hf', '--model_args', `pretrained=${MODEL}`, '--tasks', 'tinystories', '--limit', '6', '--log_samples', '--seed', '0,1234,1234,1234'];
    const runs = await Promise.all([
      runCli([...base, '--output_path', path.join(tmp, 'plain-full')], { cwd: ROOT }),
      ...[1, 2, 3].map((i) => runCli([...base, '--output_path', path.join(tmp, `plain-s${i}`), '--shard', `${i}/3`], { cwd: ROOT })),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const noSamples = await runCli(['run', '--model', 'dummy', '--tasks', 'tinystories', '--shard', '1/2'], { cwd: ROOT });
    expect(noSamples.lastErr).toMatch(/^Error: --shard needs --log_samples and --output_path/);

    const merge = await runCli(['merge', ...[1, 2, 3].map((i) => path.join(tmp, `plain-s${i}`)), '--output_path', path.join(tmp, 'plain-merged')], { cwd: ROOT });
    expect(merge.code, merge.stderr).toBe(0);
    const list = (dir: string) => {
      const sub = path.join(dir, fs.readdirSync(dir)[0]);
      return fs.readdirSync(sub).sort().map((f) => path.join(sub, f));
    };
    const full = list(path.join(tmp, 'plain-full'));
    const merged = list(path.join(tmp, 'plain-merged'));
    expect(merged.map((f) => path.basename(f).replace(/_\d{4}-.*$/, ''))).toEqual(full.map((f) => path.basename(f).replace(/_\d{4}-.*$/, '')));
    for (const [i, f] of full.entries()) {
      if (f.endsWith('.jsonl')) expect(fs.readFileSync(merged[i], 'utf8')).toBe(fs.readFileSync(f, 'utf8'));
      else {
        const clean = (x: string) => {
          const r = JSON.parse(fs.readFileSync(x, 'utf8'));
          for (const k of ['date', 'total_evaluation_time_seconds']) delete r[k];
          return r;
        };
        expect(clean(merged[i])).toEqual(clean(f));
      }
    }
  }, 300_000);

  it('resumes a SIGKILLed run without re-sending answered requests', async () => {
    const file = path.join(tmp, 'api.yaml');
    fs.writeFileSync(
      file,
      `name: resume
models:
  - name: api
    backend: local-completions
    model_args: {model: stories260k, tokenizer_backend: huggingface, tokenizer: ${JSON.stringify(MODEL)}, max_length: 514}
    num_concurrent: 1
    endpoints: [{base_url: "${url}/v1/completions"}]
tasks: [tinystories_cloze, tinystories_continue]
common: {limit: 5}
grid: {num_fewshot: [0, 1]}
`,
    );
    const run = (out: string) => {
      const proc = spawn(process.execPath, [BIN, 'experiments', 'run', file, '--output_path', out], { cwd: ROOT, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
      return { proc, done };
    };

    await control('/__control/reset');
    const ref = await run(path.join(tmp, 'ref')).done;
    expect(ref.code, ref.stderr).toBe(0);
    const reference = await prompts();
    expect(reference.length).toBeGreaterThan(30);

    const HANG_AT = 17;
    const out = path.join(tmp, 'killed');
    await control('/__control/reset');
    await control('/__control/faults', { faults: `hang:nth=${HANG_AT}` });
    const first = run(out);
    const end = Date.now() + 60_000;
    while (((await control('/__control/stats')).scoringRequests as number) < HANG_AT && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    // every answer the server gave is committed to the shared cache before the kill (the cache
    // writes every 50 ms; on a loaded machine that can take longer, so wait for it)
    const cacheFile = responseCacheFile(path.join(out, '.cache', 'responses'));
    const committed = () => {
      if (!fs.existsSync(cacheFile)) return 0;
      const store = ResponseStore.open(cacheFile);
      try {
        return store.count();
      } finally {
        store.close();
      }
    };
    while (committed() < HANG_AT - 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    first.proc.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const answered1 = await prompts();
    // the endpoint's one slot is shared by both experiments: the hung request stopped them both
    expect(answered1).toHaveLength(HANG_AT - 1);

    await control('/__control/faults', { faults: '' });
    await control('/__control/reset');
    const second = await run(out).done;
    expect(second.code, second.stderr).toBe(0);
    const answered2 = await prompts();
    expect(answered2.filter((p) => answered1.includes(p))).toEqual([]);
    expect([...answered1, ...answered2].sort()).toEqual([...reference].sort());
    expect(second.stdout.replace(/\n/g, '')).toBe(ref.stdout.replace(/\n/g, ''));
  }, 300_000);
});
