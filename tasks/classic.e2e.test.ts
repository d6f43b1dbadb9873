/**
 * The classic lm-eval tasks, end to end: each is listed by the task index, loads its tiny offline
 * documents from tasks/testdata (an LM_EVAL_DATASETS_DIR mirror), runs on the deterministic
 * `dummy` model through runEvaluation, sends the expected number of requests of the expected
 * type, and reports finite values for its metrics. One multiple-choice task also runs on the real
 * stories260K model through the CLI (`--model hf`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type LM } from '@lm-eval/core';
import { runEvaluation } from '@lm-eval/core/engine';
import { TaskIndex } from '@lm-eval/core/tasks';
import { isNumberLike, toNumber } from '@lm-eval/core/python';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = path.join(ROOT, 'tasks', 'testdata');
const BIN = path.join(ROOT, 'packages', 'cli', 'bin', 'lm-eval.mjs');

type RequestType = 'loglikelihood' | 'loglikelihood_rolling' | 'generate_until';
type Counts = Record<RequestType, number>;

/** Delegates to the real model and counts the requests of each type. */
function counting(lm: LM, counts: Counts): LM {
  return {
    name: lm.name,
    loglikelihood: (reqs, hooks) => {
      counts.loglikelihood += reqs.length;
      return lm.loglikelihood(reqs, hooks);
    },
    loglikelihoodRolling: (reqs, hooks) => {
      counts.loglikelihood_rolling += reqs.length;
      return lm.loglikelihoodRolling(reqs, hooks);
    },
    generateUntil: (reqs, hooks) => {
      counts.generate_until += reqs.length;
      return lm.generateUntil(reqs, hooks);
    },
    close: () => lm.close?.() ?? Promise.resolve(),
  };
}

async function run(tasks: string[], extra: { limit?: number } = {}) {
  const counts: Counts = { loglikelihood: 0, loglikelihood_rolling: 0, generate_until: 0 };
  const out = await runEvaluation({
    model: 'dummy',
    tasks,
    cwd: ROOT,
    env: { ...process.env, LM_EVAL_DATASETS_DIR: DATA },
    logSamples: true,
    bootstrapIters: 0,
    wrapModel: (lm) => counting(lm, counts),
    ...extra,
  });
  return { counts, results: out.results as Record<string, any>, samples: out.samples };
}

interface Case {
  task: string;
  /** request counts per type, computed from the tiny data (docs × choices) */
  requests: Partial<Counts>;
  /** metric keys `<metric>,<filter>` expected in results[task] */
  metrics: string[];
  nShot?: number;
}

const MC = ['acc,none', 'acc_norm,none'];
const CASES: Case[] = [
  { task: 'arc_easy', requests: { loglikelihood: 32 }, metrics: MC },
  { task: 'arc_challenge', requests: { loglikelihood: 19 }, metrics: MC },
  { task: 'arc_challenge_chat', requests: { generate_until: 5 }, metrics: ['exact_match,remove_whitespace'] },
  { task: 'hellaswag', requests: { loglikelihood: 32 }, metrics: MC },
  { task: 'piqa', requests: { loglikelihood: 10 }, metrics: MC },
  { task: 'winogrande', requests: { loglikelihood: 10 }, metrics: ['acc,none'] },
  { task: 'boolq', requests: { loglikelihood: 8 }, metrics: ['acc,none'] },
  { task: 'openbookqa', requests: { loglikelihood: 16 }, metrics: MC },
  { task: 'lambada_openai', requests: { loglikelihood: 4 }, metrics: ['perplexity,none', 'acc,none'] },
  { task: 'lambada_standard', requests: { loglikelihood: 3 }, metrics: ['perplexity,none', 'acc,none'] },
  { task: 'wikitext', requests: { loglikelihood_rolling: 8 }, metrics: ['word_perplexity,none', 'byte_perplexity,none', 'bits_per_byte,none'] },
  { task: 'gsm8k', requests: { generate_until: 9 }, metrics: ['exact_match,strict-match', 'exact_match,flexible-extract'], nShot: 5 },
  { task: 'gsm8k_cot', requests: { generate_until: 9 }, metrics: ['exact_match,strict-match', 'exact_match,flexible-extract'], nShot: 8 },
  { task: 'truthfulqa_mc1', requests: { loglikelihood: 8 }, metrics: ['acc,none'] },
  { task: 'truthfulqa_mc2', requests: { loglikelihood: 11 }, metrics: ['acc,none'] },
  { task: 'triviaqa', requests: { generate_until: 4 }, metrics: ['exact_match,remove_whitespace'] },
  { task: 'xnli_en', requests: { loglikelihood: 9 }, metrics: ['acc,none'] },
  { task: 'xnli_ru', requests: { loglikelihood: 9 }, metrics: ['acc,none'] },
];

