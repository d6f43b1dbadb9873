/**
 * Every MERA task (base, `_gen`, `_localscore`) end to end on the `dummy` model through the
 * library API, on the synthetic documents of tasks/mera/testdata (an LM_EVAL_DATASETS_DIR
 * mirror): the task loads under the 0.4.4 profile, the expected number of requests reaches the
 * model, and every metric of the task is aggregated.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GenerateRequest, type LoglikelihoodRequest, type RequestHooks } from '@lm-eval/core';
import { runEvaluation } from '@lm-eval/core/engine';
import { DummyLM } from '@lm-eval/core/models';
import { CONFIRM_UNSAFE_ENV } from './code_runner.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MIRROR = path.join(HERE, 'testdata');

class CountingLM extends DummyLM {
  calls = 0;
  requests = 0;
  async loglikelihood(reqs: LoglikelihoodRequest[], hooks?: RequestHooks) {
    this.calls++;
    this.requests += reqs.length;
    return super.loglikelihood(reqs, hooks);
  }
  async generateUntil(reqs: GenerateRequest[], hooks?: RequestHooks) {
    this.calls++;
    this.requests += reqs.length;
    return super.generateUntil(reqs, hooks);
  }
}

function docCount(dataset: string, split: string): number {
  const text = readFileSync(path.join(MIRROR, 'MERA-evaluation/MERA', dataset, `${split}.jsonl`), 'utf8');
  return text.split('\n').filter((l) => l.trim()).length;
}

interface Case {
  task: string;
  dataset: string;
  split: string;
  /** requests per doc: choices (MC) or repeats (generative) */
  perDoc: number;
  metrics: string[];
}

const mc = (task: string, dataset: string, split: string, choices: number, metrics: string[]): Case => ({ task, dataset, split, perDoc: choices, metrics });
const gen = (task: string, dataset: string, split: string, metrics: string[], repeats = 1): Case => ({ task, dataset, split, perDoc: repeats, metrics });

const RUMMLU_DOMAINS = ['abstract_algebra', 'virology', 'astronomy'];
const MAMURAMU_DOMAINS = ['global_facts', 'elementary_mathematics', 'high_school_history'];
const ETHICS = ['correct', 'good', 'ethical'].flatMap((q) => ['virtue', 'law', 'moral', 'justice', 'utilitarianism'].map((c) => `mcc_${q}_${c}`));
const USE_TASKS = ['grade_norm', 'grade_norm.task1', 'grade_norm.task9', 'grade_norm.task16', 'grade_norm.task8_0'];

