/**
 * local-chat-completions against the test server: generation through the server's chat template,
 * reasoning kept out of answers and counted, and loglikelihood only where it is exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonChatStr, LmEvalError, type ChatMessage } from '@lm-eval/core';
import { renderChatTemplate } from '@lm-eval/core/models';
import { pyJsonDumps } from '@lm-eval/core/python';
import { startTestServer, type TestServer } from './server/server.ts';
import { StoriesModel } from './server/stories-model.ts';
import { makeLM, MODEL_DIR } from './helpers.ts';

let vllm: TestServer;
let llamacpp: TestServer;
let model: StoriesModel;
beforeAll(async () => {
  model = await StoriesModel.load(MODEL_DIR);
  vllm = await startTestServer({ model });
  llamacpp = await startTestServer({ model, mode: 'llamacpp' });
});
afterAll(async () => {
  await vllm?.close();
  await llamacpp?.close();
});

const chatArgs = (url: string, extra: Record<string, unknown> = {}) => ({ base_url: `${url}/v1/chat/completions`, model: 'stories260k', ...extra });
const ctx = (messages: ChatMessage[]) => JsonChatStr.of(pyJsonDumps(messages, { ensureAscii: false }));
const conversation: ChatMessage[] = [
  { role: 'system', content: 'You tell short stories.' },
  { role: 'user', content: 'Tell me about a cat.' },
];

function render(messages: ChatMessage[], addGenerationPrompt: boolean): number[] {
  const text = renderChatTemplate(model.chatTemplate!, messages, {
    addGenerationPrompt,
    continueFinalMessage: !addGenerationPrompt,
    variables: { bos_token: '<s>', eos_token: '</s>' },
  });
  return model.encode(text, false);
}

/** Independent reference: the model's log-prob of the assistant continuation, position by position. */
async function reference(messages: ChatMessage[], continuation: string): Promise<[number, boolean]> {
  const c = render(messages, true);
  const full = render([...messages, { role: 'assistant', content: continuation }], false);
  let k = 0;
  while (k < c.length && c[k] === full[k]) k++;
  const rows = await model.logprobRows(full);
  let sum = 0;
  let greedy = true;
  for (let i = k; i < full.length; i++) {
    const row = rows[i - 1];
    sum += row[full[i]];
    if (StoriesModel.ranked(row, 1)[0].id !== full[i]) greedy = false;
  }
  return [sum, greedy];
}

describe('chat generate_until', () => {
  it('matches greedy decoding of the chat-templated prompt (expected.json example)', async () => {
    const lm = await makeLM('local-chat-completions', chatArgs(vllm.url));
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You tell short stories.' },
      { role: 'user', content: 'Tell me about a cat.' },
      { role: 'assistant', content: 'The cat was happy.' },
      { role: 'user', content: 'And the dog?' },
    ];
    const [text] = await lm.generateUntil([{ context: lm.applyChatTemplate!(messages, { addGenerationPrompt: true }), genKwargs: { until: [], max_gen_toks: 20, do_sample: false } }]);
    const { readFileSync } = await import('node:fs');
    const expected = JSON.parse(readFileSync(`${MODEL_DIR}/expected.json`, 'utf8')).chat_template_example.greedy_20_text as string;
    expect(text.replace(/^ /, '')).toBe(expected.replace(/^ /, ''));
    const body = vllm.stats.bodies.at(-1) as Record<string, unknown>;
    expect(body).toEqual({ messages, model: 'stories260k', max_tokens: 20, temperature: 0, stop: [], seed: 1234 });
    await lm.close();
  });

  it('sends at most 4 stop strings and plain-text prompts are refused', async () => {
    const lm = await makeLM('local-chat-completions', chatArgs(vllm.url, { eos_string: '</s>' }));
    await lm.generateUntil([{ context: ctx(conversation), genKwargs: { until: ['a', 'b', 'c', 'd', 'e'], max_gen_toks: 3 } }]);
    expect((vllm.stats.bodies.at(-1) as { stop: string[] }).stop).toEqual(['a', 'b', 'c', 'd']);
    const err = await lm.generateUntil([{ context: 'plain', genKwargs: {} }]).catch((e) => e);
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err.hint).toMatch(/--apply_chat_template/);
    await lm.close();
  });

  for (const mode of ['inline', 'field'] as const) {
    it(`reasoning (${mode}) is kept out of the answer and counted`, async () => {
      const s = await startTestServer({ model, reasoning: mode });
      const plain = await makeLM('local-chat-completions', chatArgs(vllm.url));
      const lm = await makeLM('local-chat-completions', chatArgs(s.url));
      const req = [{ context: ctx(conversation), genKwargs: { until: [], max_gen_toks: 30 } }];
      const [full] = await plain.generateUntil(req);
      const [answer] = await lm.generateUntil(req);
      const dot = full.indexOf('.');
      expect(dot).toBeGreaterThan(0);
      // Inline tags are cut and the answer lstripped; a separate field leaves content as sent.
      expect(answer).toBe(mode === 'inline' ? full.slice(dot + 1).trimStart() : full.slice(dot + 1));
      const info = lm.resultsInfo().reasoning as { responses: number; with_reasoning: number; reasoning_chars: number; from_field: number; from_tags: number };
      expect(info.responses).toBe(1);
      expect(info.with_reasoning).toBe(1);
      expect(info.reasoning_chars).toBe([...full.slice(0, dot + 1)].length);
      expect(mode === 'field' ? info.from_field : info.from_tags).toBe(1);
      await Promise.all([lm.close(), plain.close(), s.close()]);
    });
  }
});

