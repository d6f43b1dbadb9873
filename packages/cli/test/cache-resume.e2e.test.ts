/**
 * Crash-safe resume with `--use_cache`, end to end: the real CLI evaluates arc_easy (fixture
 * docs) through `local-completions` against the local OpenAI-compatible test server. The server
 * hangs on one request, so the run stops at a known point; the CLI is then killed (SIGKILL, or
 * SIGINT), and the same command is run again. Across both runs every request must have been
 * answered by the server exactly once, and the results must equal an uninterrupted run's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { control as controlServer, spawnTestServer } from '../../openai/test/server/spawn.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'packages/cli/bin/lm-eval.mjs');
const MODEL = path.join(ROOT, 'models/stories260k');
const DOCS = path.join(ROOT, 'packages/core/test/fixtures/oracle/arc_easy/docs.json');
/** the scoring request the server hangs on */
const HANG_AT = 13;

let tmp: string;
let datasets: string;
let server: ChildProcess;
let url: string;

const control = (pathname: string, body?: unknown) => controlServer(url, pathname, body);

interface Stats {
  scoringRequests: number;
  bodies: Array<{ prompt: unknown }>;
}
const stats = () => control('/__control/stats') as unknown as Promise<Stats>;
const prompts = (s: Stats) => s.bodies.map((b) => JSON.stringify(b.prompt));

