/**
 * Forced-token scoring against the llama.cpp-shaped test server (no echo, logit_bias honoured,
 * pre-sampling `logprobs.content[].logprob` + `top_logprobs`): the golden stories260K numbers, the
 * preflight's proof on a known pair, and the refusal of a server that ignores logit_bias.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmEvalError } from '@lm-eval/core';
import { runBackendConformance } from '@lm-eval/core/testing';
import { startTestServer, type TestServer } from './server/server.ts';
import { StoriesModel } from './server/stories-model.ts';
import { completionsArgs, goldenPairs, makeLM, MODEL_DIR } from './helpers.ts';

let model: StoriesModel;
let llama: TestServer;
beforeAll(async () => {
  model = await StoriesModel.load(MODEL_DIR);
  llama = await startTestServer({ model, mode: 'llamacpp' });
});
afterAll(async () => {
  await llama?.close();
});

const golden = goldenPairs();
const requests = golden.map((g) => ({ context: g.context, continuation: g.continuation }));

describe('forced-token scoring (llama.cpp)', () => {
  it('auto picks it after echo is refused and reproduces the golden loglikelihoods and greedy flags', async () => {
    llama.resetStats();
    const lm = await makeLM('local-completions', completionsArgs(llama.url));
    const res = await lm.loglikelihood(requests);
    res.forEach(([lp, greedy], i) => {
      expect(Math.abs(lp - golden[i].logprob)).toBeLessThan(1e-3);
      expect(greedy).toBe(golden[i].is_greedy);
    });
    expect(lm.resultsInfo().scoring_path).toBe('forced');
    // echo probe (refused) + 2 verification steps + one request per continuation token
    const bodies = llama.stats.bodies as Array<Record<string, unknown>>;
    expect(bodies[0]).toMatchObject({ echo: true });
    expect(bodies[1]).not.toHaveProperty('logit_bias');
    expect(bodies[2]).toHaveProperty('logit_bias');
    const steps = bodies.slice(3);
    expect(steps.every((b) => b.max_tokens === 1 && b.temperature === 0 && typeof b.logit_bias === 'object' && Array.isArray(b.prompt))).toBe(true);
    await lm.close();
  });

  it('scoring=forced goes straight to the proof (no echo probe); the conformance suite passes', async () => {
    llama.resetStats();
    const lm = await makeLM('local-completions', completionsArgs(llama.url, { scoring: 'forced', num_concurrent: 3 }));
    const report = await runBackendConformance(lm, { parts: ['loglikelihood', 'greedy'] });
    expect(report.failures).toEqual([]);
    expect(report.maxAbsError).toBeLessThan(1e-3);
    expect((llama.stats.bodies as Array<Record<string, unknown>>).some((b) => b.echo === true)).toBe(false);
    await lm.close();
  });

  it('each continuation runs on one llama-server slot (id_slot), its steps in order; continuations share the slots; cache_prompt=False is sent', async () => {
    const slotted = await startTestServer({ model, mode: 'llamacpp', totalSlots: 2 });
    try {
      const lm = await makeLM('local-completions', completionsArgs(slotted.url, { scoring: 'forced', num_concurrent: 3, cache_prompt: false }));
      const res = await lm.loglikelihood(requests);
      res.forEach(([lp, greedy], i) => {
        expect(Math.abs(lp - golden[i].logprob)).toBeLessThan(1e-3);
        expect(greedy).toBe(golden[i].is_greedy);
      });
      await lm.close();
      const bodies = slotted.stats.bodies as Array<Record<string, unknown>>;
      expect(bodies.length).toBeLessThan(200); // the server keeps the last 200
      expect(bodies.every((b) => b.cache_prompt === false)).toBe(true);
      // the 2 proof steps are not pinned; every scoring step is
      const steps = bodies.slice(2);
      expect(bodies.slice(0, 2).every((b) => b.id_slot === undefined)).toBe(true);
      expect(new Set(steps.map((b) => b.id_slot))).toEqual(new Set([0, 1]));
      // Per slot, the requests form runs in which each prompt extends the previous one by one token:
      // one run per continuation means no continuation was split across slots or interleaved on one.
      let runs = 0;
      let tokens = 0;
      for (const slot of [0, 1]) {
        let prev: number[] | null = null;
        for (const b of steps.filter((x) => x.id_slot === slot)) {
          const prompt = b.prompt as number[];
          const extends1 = prev !== null && prompt.length === prev.length + 1 && prev.every((t, i) => prompt[i] === t);
          if (!extends1) runs += 1;
          tokens += 1;
          prev = prompt;
        }
      }
      expect(runs).toBe(requests.length);
      expect(tokens).toBe(steps.length);
    } finally {
      await slotted.close();
    }
  });

  it('loglikelihood_rolling: the sentence sum within 1e-3', async () => {
    const lm = await makeLM('local-completions', completionsArgs(llama.url, { add_bos_token: false, scoring: 'forced' }));
    const expected = JSON.parse((await import('node:fs')).readFileSync(`${MODEL_DIR}/expected.json`, 'utf8')).sentence;
    const [total] = await lm.loglikelihoodRolling([{ text: expected.text }]);
    expect(Math.abs(total - expected.sum_logprob)).toBeLessThan(1e-3);
    await lm.close();
  });

  it('a server that ignores logit_bias is refused by the preflight, before anything is scored', async () => {
    const s = await startTestServer({ model, mode: 'llamacpp-nobias' });
    try {
      for (const scoring of ['auto', 'forced']) {
        const lm = await makeLM('local-completions', completionsArgs(s.url, { scoring }));
        const delivered: number[] = [];
        const err = await lm.loglikelihood(requests, { onResult: (i) => delivered.push(i) }).catch((e) => e);
        expect(err).toBeInstanceOf(LmEvalError);
        expect(err.message).toMatch(/ignores logit_bias/);
        expect(err.hint).toMatch(/vLLM or SGLang/);
        expect(delivered).toEqual([]);
        await lm.close();
      }
    } finally {
      await s.close();
    }
  });

  it('--model gguf: base_url is the llama-server root; its tokenizer, BOS policy and forced scoring are found from what it answers', async () => {
    const lm = await makeLM('gguf', { base_url: llama.url, max_length: 514 });
    const res = await lm.loglikelihood(requests);
    res.forEach(([lp, greedy], i) => {
      expect(Math.abs(lp - golden[i].logprob)).toBeLessThan(1e-3);
      expect(greedy).toBe(golden[i].is_greedy);
    });
    expect(lm.config.baseUrl).toBe(`${llama.url}/v1/completions`);
    expect(lm.config.addBosToken).toBe(true);
    expect(llama.stats.byPath['/props']).toBeGreaterThan(0);
    const [text] = await lm.generateUntil([{ context: 'Once upon a time', genKwargs: { until: ['.'], max_gen_toks: 30 } }]);
    expect(text).toBe(', there was a little girl named Lily');
    await lm.close();
  });

  it('local-completions with base_url at the server root or /v1 posts to /v1/completions', async () => {
    for (const base of [llama.url, `${llama.url}/v1/`]) {
      const lm = await makeLM('local-completions', { ...completionsArgs(llama.url), base_url: base });
      expect(lm.config.baseUrl).toBe(`${llama.url}/v1/completions`);
      await lm.close();
    }
  });

  it('scoring=echo on llama.cpp keeps refusing (no silent fallback)', async () => {
    const lm = await makeLM('local-completions', completionsArgs(llama.url, { scoring: 'echo' }));
    await expect(lm.loglikelihood(requests.slice(0, 2))).rejects.toThrow(/does not return a log-probability for every prompt token/);
    await lm.close();
  });
});