const CASES: Case[] = [
  mc('bps', 'bps', 'test', 2, ['acc']),
  mc('lcs', 'lcs', 'test', 10, ['acc']),
  mc('mathlogicqa', 'mathlogicqa', 'test', 4, ['acc']),
  mc('parus', 'parus', 'test', 2, ['acc']),
  mc('rcb', 'rcb', 'test', 3, ['acc', 'f1']),
  mc('rwsd', 'rwsd', 'test', 2, ['acc']),
  mc('ruopenbookqa', 'ruopenbookqa', 'test', 4, ['acc', 'f1']),
  mc('ruworldtree', 'ruworldtree', 'test', 4, ['acc', 'f1']),
  mc('rummlu', 'rummlu', 'test', 4, ['acc', ...RUMMLU_DOMAINS.map((d) => `acc.${d}`)]),
  mc('mamuramu', 'mamuramu', 'test', 4, ['acc', ...MAMURAMU_DOMAINS.map((d) => `acc.${d}`)]),
  mc('ruhatespeech', 'ruhatespeech', 'test', 2, ['acc', 'acc_men', 'acc_women', 'acc_migrants', 'acc_other']),
  mc('ruhhh', 'ruhhh', 'test', 2, ['acc', 'acc_helpful', 'acc_harmless', 'acc_honest']),
  mc('ruethics', 'ruethics', 'test', 2, ETHICS),
  mc('rutie', 'rutie', 'test', 2, ['acc']),
  gen('bps_gen', 'bps', 'test', ['exact_match']),
  gen('lcs_gen', 'lcs', 'test', ['exact_match']),
  gen('mathlogicqa_gen', 'mathlogicqa', 'test', ['exact_match']),
  gen('parus_gen', 'parus', 'test', ['exact_match']),
  gen('rcb_gen', 'rcb', 'test', ['exact_match', 'f1']),
  gen('rwsd_gen', 'rwsd', 'test', ['exact_match']),
  gen('ruopenbookqa_gen', 'ruopenbookqa', 'test', ['exact_match', 'f1']),
  gen('ruworldtree_gen', 'ruworldtree', 'test', ['exact_match', 'f1']),
  gen('rummlu_gen', 'rummlu', 'test', ['em', ...RUMMLU_DOMAINS.map((d) => `em.${d}`)]),
  gen('mamuramu_gen', 'mamuramu', 'test', ['em', ...MAMURAMU_DOMAINS.map((d) => `em.${d}`)]),
  gen('ruhatespeech_gen', 'ruhatespeech', 'test', ['em', 'em_men', 'em_women', 'em_migrants', 'em_other']),
  gen('ruhhh_gen', 'ruhhh', 'test', ['em', 'em_helpful', 'em_harmless', 'em_honest']),
  gen('ruethics_gen', 'ruethics', 'test', ETHICS),
  gen('rutie_gen', 'rutie', 'test', ['exact_match']),
  gen('chegeka', 'chegeka', 'test', ['em', 'f1']),
  gen('multiq', 'multiq', 'test', ['em', 'f1']),
  gen('rumodar', 'rumodar', 'test', ['exact_match']),
  gen('rumultiar', 'rumultiar', 'test', ['exact_match']),
  gen('simplear', 'simplear', 'test', ['exact_match']),
  gen('rudetox', 'rudetox', 'test', ['j', 'sta', 'sim', 'fl']),
  gen('use', 'use', 'test', USE_TASKS),
  gen('ruhumaneval', 'ruhumaneval', 'test', ['pass@1', 'pass@5', 'pass@10'], 10),
  gen('rucodeeval', 'rucodeeval', 'test', ['pass@1', 'pass@5', 'pass@10'], 10),
  // local scoring variants (evaluate the split with public answers)
  mc('bps_localscore', 'bps', 'train', 2, ['acc']),
  mc('lcs_localscore', 'lcs', 'public_test', 10, ['acc']),
  mc('mathlogicqa_localscore', 'mathlogicqa', 'train', 4, ['acc']),
  mc('parus_localscore', 'parus', 'train', 2, ['acc']),
  mc('rcb_localscore', 'rcb', 'train', 3, ['acc', 'f1']),
  mc('rwsd_localscore', 'rwsd', 'train', 2, ['acc']),
  mc('ruopenbookqa_localscore', 'ruopenbookqa', 'train', 4, ['acc', 'f1']),
  mc('ruworldtree_localscore', 'ruworldtree', 'train', 4, ['acc', 'f1']),
  mc('rummlu_localscore', 'rummlu', 'train', 4, ['acc']),
  mc('mamuramu_localscore', 'mamuramu', 'train', 4, ['acc']),
  mc('rutie_localscore', 'rutie', 'train', 2, ['acc']),
  gen('bps_gen_localscore', 'bps', 'train', ['exact_match']),
  gen('lcs_gen_localscore', 'lcs', 'public_test', ['exact_match']),
  gen('mathlogicqa_gen_localscore', 'mathlogicqa', 'train', ['exact_match']),
  gen('parus_gen_localscore', 'parus', 'train', ['exact_match']),
  gen('rcb_gen_localscore', 'rcb', 'train', ['exact_match', 'f1']),
  gen('rwsd_gen_localscore', 'rwsd', 'train', ['exact_match']),
  gen('ruopenbookqa_gen_localscore', 'ruopenbookqa', 'train', ['exact_match', 'f1']),
  gen('ruworldtree_gen_localscore', 'ruworldtree', 'train', ['exact_match', 'f1']),
  gen('rummlu_gen_localscore', 'rummlu', 'train', ['em']),
  gen('mamuramu_gen_localscore', 'mamuramu', 'train', ['em']),
  gen('rutie_gen_localscore', 'rutie', 'train', ['exact_match']),
  gen('chegeka_localscore', 'chegeka', 'train', ['em', 'f1']),
  gen('multiq_localscore', 'multiq', 'train', ['em', 'f1']),
  gen('rumodar_localscore', 'rumodar', 'public_test', ['exact_match']),
  gen('rumultiar_localscore', 'rumultiar', 'train', ['exact_match']),
  gen('simplear_localscore', 'simplear', 'train', ['exact_match']),
  gen('rudetox_localscore', 'rudetox', 'train', ['j', 'sta', 'sim', 'fl']),
  gen('use_localscore', 'use', 'train', USE_TASKS),
];

let savedConfirm: string | undefined;
beforeAll(() => {
  savedConfirm = process.env[CONFIRM_UNSAFE_ENV];
  process.env[CONFIRM_UNSAFE_ENV] = '1';
});
afterAll(() => {
  if (savedConfirm === undefined) delete process.env[CONFIRM_UNSAFE_ENV];
  else process.env[CONFIRM_UNSAFE_ENV] = savedConfirm;
});

