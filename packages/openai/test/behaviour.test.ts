/**
 * The shared behavioural suite (ordering, onResult once, abort, close, cache identity) on the
 * OpenAI-compatible backends against the vLLM-flavoured test server: local-completions (batched
 * prompts, several requests in flight) and local-chat-completions (chat prompts; loglikelihood
 * through prompt_logprobs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonChatStr, type ChatMessage, type GenerateRequest, type LoglikelihoodRequest } from '@lm-eval/core';
import { pyJsonDumps } from '@lm-eval/core/python';
import { runBackendBehaviour } from '@lm-eval/core/testing';
import { startTestServer, type TestServer } from './server/server.ts';
import { completionsArgs, makeLM } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ model: (await import('./helpers.ts')).MODEL_DIR });
});
afterAll(async () => {
  await server?.close();
});

describe('local-completions behaviour', () => {
  it('keeps the LM contract (batches of 2 prompts, 3 requests in flight)', async () => {
    const args = () => completionsArgs(server.url, { batch_size: 2, num_concurrent: 3 });
    const report = await runBackendBehaviour(() => makeLM('local-completions', args()), {
      otherIdentity: () => makeLM('local-completions', { ...args(), max_length: 600 }),
    });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
  });
});

describe('local-chat-completions behaviour', () => {
  const chat = (messages: ChatMessage[]) => JsonChatStr.of(pyJsonDumps(messages, { ensureAscii: false }));
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
      otherIdentity: () => makeLM('local-chat-completions', args({ max_gen_toks: 64 })),
    });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
  });
});
