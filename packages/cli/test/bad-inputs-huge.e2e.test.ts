/**
 * Huge inputs through the real `lm-eval` binary: a run busy tokenising a multi-megabyte prompt
 * stops on Ctrl-C (SIGINT) with exit code 130, and a second Ctrl-C exits at once; either way the
 * response cache passes SQLite's integrity check and a rerun is answered from it. Each run
 * evaluates a small generate_until task first (its answers go to the cache), then the huge
 * multiple-choice task, and is interrupted when the CLI's progress line (every 0.2 s here) reports
 * the huge task's requests under way (no fixed sleep). In the first test the server holds every
 * request after the fifth (the four small_gen answers and the huge task's probe), so the signal
 * always arrives mid-run however fast the prompt is encoded. Time limits here are hang guards only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli } from './cli-harness.ts';
import { control, spawnTestServer } from '../../openai/test/server/spawn.ts';

const MODEL = path.join(ROOT, 'models/stories260k');

const SMALL = `task: small_gen
dataset_path: json
dataset_kwargs:
  data_files: {test: small.jsonl}
test_split: test
output_type: generate_until
doc_to_text: "{{q}}"
doc_to_target: " the cat"
generation_kwargs: {until: ["\\n"], max_gen_toks: 4}
metric_list:
  - metric: exact_match
`;
const HUGE = `task: huge_mc
dataset_path: json
dataset_kwargs:
  data_files: {test: huge.jsonl}
test_split: test
output_type: multiple_choice
doc_to_text: "{{text}}"
doc_to_target: 0
doc_to_choice: [" yes", " no"]
metric_list:
  - metric: acc
`;

let tmp: string;
let server: ChildProcess;
let url: string;

/** A story-like text of about `chars` characters (deterministic). */
function story(chars: number): string {
  const words = ['Once', 'upon', 'a', 'time,', 'there', 'was', 'a', 'little', 'girl', 'named', 'Lily.', 'She', 'liked', 'to', 'play', 'in', 'the', 'park', 'with', 'her', 'red', 'ball.'];
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < chars; i++) {
    const w = words[(i * 7 + (i >> 3)) % words.length];
    out.push(w);
    n += w.length + 1;
  }
  return out.join(' ');
}

function writeTasks(dir: string, hugeChars: number): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'small_gen.yaml'), SMALL);
  fs.writeFileSync(path.join(dir, 'huge_mc.yaml'), HUGE);
  fs.writeFileSync(path.join(dir, 'small.jsonl'), ['Once upon a time', 'The dog', 'Lily saw', 'Tom had'].map((q) => JSON.stringify({ q })).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'huge.jsonl'), [story(hugeChars), 'Once upon a time'].map((text) => JSON.stringify({ text })).join('\n') + '\n');
}

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the CLI and sends SIGINT `times` times (each once the previous was delivered) once stderr shows `trigger`. */
function interruptWhen(args: string[], cwd: string, trigger: RegExp, times: number, env: NodeJS.ProcessEnv = {}): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, CI: 'true', LMEVAL_LOG_LEVEL: '', LMEVAL_PROGRESS_INTERVAL: '0.2', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!sent && trigger.test(stderr)) {
        sent = true;
        void (async () => {
          for (let i = 0; i < times; i++) {
            // a signal sent while the same one is still pending is merged with it: wait until
            // the kernel has delivered the previous one (its bit leaves the pending set)
            if (i > 0) await delivered(proc.pid!);
            proc.kill('SIGINT');
          }
        })();
      }
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code, signal, stderr: sent ? stderr : `(never saw ${trigger})\n${stderr}` }));
  });
}

/** Resolves once no SIGINT is pending for `pid` (Linux: /proc/<pid>/status ShdPnd/SigPnd); elsewhere after 100 ms. */
async function delivered(pid: number): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    let status: string;
    try {
      status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      await new Promise((r) => setTimeout(r, 100));
      return;
    }
    const pending = [...status.matchAll(/^(?:ShdPnd|SigPnd):\s*([0-9a-f]+)/gm)].some((m) => (BigInt(`0x${m[1]}`) & 2n) !== 0n);
    if (!pending) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