function expectFinite(entry: Record<string, unknown> | undefined, keys: string[], where: string) {
  expect(entry, where).toBeDefined();
  for (const k of keys) {
    const v = entry![k];
    // integral floats (0.0, 1.0) arrive as PyFloat
    expect(isNumberLike(v) && Number.isFinite(toNumber(v)), `${where}: ${k} = ${String(v)}`).toBe(true);
  }
}

describe('classic tasks are indexed', () => {
  const index = TaskIndex.build({});
  const tasks = new Set(index.allTasks().map((e) => e.name));
  const groups = new Set(index.allGroups().map((e) => e.name));
  const tags = new Set(index.allTags().map((e) => e.name));

  it('lists every task, the mmlu and xnli groups and the tags', () => {
    for (const c of CASES) expect(tasks.has(c.task), c.task).toBe(true);
    for (const g of ['mmlu', 'mmlu_stem', 'mmlu_other', 'mmlu_social_sciences', 'mmlu_humanities', 'xnli']) expect(groups.has(g), g).toBe(true);
    for (const t of ['ai2_arc', 'chain_of_thought', 'lambada', 'super-glue-lm-eval-v1', 'truthfulqa', 'math_word_problems', 'multiple_choice']) expect(tags.has(t), t).toBe(true);
    expect(index.allTags().find((t) => t.name === 'ai2_arc')?.tasks).toEqual(['arc_challenge', 'arc_easy']);
    expect(index.allTags().find((t) => t.name === 'lambada')?.tasks).toEqual(['lambada_openai', 'lambada_standard']);
    expect(index.allTags().find((t) => t.name === 'truthfulqa')?.tasks).toEqual(['truthfulqa_mc1', 'truthfulqa_mc2']);
    expect([...tasks].filter((t) => t.startsWith('mmlu_') && !groups.has(t))).toHaveLength(57);
    expect([...tasks].filter((t) => /^xnli_[a-z]{2}$/.test(t))).toHaveLength(15);
  });
});