describe('chat loglikelihood', () => {
  const continuations = [' The', ' The cat was happy.', ' Once upon a time'];

  it('is exact through vLLM prompt_logprobs with continue_final_message', async () => {
    const lm = await makeLM('local-chat-completions', chatArgs(vllm.url));
    const res = await lm.loglikelihood(continuations.map((c) => ({ context: ctx(conversation), continuation: c })));
    for (let i = 0; i < continuations.length; i++) {
      const [lp, greedy] = await reference(conversation, continuations[i]);
      expect(Math.abs(res[i][0] - lp)).toBeLessThan(1e-9);
      expect(res[i][1]).toBe(greedy);
    }
    expect(lm.resultsInfo().scoring_path).toBe('chat-prompt-logprobs');
    const body = vllm.stats.bodies.at(-1) as Record<string, unknown>;
    expect(body.continue_final_message).toBe(true);
    expect(body.add_generation_prompt).toBe(false);
    await lm.close();
  });

  it('is exact for single-token continuations through top_logprobs (llama.cpp), refused otherwise', async () => {
    const lm = await makeLM('local-chat-completions', chatArgs(llamacpp.url));
    const ids = render(conversation, true);
    const rows = await model.logprobRows(ids);
    const row = rows[rows.length - 1];
    const [top1, top2] = StoriesModel.ranked(row, 2);
    const first = model.tokenString(top1.id);
    const second = model.tokenString(top2.id);
    const res = await lm.loglikelihood([first, second].map((c) => ({ context: ctx(conversation), continuation: c })));
    expect(res[0][0]).toBeCloseTo(top1.logprob, 12);
    expect(res[0][1]).toBe(true);
    expect(res[1][0]).toBeCloseTo(top2.logprob, 12);
    expect(res[1][1]).toBe(false);
    expect(lm.resultsInfo().scoring_path).toBe('chat-top-logprobs');
    const err = await lm.loglikelihood([{ context: ctx(conversation), continuation: ' The cat was happy.' }]).catch((e) => e);
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err.message).toMatch(/cannot score the continuation/);
    expect(err.hint).toMatch(/vLLM/);
    await lm.close();
  });

  it('top_logprobs route: one request per document, all its single-token choices read from one list', async () => {
    const lm = await makeLM('local-chat-completions', chatArgs(llamacpp.url));
    const other = [{ role: 'user', content: 'Tell me about a dog.' }];
    const choicesOf = async (conv: typeof conversation) => {
      const rows = await model.logprobRows(render(conv, true));
      return StoriesModel.ranked(rows[rows.length - 1], 3).map((e) => ({ text: model.tokenString(e.id), logprob: e.logprob }));
    };
    const docs = [
      { conv: conversation, choices: await choicesOf(conversation) },
      { conv: other, choices: await choicesOf(other) },
    ];
    const reqs = docs.flatMap((d) => d.choices.map((c) => ({ context: ctx(d.conv), continuation: c.text })));
    llamacpp.resetStats();
    const res = await lm.loglikelihood(reqs);
    docs.flatMap((d) => d.choices).forEach((c, i) => expect(res[i][0]).toBeCloseTo(c.logprob, 12));
    // the first request decides the route; then one request per document
    expect(llamacpp.stats.scoringRequests).toBe(3);
    await lm.close();
  });

  it('preflight: perplexity refused with a path that works; multi-token choices reported before the run', async () => {
    const lm = await makeLM('local-chat-completions', chatArgs(llamacpp.url));
    const rolling = await lm.preflight!({ type: 'loglikelihood_rolling', task: 't', sample: [{ text: 'x' }] });
    expect(rolling?.fix).toMatch(/local-completions/);
    const multi = await lm.preflight!({ type: 'loglikelihood', task: 't', sample: [{ context: ctx(conversation), continuation: ' The cat was happy.' }] });
    expect(multi?.reason).toMatch(/cannot score the continuation/);
    expect(multi?.fix).toMatch(/local-completions/);
    expect(await lm.preflight!({ type: 'generate_until', task: 't', sample: [{ context: ctx(conversation), genKwargs: {} }] })).toBeNull();
    await lm.close();
  });

  it('loglikelihood_rolling is refused', async () => {
    const lm = await makeLM('local-chat-completions', chatArgs(vllm.url));
    await expect(lm.loglikelihoodRolling([{ text: 'x' }])).rejects.toThrow(LmEvalError);
    await lm.close();
  });
});