function integrity(file: string): { check: string; answers: number } {
  const db = new Database(file, { readonly: true });
  try {
    const check = db.pragma('integrity_check', { simple: true }) as string;
    const answers = (db.prepare(`SELECT COUNT(*) AS n FROM "unnamed" WHERE key NOT LIKE 'detail:%'`).get() as { n: number }).n;
    return { check, answers };
  } finally {
    db.close();
  }
}

async function setFaults(faults: string): Promise<void> {
  await control(url, '/__control/faults', { faults });
}

async function completionRequests(): Promise<number> {
  return ((await control(url, '/__control/stats')).bodies as unknown[]).length;
}

const STARTED = /loglikelihood requests: 0\/\d+ .*\[huge_mc\]/;
/** Any progress line of the huge task (the first test holds its requests at the server). */
const UNDER_WAY = /loglikelihood requests: \d+\/\d+ .*\[huge_mc\]/;
const NO_TRACE = /^\s+at \S+ \(|Unhandled|node:internal|\bTypeError\b|\bRangeError\b|heap out of memory/m;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-huge-'));
  ({ proc: server, url } = await spawnTestServer(['--model', MODEL]));
}, 120_000);

afterAll(() => {
  server?.kill('SIGTERM');
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('Ctrl-C during a run with a huge prompt', () => {
  it('one Ctrl-C stops the run (exit 130); the cache is intact and a rerun is answered from it', async () => {
    const work = path.join(tmp, 'once');
    writeTasks(work, 2_000_000);
    const modelArgs = `model=stories260k,base_url=${url}/v1/completions,tokenizer_backend=huggingface,tokenizer=${MODEL},max_length=512`;
    const common = ['--model', 'local-completions', '--model_args', modelArgs, '--include_path', '.', '--use_cache', 'cache/run'];
    await setFaults('hang:after=5');
    let r: Interrupted;
    try {
      r = await interruptWhen([...common, '--tasks', 'small_gen,huge_mc'], work, UNDER_WAY, 1);
    } finally {
      await setFaults('');
    }
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('Stopping… (press Ctrl-C again to exit at once)');
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('Interrupted (run the same command again to resume from the response cache).');
    expect(r.stderr).not.toMatch(NO_TRACE);
    const db = integrity(path.join(work, 'cache/run_rank0.db'));
    expect(db.check).toBe('ok');
    expect(db.answers).toBeGreaterThanOrEqual(4);

    const before = await completionRequests();
    const again = await runCli([...common, '--tasks', 'small_gen'], { cwd: work });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/\|small_gen\|/);
    expect(await completionRequests()).toBe(before); // every answer came from the cache
  }, 300_000);

  it('a second Ctrl-C exits at once (exit 130) with the cache closed and intact, even on the transformers.js encoder', async () => {
    const work = path.join(tmp, 'twice');
    // transformers.js encodes one text at a time, synchronously (seconds for this one): both
    // signals arrive while it is busy and are handled, in order, as soon as it yields
    writeTasks(work, 300_000);
    const args = ['--model', 'hf', '--model_args', `pretrained=${MODEL}`, '--include_path', '.', '--use_cache', 'cache/run', '--tasks', 'small_gen,huge_mc'];
    const r = await interruptWhen(args, work, STARTED, 2, { LMEVAL_NATIVE_TOKENIZERS: '0' });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('Interrupted twice: exiting now.');
    expect(r.stderr).not.toMatch(NO_TRACE);
    // closed at exit: no write-ahead log left behind (checked before this test opens the file)
    expect(fs.existsSync(path.join(work, 'cache/run_rank0.db-wal'))).toBe(false);
    const db = integrity(path.join(work, 'cache/run_rank0.db'));
    expect(db.check).toBe('ok');
    expect(db.answers).toBe(4);
  }, 300_000);
});
