/**
 * local-completions behaviour beyond the golden numbers: preflight refusal of llama.cpp servers,
 * the concurrency window as the server sees it, payloads, generation, tokenizer backends, API keys.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LmEvalError } from '@lm-eval/core';
import { RequestTooLargeError } from '@lm-eval/core/models';
import { startTestServer, type TestServer } from './server/server.ts';
import { StoriesModel } from './server/stories-model.ts';
import { completionsArgs, goldenPairs, makeLM, MODEL_DIR } from './helpers.ts';

let model: StoriesModel;
let vllm: TestServer;
beforeAll(async () => {
  model = await StoriesModel.load(MODEL_DIR);
  vllm = await startTestServer({ model, tokenizerInfo: true });
});
afterAll(async () => {
  await vllm?.close();
});
beforeEach(() => {
  vllm.setFaults('');
  vllm.resetStats();
});

const golden = goldenPairs();
const requests = golden.map((g) => ({ context: g.context, continuation: g.continuation }));

describe('preflight', () => {
  it('a llama.cpp build that accepts echo but returns generated-token log-probs only is scored by forcing tokens', async () => {
    const s = await startTestServer({ model, mode: 'llamacpp-silent' });
    try {
      const lm = await makeLM('local-completions', completionsArgs(s.url));
      const res = await lm.loglikelihood(requests.slice(0, 3));
      res.forEach(([lp], i) => expect(Math.abs(lp - golden[i].logprob)).toBeLessThan(1e-3));
      expect(lm.resultsInfo().scoring_path).toBe('forced');
      await lm.close();
    } finally {
      await s.close();
    }
  });

  for (const mode of ['llamacpp-nobias'] as const) {
    it(`refuses a ${mode} server with the limitation and the alternatives`, async () => {
      const s = await startTestServer({ model, mode });
      try {
        const lm = await makeLM('local-completions', completionsArgs(s.url));
        const err = await lm.loglikelihood(requests).catch((e) => e);
        expect(err).toBeInstanceOf(LmEvalError);
        expect(err.message).toMatch(/does not return a log-probability for every prompt token/);
        expect(err.message).toMatch(/logit_bias/);
        expect(err.hint).toMatch(/vLLM or SGLang/);
        expect(err.hint).toMatch(/generate_until/);
        // the echo probe and the two forced-scoring proof steps
        expect(s.stats.scoringRequests).toBe(3);
        // generation still works there
        const [text] = await lm.generateUntil([{ context: 'Once upon a time', genKwargs: { until: ['.'], max_gen_toks: 30 } }]);
        expect(text).toBe(', there was a little girl named Lily');
        await lm.close();
      } finally {
        await s.close();
      }
    });
  }

  it('is one request whose answer is kept', async () => {
    const lm = await makeLM('local-completions', completionsArgs(vllm.url));
    await lm.loglikelihood(requests);
    expect(vllm.stats.scoringRequests).toBe(12);
    // the probe asked for both echo and prompt_logprobs; the rest use prompt_logprobs only
    const bodies = vllm.stats.bodies as Array<Record<string, unknown>>;
    expect(bodies[0]).toMatchObject({ echo: true, logprobs: 1, prompt_logprobs: 1, max_tokens: 1, temperature: 0, seed: 1234 });
    expect(bodies[1]).toEqual({ model: 'stories260k', prompt: expect.any(Array), temperature: 0, max_tokens: 1, seed: 1234, prompt_logprobs: 1 });
    await lm.close();
  });

  it('echo route sends lm-eval\'s exact payload, prompt always a list of token lists', async () => {
    const lm = await makeLM('local-completions', completionsArgs(vllm.url, { scoring: 'echo' }));
    await lm.loglikelihood(requests.slice(0, 3));
    const body = JSON.stringify(vllm.stats.bodies.at(-1));
    expect(body).toMatch(/^\{"model":"stories260k","prompt":\[\[1,[0-9,]+\]\],"temperature":0,"max_tokens":1,"logprobs":1,"seed":1234,"echo":true\}$/);
    await lm.close();
  });
});

describe('concurrency window', () => {
  for (const n of [1, 3, 8]) {
    it(`server sees at most num_concurrent=${n} requests in flight`, async () => {
      vllm.setFaults('slow:ms=15');
      const lm = await makeLM('local-completions', completionsArgs(vllm.url, { num_concurrent: n }));
      const many = Array.from({ length: 3 }, () => requests).flat();
      await lm.loglikelihood(many);
      expect(vllm.stats.maxInFlight).toBeLessThanOrEqual(n);
      expect(vllm.stats.maxInFlight).toBe(n); // and the window is actually used
      await lm.close();
    });
  }

  it('batch_size prompts per request', async () => {
    const lm = await makeLM('local-completions', completionsArgs(vllm.url, { batch_size: 5 }));
    const res = await lm.loglikelihood(requests);
    res.forEach(([lp], i) => expect(Math.abs(lp - golden[i].logprob)).toBeLessThan(1e-3));
    // 1 preflight + ceil(11 / 5) = 3 batches
    expect(vllm.stats.scoringRequests).toBe(4);
    expect(vllm.stats.prompts).toBe(12);
    await lm.close();
  });
});

describe('generate_until', () => {
  it('sends until + EOS as stop on the sync path, not on the async path (lm-eval quirk)', async () => {
    const req = [{ context: 'Once upon a time', genKwargs: { until: ['.'], max_gen_toks: 30, do_sample: false, top_k: 1 } }];
    const sync = await makeLM('local-completions', completionsArgs(vllm.url));
    expect(await sync.generateUntil(req)).toEqual([', there was a little girl named Lily']);
    expect(vllm.stats.bodies.at(-1)).toEqual({ prompt: [[1, 403, 407, 261, 378]], model: 'stories260k', max_tokens: 30, temperature: 0, stop: ['.', '</s>'], seed: 1234, top_k: 1 });
    const asyncLm = await makeLM('local-completions', completionsArgs(vllm.url, { num_concurrent: 2 }));
    await asyncLm.generateUntil(req);
    expect((vllm.stats.bodies.at(-1) as { stop: string[] }).stop).toEqual(['.']);
    await Promise.all([sync.close(), asyncLm.close()]);
  });

  it('max_tokens in gen_kwargs wins over max_gen_toks (which is then sent verbatim)', async () => {
    const lm = await makeLM('local-completions', completionsArgs(vllm.url));
    const [t] = await lm.generateUntil([{ context: 'Tom had a red ball.', genKwargs: { max_tokens: 3, max_gen_toks: 50 } }]);
    expect(vllm.stats.bodies.at(-1)).toMatchObject({ max_tokens: 3, max_gen_toks: 50 });
    expect(t).toBe(' He liked');
    await lm.close();
  });

  it('text prompts without a tokenizer (tokenizer_backend=none); loglikelihood refused', async () => {
    const lm = await makeLM('local-completions', { base_url: `${vllm.url}/v1/completions`, model: 'stories260k', tokenizer_backend: 'none', batch_size: 2 });
    const res = await lm.generateUntil([
      { context: 'Once upon a time', genKwargs: { until: ['.'] } },
      { context: 'The little dog', genKwargs: { until: ['.'] } },
    ]);
    expect(res).toEqual([', there was a little girl named Lily', ' was a little girl named Lily']);
    expect((vllm.stats.bodies.at(-1) as { prompt: unknown }).prompt).toEqual(['Once upon a time', 'The little dog']);
    await expect(lm.loglikelihood(requests)).rejects.toThrow(/without a tokenizer/);
    await lm.close();
  });

  it('results arrive through onResult in input order positions', async () => {
    const lm = await makeLM('local-completions', completionsArgs(vllm.url, { num_concurrent: 4 }));
    const seen: Array<[number, unknown]> = [];
    const contexts = ['Once upon a time', 'Tom had a red ball.', 'The little dog'];
    const res = await lm.generateUntil(contexts.map((c) => ({ context: c, genKwargs: { until: ['.'], max_gen_toks: 12 } })), { onResult: (i, v) => seen.push([i, v]) });
    expect(seen.sort((a, b) => a[0] - b[0]).map((x) => x[1])).toEqual(res);
    await lm.close();
  });
});

describe('tokenizer backends', () => {
  it('remote (/tokenizer_info + /tokenize) scores like the local tokenizer; auto picks it', async () => {
    for (const backend of ['remote', 'auto']) {
      const lm = await makeLM('local-completions', { base_url: `${vllm.url}/v1/completions`, model: 'stories260k', tokenizer_backend: backend, max_length: 514 });
      const local = await makeLM('local-completions', completionsArgs(vllm.url, { add_bos_token: false }));
      const [a, b] = await Promise.all([lm.loglikelihood(requests), local.loglikelihood(requests)]);
      a.forEach(([lp, g], i) => {
        expect(lp).toBeCloseTo(b[i][0], 9);
        expect(g).toBe(b[i][1]);
      });
      expect(vllm.stats.byPath['/tokenize']).toBeGreaterThan(0);
      await Promise.all([lm.close(), local.close()]);
    }
  });

  it('huggingface tokenizer that is not available offline is a clear error', async () => {
    await expect(makeLM('local-completions', { base_url: `${vllm.url}/v1/completions`, tokenizer_backend: 'huggingface', tokenizer: '/nonexistent/tokenizer-folder' })).rejects.toThrow(LmEvalError);
  });
});

describe('BOS policy', () => {
  it('warns once when token ids go without BOS for a tokenizer that adds it, and records the policy for the results config', async () => {
    const written: string[] = [];
    const { lmEvalEvents } = await import('@lm-eval/core');
    const unsubscribe = lmEvalEvents.subscribe((e) => {
      if (e.type === 'log' && e.level === 'WARNING') written.push(e.message);
    });
    try {
      const lm = await makeLM('local-completions', completionsArgs(vllm.url, { add_bos_token: false, num_concurrent: 2 }));
      await lm.loglikelihood(requests.slice(0, 3));
      await lm.generateUntil([{ context: 'Once upon a time', genKwargs: { max_gen_toks: 2 } }, { context: 'Tom', genKwargs: { max_gen_toks: 2 } }]);
      const policy = lm.configInfo().bos_policy as Record<string, unknown>;
      expect(policy).toMatchObject({ add_bos_token: false, tokenizer_adds_bos_by_default: true, bos_token_id: 1, first_request_starts_with_bos: false });
      expect((policy.first_request_token_ids as number[]).length).toBeLessThanOrEqual(16);
      await lm.close();
      const withBos = await makeLM('local-completions', completionsArgs(vllm.url));
      await withBos.loglikelihood(requests.slice(0, 1));
      expect(withBos.configInfo().bos_policy).toMatchObject({ add_bos_token: true, first_request_starts_with_bos: true });
      await withBos.close();
    } finally {
      unsubscribe();
    }
    const warnings = written.filter((w) => /without BOS/.test(w));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/add_bos_token=True/);
    expect(warnings[0]).toMatch(/#3295/);
  });
});

describe('hints', () => {
  it('a model= the server does not list warns; with --strict it is an error naming the served model', async () => {
    const { createApiModel } = await import('../src/index.ts');
    const args = completionsArgs(vllm.url, { model: 'stories-typo' });
    const err = await createApiModel('local-completions', args, { strict: true }).catch((e) => e);
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err.message).toMatch(/model=stories-typo is not among the models/);
    expect(err.hint).toMatch(/model=stories260k/);
    const lm = await createApiModel('local-completions', args, {});
    await lm.close();
  });

  it('a prompt longer than the server context names max_length', async () => {
    const s = await startTestServer({ model, maxModelLen: 16 });
    try {
      const lm = await makeLM('local-completions', completionsArgs(s.url, { max_length: 4096 }));
      const err = await lm.loglikelihood([{ context: 'Once upon a time, there was a little girl named Lily. She liked to play', continuation: ' outside' }]).catch((e) => e);
      expect(err).toBeInstanceOf(LmEvalError);
      expect(err.message).toMatch(/max_length=4096/);
      expect(err.hint).toMatch(/Lower max_length/);
      await lm.close();
    } finally {
      await s.close();
    }
  });
  it('a continuation that cannot fit max_length even after truncation is refused before any request, with its index', async () => {
    const lm = await makeLM('local-completions', completionsArgs(vllm.url, { max_length: 8 }));
    const long = ' and then the little girl went home to her mother and they had tea';
    const err = await lm.loglikelihood([{ context: 'Once', continuation: ' upon' }, { context: 'Once upon a time', continuation: long }]).catch((e) => e);
    expect(err).toBeInstanceOf(RequestTooLargeError);
    expect(err.index).toBe(1);
    expect(err.message).toMatch(/^the continuation has \d+ tokens \(the context \d+\); with max_length=8 at most 6 continuation tokens can be scored/);
    expect(err.hint).toMatch(/Raise max_length/);
    expect(vllm.stats.scoringRequests).toBe(0);
    await lm.close();
  });
});

describe('model_args and keys', () => {
  it('header replaces the default headers entirely', async () => {
    const lm = await makeLM('local-completions', completionsArgs(vllm.url, { header: '{"X-Api-Key": "abc-123-xyz"}' }), { OPENAI_API_KEY: 'sk-not-sent-0000' });
    await lm.loglikelihood(requests.slice(0, 1));
    expect(vllm.stats.authorizations).toEqual([]);
    expect(JSON.stringify(lm.cacheIdentity())).not.toContain('abc-123-xyz');
    await lm.close();
  });

  it('openai-chat-completions: max_completion_tokens; reasoning-model names drop stop and force temperature 1', async () => {
    const { JsonChatStr } = await import('@lm-eval/core');
    const env = { OPENAI_API_KEY: 'sk-test-1111' };
    const context = JsonChatStr.of('[{"role": "user", "content": "Tell me a story."}]');
    for (const [name, expected] of [
      ['stories260k', { max_completion_tokens: 5, temperature: 0, stop: ['\n', '<|endoftext|>'] }],
      ['o3-mini', { max_completion_tokens: 5, temperature: 1 }],
    ] as const) {
      const s = await startTestServer({ model, servedModelName: name });
      const lm = await makeLM('openai-chat-completions', { model: name, base_url: `${s.url}/v1/chat/completions` }, env);
      await lm.generateUntil([{ context, genKwargs: { until: ['\n'], max_gen_toks: 5 } }]);
      const body = s.stats.bodies.at(-1) as Record<string, unknown>;
      expect(body).toMatchObject(expected);
      expect('stop' in body).toBe('stop' in expected);
      await lm.close();
      await s.close();
    }
  });

  it('unknown args are refused with the accepted list', async () => {
    const err = await makeLM('local-completions', completionsArgs(vllm.url, { num_concurent: 4 })).catch((e) => e);
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err.message).toMatch(/unknown model_args num_concurent\. Accepted: .*num_concurrent/);
    expect(err.hint).toBe('Did you mean num_concurrent (for num_concurent)?');
  });

  it('openai-* need OPENAI_API_KEY; loglikelihood only for babbage-002/davinci-002', async () => {
    await expect(makeLM('openai-completions', { model: 'gpt-3.5-turbo-instruct' }, {})).rejects.toThrow(/OPENAI_API_KEY/);
    const lm = await makeLM('openai-completions', { model: 'gpt-3.5-turbo-instruct', base_url: `${vllm.url}/v1/completions` }, { OPENAI_API_KEY: 'sk-test-0000' });
    await expect(lm.loglikelihood(requests)).rejects.toThrow(/babbage-002 or davinci-002/);
    await lm.close();
  });

  it('the API key is sent but never appears in identity, results or errors', async () => {
    const key = 'sk-very-secret-key-123456';
    const s = await startTestServer({ model, apiKey: key });
    // A server that quotes the credentials back in its error message.
    const echoing = http.createServer((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${req.headers.authorization}`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
    });
    await new Promise<void>((r) => echoing.listen(0, '127.0.0.1', r));
    try {
      const env = { OPENAI_API_KEY: key };
      const lm = await makeLM('local-completions', completionsArgs(s.url), env);
      const res = await lm.loglikelihood(requests.slice(0, 2));
      expect(res).toHaveLength(2);
      expect(s.stats.authorizations).toContain(`Bearer ${key}`);
      const exposed = JSON.stringify([lm.cacheIdentity(), lm.resultsInfo(), res]);
      expect(exposed).not.toContain(key);
      const wrong = await makeLM('local-completions', completionsArgs(s.url), { OPENAI_API_KEY: 'sk-wrong-key-999999' });
      const e1 = await wrong.loglikelihood(requests.slice(0, 1)).catch((e) => e);
      expect(e1).toBeInstanceOf(LmEvalError);
      expect(`${e1.message} ${e1.hint} ${e1.stack}`).not.toContain('sk-wrong-key-999999');
      const port = (echoing.address() as AddressInfo).port;
      const lm2 = await makeLM('local-completions', completionsArgs(`http://127.0.0.1:${port}`), env);
      const e2 = await lm2.loglikelihood(requests.slice(0, 1)).catch((e) => e);
      expect(e2).toBeInstanceOf(LmEvalError);
      expect(e2.message).toMatch(/Incorrect API key provided/);
      expect(`${e2.message} ${e2.hint} ${e2.stack} ${JSON.stringify(e2.cause)}`).not.toContain(key);
      await Promise.all([lm.close(), wrong.close(), lm2.close()]);
    } finally {
      await s.close();
      await new Promise((r) => echoing.close(r));
    }
  });
});