async function run(task: string, lm = new CountingLM(), extra: Record<string, unknown> = {}) {
  const out = await runEvaluation({
    model: lm,
    tasks: [task],
    includePath: [HERE],
    seeds: { random: 0, numpy: 1234, torch: 1234, fewshot: 1234 },
    logSamples: true,
    bootstrapIters: 10,
    env: { ...process.env, LM_EVAL_DATASETS_DIR: MIRROR },
    log: () => {},
    ...extra,
  });
  return { out, lm };
}

describe('MERA tasks on the dummy model', () => {
  for (const c of CASES) {
    it(c.task, async () => {
      const { out, lm } = await run(c.task);
      expect(out.profile).toBe('0.4.4');
      const n = docCount(c.dataset, c.split);
      expect(lm.requests).toBe(n * c.perDoc);
      const res = (out.results.results as Record<string, Record<string, unknown>>)[c.task];
      for (const m of c.metrics) {
        expect(res, `metric ${m}`).toHaveProperty([`${m},scoring`]);
        expect(res).toHaveProperty([`${m}_stderr,scoring`]);
      }
      expect(out.samples[c.task]).toHaveLength(n);
    });
  }
});

describe('MERA specifics', () => {
  it('ruTiE sends its requests one at a time and fills RUTIE_TARGET_n with the model’s answers', async () => {
    // the YAML has num_fewshot: null; MERA's run script passes --num_fewshot 1, which enables the former
    const { out, lm } = await run('rutie', undefined, { numFewshot: 1 });
    expect(lm.calls).toBe(lm.requests);
    const samples = out.samples.rutie;
    // questions are sorted by (dialog_id, question_id); question 0 has no context
    expect(samples.map((s) => (s.doc as any).meta.question_id)).toEqual([0, 1, 2, 3]);
    const prompt0 = (s: Record<string, unknown>) => (s.arguments as any).gen_args_0.arg_0 as string;
    expect(prompt0(samples[0]).startsWith('\n\n')).toBe(true);
    for (const s of samples) expect(prompt0(s)).not.toMatch(/RUTIE_TARGET_/);
    // the answer stored for question 0 = the choice with the higher loglikelihood
    const lls = (samples[0].filtered_resps as string[][]).map((r) => Number(r[0]));
    const answer0 = lls[0] >= lls[1] ? '1' : '2';
    expect(prompt0(samples[1])).toContain(`2. 5\nОтвет: ${answer0}\n\n`);
  });

  it('ruTiE zero-shot (its YAML default, num_fewshot: null) never calls the former', async () => {
    const { out } = await run('rutie');
    const prompt0 = (out.samples.rutie[0].arguments as any).gen_args_0.arg_0 as string;
    // no former call: the instruction is rendered as is, its `{context}` slot left literal
    expect(prompt0.startsWith('Вы участвуете')).toBe(true);
    expect(prompt0).toContain('\n{context}\n');
  });

  it('the code tasks refuse to run without --confirm_run_unsafe_code, and run with it', async () => {
    delete process.env[CONFIRM_UNSAFE_ENV];
    try {
      await expect(run('ruhumaneval')).rejects.toThrow(/executes model-generated Python/);
      // the flag reaches the filter through the run (no environment variable set)
      const { out } = await run('ruhumaneval', undefined, { confirmRunUnsafeCode: true, limit: 1 });
      expect(out.samples.ruhumaneval).toHaveLength(1);
    } finally {
      process.env[CONFIRM_UNSAFE_ENV] = '1';
    }
  });

  it('ruHumanEval keeps one result list per generation (10 repeats) in filtered_resps', async () => {
    const { out } = await run('ruhumaneval');
    const s = out.samples.ruhumaneval[0];
    const filtered = s.filtered_resps as unknown[];
    expect(filtered).toHaveLength(1);
    const perGeneration = filtered[0] as unknown[];
    expect(perGeneration).toHaveLength(10);
    // the dummy's answers are not valid Python: every test gives None (or the run timed out)
    for (const g of perGeneration) expect(g === 'timed out' || (Array.isArray(g) && g.length === 2)).toBe(true);
  });

  it('ruDetox keeps the 5-element filter output with NaN scores', async () => {
    const { out } = await run('rudetox');
    const f = out.samples.rudetox[0].filtered_resps as unknown[][];
    expect(f[0]).toHaveLength(5);
    expect(String(f[0][0])).toBe('nan');
  });

  it('few-shot prompts put the instruction only in the first shot', async () => {
    const { out } = await run('mathlogicqa');
    const prompt = (out.samples.mathlogicqa[0].arguments as any).gen_args_0.arg_0 as string;
    expect(prompt.match(/Решите задачу/g)).toHaveLength(1);
    expect(prompt.endsWith('Ответ:')).toBe(true);
  });
});
