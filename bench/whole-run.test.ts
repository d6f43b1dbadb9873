/**
 * Keeps the whole-run optimisations honest: the real CLI, on a smaller workload shaped like the
 * benchmark's (multiple_choice, generate_until, loglikelihood_rolling) against the same instant
 * server, must write the same results (every number) and byte-identical samples files as the code
 * did before any optimisation (bench/expected/, made by that code; regenerate only for a change
 * that is meant to alter the output, with UPDATE_EXPECTED=1).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type BenchServer } from './whole-run/server.ts';
import { writeWorkload } from './whole-run/workload.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const BIN = path.join(ROOT, 'packages/cli/bin/lm-eval.mjs');
const EXPECTED = path.join(HERE, 'expected');
const TASKS = 'bench_mc,bench_gen,bench_rolling';

/** Fields that differ from run to run (time, machine, checkout, server port). */
const VOLATILE = ['date', 'total_evaluation_time_seconds', 'git_hash', 'upper_git_hash', 'pretty_env_info', 'transformers_version', 'lm_eval_version', 'start_time', 'end_time'];

function normaliseResults(text: string): Record<string, unknown> {
  // paths and the server's port recorded in the configs' metadata
  text = text.split(server.url).join('<server>').split(work).join('<work>').split(ROOT).join('<root>');
  const r = JSON.parse(text) as Record<string, any>;
  for (const k of VOLATILE) delete r[k];
  r.config.model_args = '<model_args>';
  return r;
}

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, CI: 'true', LMEVAL_LOG_LEVEL: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stderr }));
  });
}

let server: BenchServer;
let work: string;

beforeAll(async () => {
  server = await startServer();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-whole-run-test-'));
  writeWorkload(path.join(work, 'tasks'), 'mc', 150);
  writeWorkload(path.join(work, 'tasks'), 'gen', 150);
  writeWorkload(path.join(work, 'tasks'), 'rolling', 100);
});

afterAll(async () => {
  await server?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function evaluate(name: string, modelArgs: string, extra: string[] = []): Promise<{ results: Record<string, unknown>; samples: Record<string, string> }> {
  const out = path.join(work, name);
  const r = await runCli([
    '--model', 'local-completions',
    '--model_args', `model=bench,base_url=${server.url}/v1/completions,tokenizer_backend=huggingface,tokenizer=${path.join(ROOT, 'models/stories260k')},${modelArgs}`,
    '--tasks', TASKS,
    '--include_path', path.join(work, 'tasks'),
    '--output_path', out,
    '--log_samples',
    ...extra,
  ]);
  expect(r.code, r.stderr).toBe(0);
  const dir = path.join(out, 'bench');
  const files = fs.readdirSync(dir);
  const resultsFile = files.find((f) => f.startsWith('results_'))!;
  const samples: Record<string, string> = {};
  for (const f of files.filter((f) => f.startsWith('samples_'))) samples[f.replace(/_\d{4}-\d\d-\d\dT[\d.-]+\.jsonl$/, '')] = fs.readFileSync(path.join(dir, f), 'utf8');
  return { results: normaliseResults(fs.readFileSync(path.join(dir, resultsFile), 'utf8')), samples };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('whole-run benchmark workload: output identical to the pre-optimisation code', () => {
  it('num_concurrent=16: results and samples files', async () => {
    const { results, samples } = await evaluate('c16', 'num_concurrent=16');
    const digests = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { sha256: sha(v), lines: v.split('\n').length - 1 }]));
    if (process.env.UPDATE_EXPECTED === '1') {
      fs.mkdirSync(EXPECTED, { recursive: true });
      fs.writeFileSync(path.join(EXPECTED, 'results.json'), JSON.stringify(results, null, 2) + '\n');
      fs.writeFileSync(path.join(EXPECTED, 'samples.json'), JSON.stringify(digests, null, 2) + '\n');
      for (const [k, v] of Object.entries(samples)) fs.writeFileSync(path.join(EXPECTED, `${k}.head.jsonl`), v.split('\n').slice(0, 3).join('\n') + '\n');
    }
    expect(results).toEqual(JSON.parse(fs.readFileSync(path.join(EXPECTED, 'results.json'), 'utf8')));
    // the first records in full (a readable diff), then every byte through the digest
    for (const [k, v] of Object.entries(samples)) {
      expect(v.split('\n').slice(0, 3).join('\n') + '\n', k).toBe(fs.readFileSync(path.join(EXPECTED, `${k}.head.jsonl`), 'utf8'));
    }
    expect(digests).toEqual(JSON.parse(fs.readFileSync(path.join(EXPECTED, 'samples.json'), 'utf8')));
  });

  it('num_concurrent=1, batch_size=3: the same numbers and samples', async () => {
    const { results, samples } = await evaluate('c1b3', 'num_concurrent=1', ['--batch_size', '3']);
    const expected = JSON.parse(fs.readFileSync(path.join(EXPECTED, 'results.json'), 'utf8')) as Record<string, unknown>;
    expect(results.results).toEqual(expected.results);
    const digests = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { sha256: sha(v), lines: v.split('\n').length - 1 }]));
    expect(digests).toEqual(JSON.parse(fs.readFileSync(path.join(EXPECTED, 'samples.json'), 'utf8')));
  });
});
