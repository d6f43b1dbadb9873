/**
 * The bundled demo group end to end: the real stories260K model (`--model hf`) on the three
 * tinystories tasks through the library entry point. The whole group is 70 documents and runs in
 * a few seconds on a CPU.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluation, type EvaluationOutput } from '@lm-eval/core/engine';
import { registerTransformersModels } from '@lm-eval/transformers';

const MODEL_DIR = fileURLToPath(new URL('../../models/stories260k', import.meta.url));

describe('tinystories group on stories260K', () => {
  let out: EvaluationOutput;
  let results: Record<string, Record<string, unknown>>;
  let cwd: string;

  beforeAll(async () => {
    registerTransformersModels();
    // Run from an unrelated directory: the tasks' relative data_files must resolve against the
    // task folder, so the group works wherever lm-eval is started.
    cwd = mkdtempSync(path.join(os.tmpdir(), 'tinystories-'));
    out = await runEvaluation({
      model: 'hf',
      modelArgs: { pretrained: MODEL_DIR },
      tasks: ['tinystories'],
      logSamples: true,
      cwd,
    });
    results = out.results.results as Record<string, Record<string, unknown>>;
  }, 120_000);

  afterAll(() => {
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('runs the three tasks under the latest profile, every document', () => {
    expect(out.profile).toBe('latest');
    expect(out.results.group_subtasks).toEqual({
      tinystories: ['tinystories_cloze', 'tinystories_continue', 'tinystories_perplexity'],
    });
    expect(results.tinystories_cloze.sample_len).toBe(40);
    expect(results.tinystories_continue.sample_len).toBe(20);
    expect(results.tinystories_perplexity.sample_len).toBe(10);
  });

  it('cloze: the model picks the story word well above chance (25%)', () => {
    // Measured: acc 0.825, acc_norm 0.900 (33 and 36 of 40).
    const acc = results.tinystories_cloze['acc,none'] as number;
    const accNorm = results.tinystories_cloze['acc_norm,none'] as number;
    expect(acc).toBeGreaterThan(0.6);
    expect(accNorm).toBeGreaterThan(0.6);
    const samples = out.samples.tinystories_cloze;
    expect(samples).toHaveLength(40);
    // each doc was scored as four loglikelihood requests (one per choice)
    for (const s of samples) expect((s.resps as unknown[]).length).toBe(4);
  });

  it('continue: greedy first words match the story word in most prompts', () => {
    // Measured: 0.70 (14 of 20).
    const em = results.tinystories_continue['exact_match,first-word'] as number;
    expect(em).toBeGreaterThanOrEqual(0.5);
    const first = out.samples.tinystories_continue[0];
    expect(first.filtered_resps).toEqual(['Lily']);
  });

  it('perplexity: finite, positive and mutually consistent', () => {
    const r = results.tinystories_perplexity;
    const word = r['word_perplexity,none'] as number;
    const byte = r['byte_perplexity,none'] as number;
    const bpb = r['bits_per_byte,none'] as number;
    for (const v of [word, byte, bpb]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0);
    }
    // byte_perplexity = 2 ** bits_per_byte (both from the same summed log-likelihood and bytes)
    expect(Math.log2(byte)).toBeCloseTo(bpb, 10);
    // a word has several bytes, so per-word perplexity is far above per-byte perplexity
    expect(word).toBeGreaterThan(byte);
    // the stories are in the model's own register: under 2 bits per byte (measured 0.991)
    expect(bpb).toBeLessThan(2);
  });
});
