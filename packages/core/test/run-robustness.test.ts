/**
 * Whole runs through `runEvaluation` (dummy model, a 4-document task written here) for two
 * behaviours the CLI suite cannot reach: the fallback file when the output folder disappears
 * during the run, and few-shot self-inclusion per profile (lm-eval v0.4.4's
 * ContextSampler.get_context always drops the evaluated doc; latest passes eval_doc to sample()
 * only when the few-shot split is the test split).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluation, type EvaluationRequest } from '../src/engine.ts';

let dir = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-robust-'));
  fs.writeFileSync(
    path.join(dir, 'docs.jsonl'),
    ['Q1', 'Q2', 'Q3', 'Q4'].map((q, i) => JSON.stringify({ q, choices: ['yes', 'no'], label: i % 2 })).join('\n') + '\n',
  );
  fs.writeFileSync(
    path.join(dir, 'selfshot.yaml'),
    [
      'task: selfshot',
      'dataset_path: json',
      'dataset_kwargs:',
      '  data_files:',
      '    test: docs.jsonl',
      'output_type: multiple_choice',
      'test_split: test',
      'doc_to_text: "Question: {{q}}\\nAnswer:"',
      'doc_to_choice: "{{choices}}"',
      'doc_to_target: "{{label}}"',
      'metric_list:',
      '  - metric: acc',
      '    aggregation: mean',
      '    higher_is_better: true',
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const base = (over: Partial<EvaluationRequest>): EvaluationRequest => ({
  model: 'dummy',
  tasks: ['selfshot'],
  includePath: [dir],
  cwd: dir,
  bootstrapIters: 0,
  ...over,
});

/** For each evaluated doc: how often its own question appears in its prompt (1 = not among its examples). */
async function ownQuestionCounts(profile: '0.4.4' | 'latest'): Promise<number[]> {
  const warnings: string[] = [];
  const out = await runEvaluation(base({ profile, numFewshot: 3, logSamples: true, log: (level, m) => level === 'WARNING' && warnings.push(m) }));
  expect(warnings.some((w) => /drawing few-shot examples from the test split/.test(w))).toBe(true);
  return out.samples.selfshot.map((s) => {
    const doc = s.doc as { q: string };
    const prompt = String((s.arguments as Record<string, Record<string, unknown>>).gen_args_0.arg_0);
    return prompt.split(`Question: ${doc.q}\n`).length - 1;
  });
}

describe('few-shot pool = test split (no few-shot split)', () => {
  it('0.4.4: the evaluated document is never among its own examples', async () => {
    const counts = await ownQuestionCounts('0.4.4');
    expect(counts).toHaveLength(4);
    expect(counts.every((c) => c === 1)).toBe(true);
  });

  it('latest: as lm-eval latest, the pool is not filtered (the document can be its own example)', async () => {
    const counts = await ownQuestionCounts('latest');
    expect(counts).toHaveLength(4);
    expect(counts.some((c) => c === 2)).toBe(true);
  });
});

describe('results are never lost at the end', () => {
  it('an output folder that became a file during the run: fallback file with results and samples', async () => {
    const out = path.join(dir, 'out');
    const prev = process.cwd();
    process.chdir(dir); // the fallback file goes to the working folder
    try {
      const res = await runEvaluation(
        base({
          outputPath: out,
          logSamples: true,
          wrapModel: (lm) => {
            // after the up-front check: the folder is replaced by a file, so every write fails
            fs.rmSync(out, { recursive: true, force: true });
            fs.writeFileSync(out, 'in the way');
            return lm;
          },
        }),
      );
      expect(res.files).toEqual([]);
      expect(res.summary).toContain('|selfshot|');
      expect(res.unsaved?.reason).toMatch(/^ENOTDIR|^EEXIST/);
      const fallback = res.unsaved!.fallbackFile!;
      expect(path.dirname(fallback)).toBe(fs.realpathSync(dir));
      const saved = JSON.parse(fs.readFileSync(fallback, 'utf8')) as { results: Record<string, unknown>; samples: Record<string, unknown[]> };
      expect(Object.keys(saved.results.results as object)).toEqual(['selfshot']);
      expect(saved.samples.selfshot).toHaveLength(4);
    } finally {
      process.chdir(prev);
    }
  });
});

describe('cancellation', () => {
  it('a run cancelled before its requests stops with AbortError instead of evaluating fewer tasks', async () => {
    const c = new AbortController();
    let calls = 0;
    const run = runEvaluation(
      base({
        signal: c.signal,
        wrapModel: (lm) => {
          c.abort(); // Ctrl-C while the model loads
          const ll = lm.loglikelihood.bind(lm);
          lm.loglikelihood = (...args: Parameters<typeof ll>) => {
            calls++;
            return ll(...args);
          };
          return lm;
        },
      }),
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(0);
  });
});