describe('classic tasks on the dummy model', () => {
  for (const c of CASES) {
    it(`${c.task}: requests and metrics`, async () => {
      const { counts, results } = await run([c.task]);
      const expected: Counts = { loglikelihood: 0, loglikelihood_rolling: 0, generate_until: 0, ...c.requests };
      expect(counts).toEqual(expected);
      expectFinite(results.results[c.task], c.metrics, c.task);
      expect(results['n-shot'][c.task]).toBe(c.nShot ?? 0);
    });
  }

  it('mmlu: 57 subjects, four subgroups and the top group aggregate acc', async () => {
    const { counts, results } = await run(['mmlu']);
    expect(counts).toEqual({ loglikelihood: 692, loglikelihood_rolling: 0, generate_until: 0 });
    for (const g of ['mmlu', 'mmlu_stem', 'mmlu_other', 'mmlu_social_sciences', 'mmlu_humanities']) expectFinite(results.groups[g], ['acc,none'], g);
    expect(Object.keys(results.configs)).toHaveLength(57);
  });

  it('xnli: 15 languages aggregated by the group', async () => {
    const { counts, results } = await run(['xnli']);
    expect(counts).toEqual({ loglikelihood: 135, loglikelihood_rolling: 0, generate_until: 0 });
    expectFinite(results.groups.xnli, ['acc,none'], 'xnli');
    expect(Object.keys(results.configs).sort()).toEqual(
      ['ar', 'bg', 'de', 'el', 'en', 'es', 'fr', 'hi', 'ru', 'sw', 'th', 'tr', 'ur', 'vi', 'zh'].map((l) => `xnli_${l}`),
    );
  });

  it('prompts: winogrande contexts, truthfulqa primer, xnli choices, lambada split, arc chat prompt, triviaqa stops, gsm8k_cot shots', async () => {
    const { samples } = await run(['winogrande', 'truthfulqa_mc1', 'xnli_ru', 'lambada_openai', 'lambada_standard', 'arc_challenge_chat', 'triviaqa', 'gsm8k_cot'], { limit: 1 });
    const args = (task: string) => samples[task][0].arguments as Record<string, { arg_0: unknown; arg_1: unknown }>;

    const wg = args('winogrande');
    expect(wg.gen_args_0.arg_0).toBe('The trophy did not fit in the suitcase because the trophy');
    expect(wg.gen_args_1.arg_0).toBe('The trophy did not fit in the suitcase because the suitcase');
    expect(wg.gen_args_0.arg_1).toBe(' was too big.');
    expect(samples.winogrande[0].target).toBe('was too big.');

    const tq = String(args('truthfulqa_mc1').gen_args_0.arg_0);
    expect(tq.startsWith('Q: What is human life expectancy in the United States?\nA: Human life expectancy')).toBe(true);
    expect(tq.endsWith('held in Barcelona, Spain.\n\nQ: What happens if you swallow gum?\nA:')).toBe(true);
    expect(args('truthfulqa_mc1').gen_args_0.arg_1).toBe(' It passes through your digestive system.');

    const xr = args('xnli_ru');
    expect(xr.gen_args_0.arg_0).toBe('');
    expect(xr.gen_args_2.arg_1).toBe(' Кошка спит на диване., правильно? Нет, На диване есть кошка.');

    const lam = args('lambada_openai');
    expect(String(lam.gen_args_0.arg_0).endsWith('She read every single')).toBe(true);
    expect(lam.gen_args_0.arg_1).toBe(' letter');

    const tr = args('triviaqa');
    expect(tr.gen_args_0.arg_0).toBe('Question: Which city is the capital of France?\nAnswer:');
    expect((tr.gen_args_0.arg_1 as { until: string[] }).until).toEqual(['\n', '.', ',']);

    const ls = args('lambada_standard');
    expect(String(ls.gen_args_0.arg_0).endsWith('just to check the')).toBe(true);
    expect(ls.gen_args_0.arg_1).toBe(' lamp');

    // single-quoted YAML: the "\n" in the prompt stay a literal backslash-n, as in lm-eval
    const chat = args('arc_challenge_chat');
    expect(String(chat.gen_args_0.arg_0).startsWith('Given the following question and four candidate answers (A, B, C and D), choose the best answer.\\nQuestion: Which tool')).toBe(true);
    expect(String(chat.gen_args_0.arg_0).endsWith('is one of A, B, C or D. The best answer is')).toBe(true);
    expect(chat.gen_args_0.arg_1).toEqual({ max_gen_toks: 100, until: ['\n\n', '.'] });
    expect(samples.arc_challenge_chat[0].target).toBe('B');

    const cot = String(args('gsm8k_cot').gen_args_0.arg_0);
    expect(cot.split('\n\n')).toHaveLength(9);
    expect(cot.startsWith('Q: There are 15 trees in the grove.')).toBe(true);
    expect(cot.endsWith('\n\nQ: What is 6 times 7?\nA:')).toBe(true);
    expect(samples.gsm8k_cot[0].target).toBe('42');
  });
});

describe('a classic task on the real stories260K model (--model hf)', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'lm-eval-classic-hf-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('piqa with --limit 3: acc/acc_norm agree with the logged log-likelihoods', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, '--model', 'hf', '--model_args', 'pretrained=models/stories260k', '--tasks', 'piqa', '--limit', '3', '--output_path', out, '--log_samples'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LM_EVAL_DATASETS_DIR: DATA } },
    );
    expect(r.status, r.stderr).toBe(0);
    const dir = path.join(out, 'models__stories260k');
    const files = readdirSync(dir);
    const resultsFile = files.find((f) => f.startsWith('results_'))!;
    const samplesFile = files.find((f) => f.startsWith('samples_piqa_'))!;
    const results = JSON.parse(readFileSync(path.join(dir, resultsFile), 'utf8'));
    const samples = readFileSync(path.join(dir, samplesFile), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(samples).toHaveLength(3);
    let acc = 0;
    let accNorm = 0;
    for (const s of samples) {
      // filtered_resps: [[logprob, is_greedy], ...] as strings (Python str() of each value)
      const lls = (s.filtered_resps as [string, string][]).map(([ll]) => Number(ll));
      expect(lls).toHaveLength(2);
      for (const ll of lls) expect(Number.isFinite(ll) && ll < 0).toBe(true);
      const choices = [s.doc.sol1, s.doc.sol2] as string[];
      const norm = lls.map((ll, i) => ll / [...choices[i]].length);
      const pred = lls[1] > lls[0] ? 1 : 0;
      const predNorm = norm[1] > norm[0] ? 1 : 0;
      expect(s.acc).toBe(pred === s.doc.label ? 1 : 0);
      expect(s.acc_norm).toBe(predNorm === s.doc.label ? 1 : 0);
      acc += s.acc;
      accNorm += s.acc_norm;
    }
    expect(results.results.piqa['acc,none']).toBeCloseTo(acc / 3, 12);
    expect(results.results.piqa['acc_norm,none']).toBeCloseTo(accNorm / 3, 12);
    expect(results.config.model).toBe('hf');
  });
});
