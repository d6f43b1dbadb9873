/** anthropic-chat-completions / anthropic-completions against a local server speaking Anthropic's wire format. */
import { describe, expect, it } from 'vitest';
import { JsonChatStr, LmEvalError } from '@lm-eval/core';
import { pyJsonDumps } from '@lm-eval/core/python';
import { AnthropicLM } from '../src/index.ts';
import { FAST_BACKOFF } from './helpers.ts';
import { startAnthropicServer } from './server/anthropic-server.ts';

const KEY = 'sk-ant-test-0123456789';
const env = { ANTHROPIC_API_KEY: KEY };
const chat = (messages: Array<{ role: string; content: string }>) => JsonChatStr.of(pyJsonDumps(messages, { ensureAscii: false }));

describe('Anthropic backends', () => {
  it('Messages API: headers, system message moved to `system`, lm-eval payload, stop sequences, answer from content[0].text', async () => {
    const s = await startAnthropicServer({ apiKey: KEY });
    try {
      const lm = await AnthropicLM.create('anthropic-chat-completions', { model: 'claude-test', base_url: `${s.url}/v1/messages` }, {}, { env, backoff: FAST_BACKOFF });
      const [a] = await lm.generateUntil([{ context: chat([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello there. Bye' }]), genKwargs: { until: ['.'], max_gen_toks: 32, do_sample: false } }]);
      expect(a).toBe('Echo: Hello there');
      expect(s.stats.bodies[0]).toEqual({ messages: [{ role: 'user', content: 'Hello there. Bye' }], model: 'claude-test', max_tokens: 32, temperature: 0, stop_sequences: ['.'], system: 'Be brief.' });
      expect(s.stats.headers[0]['x-api-key']).toBe(KEY);
      expect(s.stats.headers[0]['anthropic-version']).toBe('2023-06-01');
      expect(s.stats.headers[0].authorization).toBeUndefined();
      expect(JSON.stringify([lm.cacheIdentity(), lm.resultsInfo()])).not.toContain(KEY);
      await lm.close();
    } finally {
      await s.close();
    }
  });

  it('legacy completions: Human/Assistant prompt, max_tokens_to_sample, answer from completion', async () => {
    const s = await startAnthropicServer({ apiKey: KEY });
    try {
      const lm = await AnthropicLM.create('anthropic-completions', { base_url: `${s.url}/v1/complete`, max_tokens_to_sample: 20 }, {}, { env, backoff: FAST_BACKOFF });
      const [a] = await lm.generateUntil([{ context: 'What is 2+2?', genKwargs: { until: ['?'] } }]);
      expect(a).toBe(' Echo: What is 2+2');
      expect(s.stats.bodies[0]).toMatchObject({ model: 'claude-2.0', prompt: '\n\nHuman: What is 2+2?\n\nAssistant:', max_tokens_to_sample: 20, temperature: 0, stop_sequences: ['?'] });
      await lm.close();
    } finally {
      await s.close();
    }
  });

  it('429 with retry-after and 529 overloaded are retried; the concurrency window is honoured', async () => {
    const s = await startAnthropicServer({ apiKey: KEY, rateLimited: 2, overloaded: 1, delayMs: 10 });
    try {
      const lm = await AnthropicLM.create('anthropic-chat-completions', { model: 'claude-test', base_url: `${s.url}/v1/messages`, num_concurrent: 3, max_retries: 5 }, {}, { env, backoff: FAST_BACKOFF });
      const reqs = Array.from({ length: 8 }, (_, i) => ({ context: chat([{ role: 'user', content: `q${i}` }]), genKwargs: { until: [] } }));
      const out = await lm.generateUntil(reqs);
      expect(out).toEqual(reqs.map((_, i) => `Echo: q${i}`));
      expect(s.stats.maxInFlight).toBeLessThanOrEqual(3);
      const stats = lm.resultsInfo().api_requests as { retries: number; rate_limited: number };
      expect(stats.rate_limited).toBe(2);
      expect(stats.retries).toBe(3);
      await lm.close();
    } finally {
      await s.close();
    }
  });

  it('errors: a wrong key is refused with the server\'s message; no key, no model, and scoring requests say what to do', async () => {
    const s = await startAnthropicServer({ apiKey: KEY });
    try {
      const lm = await AnthropicLM.create('anthropic-chat-completions', { model: 'claude-test', base_url: `${s.url}/v1/messages` }, {}, { env: { ANTHROPIC_API_KEY: 'sk-ant-wrong-key-999' }, backoff: FAST_BACKOFF });
      const err = await lm.generateUntil([{ context: chat([{ role: 'user', content: 'x' }]), genKwargs: {} }]).catch((e) => e);
      expect(err).toBeInstanceOf(LmEvalError);
      expect(err.message).toMatch(/invalid x-api-key/);
      expect(`${err.message} ${err.hint}`).not.toContain('sk-ant-wrong-key-999');
      await expect(AnthropicLM.create('anthropic-chat-completions', { model: 'm' }, {}, { env: {} })).rejects.toThrow(/ANTHROPIC_API_KEY/);
      await expect(AnthropicLM.create('anthropic-chat-completions', {}, {}, { env })).rejects.toThrow(/model=/);
      await expect(AnthropicLM.create('anthropic-chat-completions', { model: 'm', max_length: 5 }, {}, { env })).rejects.toThrow(LmEvalError);
      const problem = await lm.preflight({ type: 'loglikelihood', task: 't', sample: [{ context: 'a', continuation: 'b' }] });
      expect(problem?.reason).toMatch(/no log-probabilities/);
      expect(problem?.fix).toMatch(/--skip_unsupported_tasks/);
      await lm.close();
    } finally {
      await s.close();
    }
  });
});