/** Builds the LM_EVAL_DATASETS_DIR mirror of the fixture docs (oracle README, "Data layout"). */
function writeDatasets(dir: string): void {
  const docs = JSON.parse(fs.readFileSync(DOCS, 'utf8')) as Record<string, Record<string, unknown[]>>;
  for (const [key, splits] of Object.entries(docs)) {
    const [dsPath, dsName] = key.split('|');
    const folder = path.join(dir, dsPath, dsName || 'default');
    fs.mkdirSync(folder, { recursive: true });
    for (const [split, rows] of Object.entries(splits)) {
      fs.writeFileSync(path.join(folder, `${split}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    }
  }
}

interface Run {
  proc: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function runCli(out: string, cachePrefix: string, env: NodeJS.ProcessEnv = {}): Run {
  const args = [
    BIN,
    '--model',
    'local-completions',
    '--model_args',
    `model=stories260k,base_url=${url}/v1/completions,tokenizer_backend=huggingface,tokenizer=${MODEL},max_length=514`,
    '--tasks',
    'arc_easy',
    '--output_path',
    out,
    '--log_samples',
    '--use_cache',
    cachePrefix,
  ];
  const proc = spawn(process.execPath, args, { cwd: tmp, env: { ...process.env, LM_EVAL_DATASETS_DIR: datasets, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { proc, done };
}

async function waitFor(cond: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** results JSON without what legitimately differs between runs (times, cache path, request counts). */
function comparableResults(folder: string): unknown {
  const sub = path.join(folder, 'stories260k');
  const file = fs.readdirSync(sub).find((f) => f.startsWith('results_'))!;
  const r = JSON.parse(fs.readFileSync(path.join(sub, file), 'utf8')) as Record<string, unknown>;
  for (const k of ['date', 'start_time', 'end_time', 'total_evaluation_time_seconds', 'api_requests']) delete r[k];
  delete (r.config as Record<string, unknown>).use_cache;
  return r;
}

function samples(folder: string): string {
  const sub = path.join(folder, 'stories260k');
  const file = fs.readdirSync(sub).find((f) => f.startsWith('samples_arc_easy_'))!;
  return fs.readFileSync(path.join(sub, file), 'utf8');
}

let reference: { results: unknown; samples: string; prompts: string[] };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-resume-'));
  datasets = path.join(tmp, 'datasets');
  writeDatasets(datasets);
  ({ proc: server, url } = await spawnTestServer(['--model', MODEL]));

  // the uninterrupted run everything is compared with
  await control('/__control/reset');
  const r = await runCli(path.join(tmp, 'reference'), path.join(tmp, 'reference-cache', 'run')).done;
  expect(r.code, r.stderr).toBe(0);
  const s = await stats();
  reference = { results: comparableResults(path.join(tmp, 'reference')), samples: samples(path.join(tmp, 'reference')), prompts: prompts(s) };
  expect(new Set(reference.prompts).size).toBe(reference.prompts.length); // all distinct
  expect(reference.prompts.length).toBeGreaterThan(HANG_AT + 5);
});

afterAll(async () => {
  server?.kill('SIGKILL');
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Interrupts a run while the server hangs on request HANG_AT (the earlier ones answered and, after
 * a pause, committed to the cache), reruns the same command, and checks the invariants.
 */
async function interruptAndResume(name: string, interrupt: (run: Run) => void): Promise<{ first: Awaited<Run['done']> }> {
  const out = path.join(tmp, name);
  const cache = path.join(tmp, `${name}-cache`, 'run');
  await control('/__control/reset');
  await control('/__control/faults', { faults: `hang:nth=${HANG_AT}` });
  const run1 = runCli(out, cache);
  await waitFor(async () => (await stats()).scoringRequests >= HANG_AT, `request ${HANG_AT} to reach the server`);
  await new Promise((r) => setTimeout(r, 300)); // longer than the cache's 50 ms commit interval
  interrupt(run1);
  const first = await run1.done;
  const s1 = await stats();
  const answered1 = prompts(s1); // the hung request never gets this far
  expect(answered1).toHaveLength(HANG_AT - 1);

  await control('/__control/faults', { faults: '' });
  await control('/__control/reset');
  const second = await runCli(out, cache).done;
  expect(second.code, second.stderr).toBe(0);
  const answered2 = prompts(await stats());

  // every distinct request was answered exactly once across both runs
  expect(answered2).toHaveLength(reference.prompts.length - (HANG_AT - 1));
  expect(answered2.filter((p) => answered1.includes(p))).toEqual([]);
  expect([...answered1, ...answered2].sort()).toEqual([...reference.prompts].sort());
  // and the outcome is the uninterrupted run's
  expect(comparableResults(out)).toEqual(reference.results);
  expect(samples(out)).toBe(reference.samples);
  return { first };
}

describe('--use_cache resume', () => {
  it('resumes after SIGKILL without repeating a model call', async () => {
    const { first } = await interruptAndResume('sigkill', (r) => r.proc.kill('SIGKILL'));
    expect(first.signal).toBe('SIGKILL');
  });

  it('stops on SIGINT, says how to resume, and resumes without repeating a model call', async () => {
    const { first } = await interruptAndResume('sigint', (r) => r.proc.kill('SIGINT'));
    expect(first.code).toBe(130);
    expect(first.stderr).toContain('run the same command again to resume from the response cache');
  });
});

describe('a server that accepts requests and never answers is visible off a terminal', () => {
  it('periodic progress lines name the request type and task; "waiting for <url>" says how long', async () => {
    await control('/__control/reset');
    await control('/__control/faults', { faults: `hang:nth=${HANG_AT}` });
    const run = runCli(path.join(tmp, 'silent'), path.join(tmp, 'silent-cache', 'run'), { LMEVAL_PROGRESS_INTERVAL: '1', LMEVAL_WAIT_NOTICE_SECS: '1', CI: 'true' });
    let stderr = '';
    run.proc.stderr!.on('data', (d: Buffer | string) => (stderr += String(d)));
    await waitFor(async () => /waiting for .*\/v1\/completions: no answer for \d+ s/.test(stderr) && /loglikelihood requests: \d+\/\d+ \(\d+%\).*\[arc_easy\]/.test(stderr), 'the waiting and progress lines', 120_000);
    run.proc.kill('SIGINT');
    const r = await run.done;
    await control('/__control/faults', { faults: '' });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^WARNING: \[openai\] waiting for http:\/\/127\.0\.0\.1:\d+\/v1\/completions: no answer for \d+ s \(1 request outstanding; each attempt times out after \d+ s, \d+ attempts\)$/m);
    expect(r.stderr).toMatch(/^loglikelihood requests: \d+\/\d+ \(\d+%\)( [\d.]+ req\/s ETA \S+)? \[arc_easy\]$/m);
    expect(r.stderr).toContain('Stopping… (press Ctrl-C again to exit at once)');
  }, 180_000);
});

