/**
 * The shared behavioural suite (ordering, onResult once, abort, close, cache identity) on the
 * OpenAI-compatible backends against the vLLM-flavoured test server: local-completions (batched
 * prompts, several requests in flight) and local-chat-completions (chat prompts; loglikelihood
 * through prompt_logprobs); gguf against the llama.cpp-flavoured one (forced-token scoring, one
 * request per token); anthropic-chat-completions against the Anthropic imitation server.
 *
 * The vLLM- and llama.cpp-flavoured test servers keep idle keep-alive sockets for 30 s and the HTTP
 * client (undici) closes its own after 4 s idle; `releaseGuardMs` is below both, so a backend whose
 * close() leaves its sockets open fails instead of being rescued by either side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonChatStr, type ChatMessage, type GenerateRequest, type LoglikelihoodRequest } from '@lm-eval/core';
import { pyJsonDumps } from '@lm-eval/core/python';
import { runBackendBehaviour } from '@lm-eval/core/testing';
import { AnthropicLM } from '../src/index.ts';
import { startAnthropicServer, type AnthropicServer } from './server/anthropic-server.ts';
import { startTestServer, type TestServer } from './server/server.ts';
import { StoriesModel } from './server/stories-model.ts';
import { completionsArgs, FAST_BACKOFF, makeLM, MODEL_DIR } from './helpers.ts';

const releaseGuardMs = 3_000;

let server: TestServer;
let llama: TestServer;
let anthropic: AnthropicServer;
const ANTHROPIC_KEY = 'sk-ant-test-behaviour';
beforeAll(async () => {
  const model = await StoriesModel.load(MODEL_DIR);
  server = await startTestServer({ model });
  llama = await startTestServer({ model, mode: 'llamacpp' });
  anthropic = await startAnthropicServer({ apiKey: ANTHROPIC_KEY });
});
afterAll(async () => {
  await server?.close();
  await llama?.close();
  await anthropic?.close();
});

describe('local-completions behaviour', () => {
  it('keeps the LM contract (batches of 2 prompts, 3 requests in flight)', async () => {
    const args = () => completionsArgs(server.url, { batch_size: 2, num_concurrent: 3 });
    const report = await runBackendBehaviour(() => makeLM('local-completions', args()), {
      releaseGuardMs,
      otherIdentity: () => makeLM('local-completions', { ...args(), max_length: 600 }),
    });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
  });
});

describe('gguf behaviour', () => {
  it('keeps the LM contract (forced-token scoring, 2 requests in flight)', async () => {
    const args = (extra: Record<string, unknown> = {}) => ({ base_url: llama.url, max_length: 514, num_concurrent: 2, ...extra });
    const report = await runBackendBehaviour(() => makeLM('gguf', args()), {
      requestTypes: ['loglikelihood', 'generate_until'],
      releaseGuardMs,
      otherIdentity: () => makeLM('gguf', args({ add_bos_token: false })),
    });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
  });
});

const chat = (messages: ChatMessage[]) => JsonChatStr.of(pyJsonDumps(messages, { ensureAscii: false }));

describe('anthropic-chat-completions behaviour', () => {
  it('keeps the LM contract (generate_until, 3 requests in flight)', async () => {
    const greedy = { until: ['.'], do_sample: false, max_gen_toks: 32 };
    const generate_until: GenerateRequest[] = ['Hello there. Bye', 'A much longer question about cats and dogs. And more', 'Hi', 'Hello there. Bye', 'Why?'].map((q, i) => ({
      context: chat([{ role: 'user', content: q }]),
      genKwargs: i === 2 ? { ...greedy, max_gen_toks: 4 } : greedy,
    }));
    const make = (model: string) =>
      AnthropicLM.create('anthropic-chat-completions', { model, base_url: `${anthropic.url}/v1/messages`, num_concurrent: 3 }, {}, { env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY }, backoff: FAST_BACKOFF });
    const report = await runBackendBehaviour(() => make('claude-test'), {
      requestTypes: ['generate_until'],
      requests: { generate_until },
      releaseGuardMs,
      otherIdentity: () => make('claude-other'),
    });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
  });
});

describe('local-chat-completions behaviour', () => {
  const ask = (q: string): ChatMessage[] => [{ role: 'user', content: q }];
  const told = [{ role: 'system', content: 'You tell short stories.' }, ...ask('Tell me about a cat.')];
  const loglikelihood: LoglikelihoodRequest[] = [
    { context: chat(told), continuation: 'The cat' },
    { context: chat(ask('Who is Lily?')), continuation: 'Lily was a little girl who liked to play.' },
    { context: chat(told), continuation: 'Once upon a time' },
    { context: chat(ask('Who is Lily?')), continuation: 'A dog' },
    { context: chat(told), continuation: 'The cat' },
  ];
  const greedy = { until: ['.'], do_sample: false, temperature: 0, max_gen_toks: 8 };
  const generate_until: GenerateRequest[] = [
    { context: chat(told), genKwargs: greedy },
    { context: chat(ask('Who is Lily?')), genKwargs: { ...greedy, max_gen_toks: 5 } },
    { context: chat(ask('What did Tom see at the park?')), genKwargs: greedy },
    { context: chat(told), genKwargs: greedy },
  ];
  const args = (extra: Record<string, unknown> = {}) => ({ base_url: `${server.url}/v1/chat/completions`, model: 'stories260k', num_concurrent: 2, ...extra });

  it('keeps the LM contract (generate_until and loglikelihood)', async () => {
    const report = await runBackendBehaviour(() => makeLM('local-chat-completions', args()), {
      requestTypes: ['generate_until', 'loglikelihood'],
      requests: { loglikelihood, generate_until },
      releaseGuardMs,
      otherIdentity: () => makeLM('local-chat-completions', args({ max_gen_toks: 64 })),
    });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
  });
});
