/**
 * `lm-eval answers` end to end: the real CLI against an OpenAI-compatible server started by the
 * test (answer model + deterministic judge: replies are fixed functions of the prompt, see
 * core's testing/scripted-judge.ts), a resume after SIGKILL that re-judges nothing already
 * judged, and the bundled stories260k model offline.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonChatStr } from '@lm-eval/core';
import { ScriptedAnswerer, ScriptedJudge } from '@lm-eval/core/testing';
import { BIN, ROOT, runCli } from './cli-harness.ts';

const QUESTIONS = [
  { query: 'Capital of France? ASK:1', output_true: 'Paris' },
  { query: 'Two plus two? ASK:7', output_true: '4' },
  { query: 'Broken judge? ASK:banana', output_true: 'x' },
];

interface Seen {
  model: string;
  messages: Array<{ role: string; content: string }>;
  seed: unknown;
}

let tmp: string;
let url: string;
let server: http.Server;
/** requests answered (a hung request is not) */
let answered: Seen[] = [];
/** judge requests received */
let judgeArrivals = 0;
let hangJudgeAt: number | null = null;
const hung: http.ServerResponse[] = [];

const answerer = new ScriptedAnswerer();
const judge = new ScriptedJudge();

async function reply(body: Record<string, any>): Promise<Record<string, unknown>> {
  const messages = body.messages as Array<{ role: string; content: string }>;
  const lm = body.model === 'judge' ? judge : answerer;
  let detail: Record<string, any> = {};
  const [text] = await lm.generateUntil([{ context: JsonChatStr.of(JSON.stringify(messages)), genKwargs: { seed: body.seed } }], { onDetail: (_, d) => (detail = d as Record<string, any>) });
  const message: Record<string, unknown> = { role: 'assistant', content: text };
  if (detail.reasoning) message.reasoning_content = detail.reasoning;
  return {
    id: 'x',
    object: 'chat.completion',
    model: body.model,
    choices: [{ index: 0, message, finish_reason: 'stop' }],
    usage: { prompt_tokens: detail.prompt_tokens ?? 3, completion_tokens: detail.completion_tokens ?? 1, total_tokens: 0 },
  };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-answers-e2e-'));
  fs.writeFileSync(path.join(tmp, 'questions.jsonl'), QUESTIONS.map((q) => JSON.stringify(q)).join('\n') + '\n');
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', async () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404).end('{"error": "not found"}');
        return;
      }
      const body = JSON.parse(raw);
      if (body.model === 'judge' && ++judgeArrivals === hangJudgeAt) {
        hung.push(res); // never answered
        return;
      }
      const out = await reply(body);
      answered.push({ model: body.model, messages: body.messages, seed: body.seed });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/chat/completions`;
});

afterAll(async () => {
  for (const res of hung) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function args(out: string, extra: string[] = []): string[] {
  return [
    'answers',
    '--dataset',
    'questions.jsonl',
    '--model',
    'local-chat-completions',
    '--model_args',
    `base_url=${url},model=answerer,tokenizer_backend=none`,
    '--repeat',
    '2',
    '--num_concurrent',
    '4',
    '--system_instruction',
    'Answer briefly.',
    '--gen_kwargs',
    'temperature=0.7,max_tokens=64',
    '--run_name',
    'demo',
    '--output_path',
    out,
    '--judge_model',
    `base_url=${url},model=judge`,
    ...extra,
  ];
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('lm-eval answers', () => {
  it('writes EvalAP answers files per repetition, a details file and judge scores', async () => {
    answered = [];
    const out = path.join(tmp, 'out');
    const r = await runCli(
      args(out, ['--metrics', 'judge_exactness,judge_notator,output_length,generation_time,reasoning_length', '--judge_template', '{{ output }} JUDGE:parity', '--judge_parser', 'binary']),
      { cwd: tmp },
    );
    expect(r.code, r.stderr).toBe(0);
    const rep0 = readJson(path.join(out, 'demo__0.json'));
    const rep1 = readJson(path.join(out, 'demo__1.json'));
    expect(rep0).toHaveLength(3);
    expect(rep0[1]).toMatchObject({
      num_line: 1,
      success: true,
      query: 'Two plus two? ASK:7',
      output: 'Two plus two? JUDGE:7 #1234',
      error: null,
      reasoning: 'thinking: Two plus two? ASK:7',
      finish_reason: 'stop',
      completion_tokens: 5,
      output_true: '4',
      metrics: { judge_exactness: null, judge_notator: 7, output_length: 5, reasoning_length: 'thinking: Two plus two? ASK:7'.length, judge_custom: 0 },
      judgements: { judge_exactness: { raw: '7', score: null }, judge_custom: { raw: '0', score: 0 } },
    });
    expect(typeof rep0[1].execution_time).toBe('number');
    expect(rep1[1].output).toBe('Two plus two? JUDGE:7 #1235'); // distinct seed per repetition
    expect(rep1[1].metrics.judge_custom).toBe(1);

    // the answer model got the system prompt and one seed per repetition
    const asked = answered.filter((a) => a.model === 'answerer');
    expect(asked).toHaveLength(6);
    expect(asked[0].messages[0]).toEqual({ role: 'system', content: 'Answer briefly.' });
    expect(new Set(asked.map((a) => a.seed))).toEqual(new Set([1234, 1235]));
    // 3 judges × 3 questions × 2 repetitions
    expect(answered.filter((a) => a.model === 'judge')).toHaveLength(18);

    const details = readJson(path.join(out, 'demo__details.json'));
    expect(details).toMatchObject({
      name: 'answerer',
      base_url: url,
      system_prompt: 'Answer briefly.',
      sampling_params: { temperature: 0.7, max_tokens: 64 },
      dataset: 'questions.jsonl',
      repeat: 2,
      seeds: [1234, 1235],
      backend: 'local-chat-completions',
      judge: { backend: 'local-chat-completions', model_args: { base_url: url, model: 'judge', num_concurrent: 4 } },
    });
    expect(details.metrics.judge_exactness).toMatchObject({ mean: 1, per_repeat: [1, 1], none: 4, scored: 2 });
    expect(details.metrics.judge_notator).toMatchObject({ mean: 4, per_repeat: [4, 4], none: 2, scored: 4 });
    expect(details.metrics.judge_custom).toMatchObject({ mean: 0.5, per_repeat: [0, 1], none: 0 });
    expect(details.metrics.judge_custom.judge.template_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(details.versions.node).toBe(process.version);
    expect(details.timings.total_seconds).toBeGreaterThan(0);
    expect(details.task_yaml).toContain('output_type: generate_until');

    // the standard results and samples files
    const sub = path.join(out, 'answerer');
    const samplesFile = fs.readdirSync(sub).find((f) => f.startsWith('samples_answers_demo_'))!;
    const sample = JSON.parse(fs.readFileSync(path.join(sub, samplesFile), 'utf8').split('\n')[0]);
    expect(sample.generations).toHaveLength(2);
    expect(sample.judgements.judge_notator[0]).toEqual({ raw: '1', reasoning: 'judged 1', score: 1 });
    expect(r.stdout).toMatch(/judge_notator/);
    expect(r.stderr).toMatch(/answers_demo: judge_exactness: 4 of 6 values are None \(judge replies its parser could not read\)/);

    // lm-eval report over the answers folder: judge metrics as mean ± std over the repetitions
    const rep = await runCli(['report', out, '--output_path', path.join(tmp, 'report')], { cwd: tmp });
    expect(rep.code, rep.stderr).toBe(0);
    const md = fs.readFileSync(path.join(tmp, 'report', 'leaderboard.md'), 'utf8');
    const table = md.split('## answers_demo')[1].split('\n').filter((l) => l.startsWith('|'));
    const split = (l: string) => l.slice(1, -1).split('|').map((c) => c.trim());
    const cols = split(table[0]);
    const cells = split(table[2]);
    const cell = (metric: string) => cells[cols.findIndex((c) => c.startsWith(metric))];
    expect(cell('judge_custom')).toBe('0.5000 ± 0.7071'); // per-repeat means [0, 1]
    expect(cell('judge_notator')).toBe('4.0000 ± 0.0000');
    expect(cell('judge_exactness')).toBe('1.0000 ± 0.0000');
    expect(fs.existsSync(path.join(tmp, 'report', 'report.html'))).toBe(true);
  });

  it('a run killed with SIGKILL while judging resumes without asking or judging anything twice', async () => {
    const out = path.join(tmp, 'resume');
    const cache = path.join(tmp, 'resume-cache', 'run');
    const extra = ['--metrics', 'judge_notator', '--use_cache', cache];
    const argv = args(out, extra).map((a) => (a === `base_url=${url},model=judge` ? `base_url=${url},model=judge,num_concurrent=1` : a));
    answered = [];
    judgeArrivals = 0;
    hangJudgeAt = 4;
    const proc: ChildProcess = spawn(process.execPath, [BIN, ...argv], { cwd: tmp, env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
    const closed = new Promise((resolve) => proc.on('close', resolve));
    const end = Date.now() + 60_000;
    while (judgeArrivals < 4) {
      if (Date.now() > end) throw new Error('the judge never reached request 4');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300)); // longer than the cache's 50 ms commit interval
    proc.kill('SIGKILL');
    await closed;
    const first = answered;
    expect(first.filter((a) => a.model === 'answerer')).toHaveLength(6);
    const judged1 = first.filter((a) => a.model === 'judge').map((a) => a.messages[0].content);
    expect(judged1).toHaveLength(3);

    answered = [];
    hangJudgeAt = null;
    const second = await runCli(argv, { cwd: tmp });
    expect(second.code, second.stderr).toBe(0);
    expect(answered.filter((a) => a.model === 'answerer')).toEqual([]); // every answer from the cache
    const judged2 = answered.filter((a) => a.model === 'judge').map((a) => a.messages[0].content);
    expect(judged2).toHaveLength(3);
    expect(judged2.filter((p) => judged1.includes(p))).toEqual([]);
    expect(readJson(path.join(out, 'demo__details.json')).metrics.judge_notator).toMatchObject({ mean: 4, none: 2, scored: 4 });
  });

  it('runs offline on the bundled model', async () => {
    const out = path.join(tmp, 'hf');
    const r = await runCli(
      [
        'answers',
        '--dataset',
        path.join(ROOT, 'examples/answers/questions.jsonl'),
        '--model',
        'hf',
        '--model_args',
        `pretrained=${path.join(ROOT, 'models/stories260k')}`,
        '--gen_kwargs',
        'max_gen_toks=8',
        '--repeat',
        '2',
        '--metrics',
        'output_length,generation_time,reasoning_length',
        '--run_name',
        'stories',
        '--output_path',
        out,
      ],
      { cwd: tmp },
    );
    expect(r.code, r.stderr).toBe(0);
    const rep0 = readJson(path.join(out, 'stories__0.json'));
    const rep1 = readJson(path.join(out, 'stories__1.json'));
    expect(rep0).toHaveLength(3);
    // greedy: both repetitions give the same answer
    expect(rep1.map((x: any) => x.output)).toEqual(rep0.map((x: any) => x.output));
    for (const rec of rep0) {
      expect(rec.completion_tokens).toBeGreaterThan(0);
      expect(rec.completion_tokens).toBeLessThanOrEqual(8);
      expect(rec.metrics.output_length).toBe(rec.completion_tokens);
      expect(rec.metrics.generation_time).toBe(rec.execution_time);
      expect(rec.metrics.reasoning_length).toBe(0);
    }
    const details = readJson(path.join(out, 'stories__details.json'));
    expect(details).toMatchObject({ backend: 'hf', repeat: 2, seeds: null, judge: null });
    expect(fs.readdirSync(out).some((f) => fs.statSync(path.join(out, f)).isDirectory())).toBe(true);
  });

  it('names the missing flag', async () => {
    const r = await runCli(['answers', '--run_name', 'x'], { cwd: tmp });
    expect(r.code).toBe(1);
    expect(r.lastErr).toBe('Error: lm-eval answers needs --dataset — e.g. --dataset questions.jsonl');
  });
});
