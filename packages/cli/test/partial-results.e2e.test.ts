/**
 * A run whose server fails part-way keeps what finished: the real CLI evaluates two tasks through
 * `local-completions` against the local OpenAI-compatible test server; the server answers the
 * first task (loglikelihood) and fails every request of the second (generate_until) after
 * retries. The run exits nonzero, names the failed task and how to resume, and the first task's
 * results and samples are on disk with the numbers of a run of that task alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli-harness.ts';
import { control as controlServer, spawnTestServer } from '../../openai/test/server/spawn.ts';

const MODEL = path.join(ROOT, 'models/stories260k');

let tmp: string;
let server: ChildProcess;
let url: string;

const MC = `task: mc_ok
dataset_path: json
dataset_kwargs:
  data_files: {test: data.jsonl}
test_split: test
output_type: multiple_choice
doc_to_text: "{{q}}"
doc_to_target: 0
doc_to_choice: [" the cat", " a dog"]
metric_list:
  - metric: acc
`;
const GEN = `task: gen_fails
dataset_path: json
dataset_kwargs:
  data_files: {test: data.jsonl}
test_split: test
output_type: generate_until
doc_to_text: "{{q}}"
doc_to_target: " the cat"
generation_kwargs: {until: ["\\n"], max_gen_toks: 4}
metric_list:
  - metric: exact_match
`;

const control = (pathname: string, body?: unknown) => controlServer(url, pathname, body);

function run(tasks: string, out: string) {
  return runCli(
    [
      '--model',
      'local-completions',
      '--model_args',
      `model=stories260k,base_url=${url}/v1/completions,tokenizer_backend=huggingface,tokenizer=${MODEL},max_length=514,max_retries=2`,
      '--tasks',
      tasks,
      '--include_path',
      path.join(tmp, 'tasks'),
      '--output_path',
      out,
      '--log_samples',
    ],
    { cwd: path.join(tmp, 'tasks') },
  );
}

function resultsIn(folder: string): { file: string; json: Record<string, any>; files: string[] } {
  const sub = path.join(folder, 'stories260k');
  const files = fs.readdirSync(sub);
  const file = files.find((f) => f.startsWith('results_'))!;
  return { file, json: JSON.parse(fs.readFileSync(path.join(sub, file), 'utf8')), files };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-partial-'));
  fs.mkdirSync(path.join(tmp, 'tasks'));
  fs.writeFileSync(path.join(tmp, 'tasks', 'mc_ok.yaml'), MC);
  fs.writeFileSync(path.join(tmp, 'tasks', 'gen_fails.yaml'), GEN);
  const docs = ['Once upon a time there was', 'The little girl saw', 'He liked to play with'];
  fs.writeFileSync(path.join(tmp, 'tasks', 'data.jsonl'), docs.map((q) => JSON.stringify({ q })).join('\n') + '\n');
  ({ proc: server, url } = await spawnTestServer(['--model', MODEL]));
});

afterAll(async () => {
  server?.kill('SIGKILL');
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('a run that fails part-way', () => {
  it('writes the finished task’s results and samples, exits nonzero and names the failed task', async () => {
    // the reference: the first task alone, no faults
    const alone = await run('mc_ok', path.join(tmp, 'alone'));
    expect(alone.code, alone.stderr).toBe(0);
    const reference = resultsIn(path.join(tmp, 'alone')).json.results.mc_ok;
    expect(reference['acc,none']).toBeTypeOf('number');

    // requests: 1 loglikelihood probe, 1 generation probe (preflight), the other 5 of mc_ok's
    // 6 loglikelihood requests; every request after those fails (HTTP 500, after retries)
    await control('/__control/faults', { faults: '500:after=7' });
    const r = await run('mc_ok,gen_fails', path.join(tmp, 'partial'));
    await control('/__control/faults', { faults: '' });
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/gen_fails failed/);
    expect(r.stderr).toMatch(/finished task\(s\) \(mc_ok\) were written/);
    expect(r.stderr).toMatch(/--use_cache/);
    const partial = resultsIn(path.join(tmp, 'partial'));
    expect(Object.keys(partial.json.results)).toEqual(['mc_ok']);
    expect(partial.json.results.mc_ok).toEqual(reference);
    expect(partial.files.some((f) => f.startsWith('samples_mc_ok_') && !f.endsWith('.partial'))).toBe(true);
    expect(partial.files.some((f) => f.startsWith('samples_gen_fails_'))).toBe(false);
  });
});
