/**
 * The run's preflight through the library entry point: the tinystories group (generation,
 * multiple choice, perplexity) against llama.cpp-shaped servers. A server that cannot score is
 * reported for every task it cannot serve before any request, and the run is refused; with
 * skipUnsupportedTasks the tasks that can run do. A llama.cpp server that honours logit_bias
 * serves scoring and generation tasks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmEvalError } from '@lm-eval/core';
import { runEvaluation } from '@lm-eval/core/engine';
import { registerOpenAIModels } from '../src/index.ts';
import { startTestServer, type TestServer } from './server/server.ts';
import { StoriesModel } from './server/stories-model.ts';
import { MODEL_DIR } from './helpers.ts';

let model: StoriesModel;
let nobias: TestServer;
let llama: TestServer;
let cwd: string;
beforeAll(async () => {
  registerOpenAIModels();
  model = await StoriesModel.load(MODEL_DIR);
  [nobias, llama] = await Promise.all([startTestServer({ model, mode: 'llamacpp-nobias' }), startTestServer({ model, mode: 'llamacpp' })]);
  cwd = mkdtempSync(path.join(os.tmpdir(), 'preflight-'));
});
afterAll(async () => {
  await Promise.all([nobias?.close(), llama?.close()]);
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

const run = (url: string, extra: Record<string, unknown> = {}) =>
  runEvaluation({ model: 'gguf', modelArgs: { base_url: url, max_length: 514 }, tasks: ['tinystories'], limit: 2, cwd, ...extra });

describe('preflight of every task', () => {
  it('refuses the run, naming each task the server cannot serve and what would make it work; nothing is generated', async () => {
    nobias.resetStats();
    const err = await run(nobias.url).catch((e) => e);
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err.message).toMatch(/tinystories_cloze \(loglikelihood\)/);
    expect(err.message).toMatch(/tinystories_perplexity \(loglikelihood_rolling\)/);
    expect(err.message).not.toMatch(/tinystories_continue/);
    expect(err.message).toMatch(/ignores logit_bias/);
    expect(err.message).toMatch(/to make it work: .*vLLM/);
    expect(err.hint).toMatch(/--skip_unsupported_tasks/);
    // only the probes: no generation request was sent
    expect((nobias.stats.bodies as Array<Record<string, unknown>>).every((b) => b.max_tokens === 1)).toBe(true);
  });

  it('skipUnsupportedTasks runs the tasks that can run', async () => {
    const warnings: string[] = [];
    const out = await run(nobias.url, { skipUnsupportedTasks: true, log: (level: string, m: string) => level === 'WARNING' && warnings.push(m) });
    expect(Object.keys(out.results.results as object)).toContain('tinystories_continue');
    expect(Object.keys(out.results.results as object)).not.toContain('tinystories_cloze');
    expect(warnings.join('\n')).toMatch(/running the other 1 task/);
  });

  it('a llama.cpp server that honours logit_bias serves scoring and generation tasks (perplexity: forced.test.ts)', async () => {
    const out = await run(llama.url, { tasks: ['tinystories_cloze', 'tinystories_continue'] });
    const r = out.results.results as Record<string, Record<string, unknown>>;
    expect(Object.keys(r).sort()).toEqual(['tinystories_cloze', 'tinystories_continue']);
    expect(Number.isFinite(Number(r.tinystories_cloze['acc,none']))).toBe(true);
  });
});
