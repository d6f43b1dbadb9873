import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmEvalError, registeredModels, getModelFactory, type LM } from '@lm-eval/core';
import { runBackendConformance } from '@lm-eval/core/testing';
import { createHfModel, HfLM, registerTransformersModels } from '../src/index.ts';
import { renderChat } from '../src/chat.ts';

const MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/stories260k');
const expected = JSON.parse(readFileSync(path.join(MODEL_DIR, 'expected.json'), 'utf8'));

async function load(args: Record<string, unknown> = {}): Promise<HfLM> {
  return (await createHfModel({ pretrained: MODEL_DIR, ...args }, {})) as HfLM;
}

let lm: HfLM;
let single: HfLM;
beforeAll(async () => {
  lm = await load({ batch_size: 8 });
  single = await load({ batch_size: 1 });
});
afterAll(async () => {
  await lm.close();
  await single.close();
});

describe('hf backend on stories260K: conformance', () => {
  it('passes the shared conformance suite (batched)', async () => {
    const report = await runBackendConformance(lm, { expectedPath: path.join(MODEL_DIR, 'expected.json') });
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(28);
    expect(report.maxAbsError).toBeLessThan(1e-3);
  });

  it('passes the shared conformance suite (batch_size=1)', async () => {
    const report = await runBackendConformance(single);
    expect(report.failures).toEqual([]);
  });

  it('pair-encodes like expected.json (_encode_pair, empty context → BOS prefix)', () => {
    for (const c of expected.loglikelihood) {
      const pair = lm.tokenizer.encodePair(c.context, c.continuation, lm.prefixTokenId);
      expect(pair.context).toEqual(c.context_ids);
      expect(pair.continuation).toEqual(c.continuation_ids);
    }
    // trailing context whitespace moves to the continuation
    expect(lm.tokenizer.encodePair('Once upon a ', 'time', 1)).toEqual(lm.tokenizer.encodePair('Once upon a', ' time', 1));
  });

  it('scores a sentence token by token like the reference', async () => {
    const ids: number[] = expected.sentence.ids;
    const reqs = ids.slice(1).map((tok, k) => ({ context: ids.slice(0, k + 1), continuation: [tok] }));
    const res = await lm.scoreTokens(reqs);
    res.forEach(([lp], k) => expect(Math.abs(lp - expected.sentence.token_logprobs[k])).toBeLessThan(1e-4));
  });
});

describe('batching', () => {
  const reqs = expected.loglikelihood.map((c: { context: string; continuation: string }) => ({ context: c.context, continuation: c.continuation }));

  it('batched loglikelihood equals single-request scoring, in input order, with onResult per index', async () => {
    const seen = new Map<number, unknown>();
    const batched = await lm.loglikelihood(reqs, { onResult: (i, v) => seen.set(i, v) });
    const one = await single.loglikelihood(reqs);
    batched.forEach(([lp, g], i) => {
      expect(Math.abs(lp - one[i][0])).toBeLessThan(2e-5);
      expect(g).toBe(one[i][1]);
      expect(seen.get(i)).toEqual(batched[i]);
    });
    expect(seen.size).toBe(reqs.length);
    // each request scored alone gives the same answer too
    const alone = await single.loglikelihood([reqs[7]]);
    expect(Math.abs(alone[0][0] - batched[7][0])).toBeLessThan(2e-5);
  });

  it('batched (left-padded) greedy generation equals one-by-one generation', async () => {
    const prompts = ['Once upon a time', 'Tom had a red ball. He went to the park with his mom and', 'The little dog'];
    const gen = { until: ['\n'], do_sample: false, max_gen_toks: 30 };
    const batched = await lm.generateUntil(prompts.map((p) => ({ context: p, genKwargs: gen })));
    const one: string[] = [];
    for (const p of prompts) one.push(...(await single.generateUntil([{ context: p, genKwargs: gen }])));
    expect(batched).toEqual(one);
    expect(new Set(batched).size).toBe(3);
  });

  it('auto:N detects and records batch sizes by the memory rule', async () => {
    const auto = await load({ batch_size: 'auto:2', max_batch_size: 4 });
    const res = await auto.loglikelihood(reqs);
    const one = await single.loglikelihood(reqs);
    res.forEach(([lp], i) => expect(Math.abs(lp - one[i][0])).toBeLessThan(2e-5));
    const sizes = auto.configInfo().batch_sizes as number[];
    expect(sizes).toEqual([4, 4]);
    await auto.close();
  });

  it('left-truncates to max_length + 1 tokens', async () => {
    const short = await load({ max_length: 24 });
    const c = expected.loglikelihood[7]; // 31 context + 18 continuation tokens
    const [[lp]] = await short.loglikelihood([{ context: c.context, continuation: c.continuation }]);
    const whole = [...c.context_ids, ...c.continuation_ids];
    const kept = whole.slice(-25);
    const n = c.continuation_ids.length;
    // with max_length=24 only 24 inputs fit, so the context loses its first tokens
    const [[ref]] = await single.scoreTokens([{ context: kept.slice(0, kept.length - n), continuation: kept.slice(-n) }]);
    expect(Math.abs(lp - ref)).toBeLessThan(2e-5);
    expect(Math.abs(lp - c.logprob)).toBeGreaterThan(1e-3);
    expect(short.resultsInfo().max_length).toBe(24);
    // a continuation longer than max_length cannot be scored
    await expect(short.loglikelihood([{ context: 'a', continuation: expected.rolling.text.slice(0, 200) }])).rejects.toThrow(/max_length=24/);
    await short.close();
  });
});

describe('rolling', () => {
  it('sums the two lm-eval windows of the 619-token story', async () => {
    const seen: unknown[] = [];
    const [total, empty] = await lm.loglikelihoodRolling([{ text: expected.rolling.text }, { text: '' }], { onResult: (i, v) => (seen[i] = v) });
    expect(Math.abs(total - expected.rolling.total_logprob)).toBeLessThan(1e-3);
    expect(empty).toBe(0);
    expect(seen).toEqual([total, 0]);
  });
});

describe('generate_until', () => {
  it('cuts at the first stop string and keeps the text before it', async () => {
    const [out] = await lm.generateUntil([{ context: 'Once upon a time', genKwargs: { until: ['Lily', 'park'], max_gen_toks: 20 } }]);
    expect(out).toBe(', there was a little girl named ');
  });

  it('stops when the model emits BOS (end of a story) and skips special tokens', async () => {
    const [story] = await single.generateUntil([{ context: 'Once upon a time', genKwargs: { until: [], max_gen_toks: 480 } }]);
    const ids = lm.tokenizer.encodeRaw(story, false);
    expect(ids.length).toBeLessThan(470);
    expect(ids.length).toBeGreaterThan(200);
    expect(story).not.toContain('<s>');
  });

  it('sampling is reproducible with a seed and differs across seeds', async () => {
    const gen = { until: ['\n'], do_sample: true, temperature: 1.0, max_gen_toks: 40 };
    const reqs = ['Once upon a time', 'The little dog', 'Tom had a red ball.'].map((p) => ({ context: p, genKwargs: gen }));
    const [a, b, c] = await Promise.all([load({ seed: 7, batch_size: 2 }), load({ seed: 7, batch_size: 2 }), load({ seed: 8, batch_size: 2 })]);
    const ra = await a.generateUntil(reqs);
    expect(await b.generateUntil(reqs)).toEqual(ra);
    expect(await c.generateUntil(reqs)).not.toEqual(ra);
    const greedy = await lm.generateUntil(reqs.map((r) => ({ ...r, genKwargs: { until: ['\n'], max_gen_toks: 40 } })));
    expect(ra).not.toEqual(greedy);
    // temperature without do_sample stays greedy (generation_config do_sample=false), as in lm-eval
    const warm = await a.generateUntil(reqs.map((r) => ({ ...r, genKwargs: { until: ['\n'], temperature: 0.7, max_gen_toks: 40 } })));
    expect(warm).toEqual(greedy);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('rejects do_sample with temperature 0 and a non-string until', async () => {
    await expect(lm.generateUntil([{ context: 'x', genKwargs: { do_sample: true, temperature: 0 } }])).rejects.toThrow(LmEvalError);
    await expect(lm.generateUntil([{ context: 'x', genKwargs: { until: 5 } }])).rejects.toThrow(/until/);
  });
});

describe('chat template', () => {
  const ex = expected.chat_template_example;

  it('renders expected.json chat_template_example and encodes it without a second BOS', async () => {
    const rendered = lm.applyChatTemplate(ex.messages, { addGenerationPrompt: true });
    expect(rendered).toBe(ex.rendered);
    expect(lm.tokenizer.encode(rendered as string)).toEqual(ex.ids_add_special_tokens_false);
    const [reply] = await lm.generateUntil([{ context: rendered, genKwargs: { until: [], max_gen_toks: 20 } }]);
    expect(reply.replace(/^ /, '')).toBe(ex.greedy_20_text.replace(/^ /, ''));
  });

  it('continues the final message without a generation prompt', () => {
    const msgs = [...ex.messages.slice(0, 2), { role: 'assistant', content: 'The cat' }];
    expect(lm.applyChatTemplate(msgs, { addGenerationPrompt: false })).toBe('<s>You tell short stories.\n\nUser: Tell me about a cat.\nAssistant: The cat');
  });

  it('retries without system messages when the template rejects them', () => {
    const strict = "{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system role') }}{% endif %}{% for m in messages %}{{ m['content'] + '|' }}{% endfor %}";
    expect(renderChat(lm.tokenizer.tokenizer, strict, ex.messages, true)).toBe('Tell me about a cat.|The cat was happy.|And the dog?|');
    expect(() => renderChat(lm.tokenizer.tokenizer, '{{ raise_exception("bad") }}', [{ role: 'user', content: 'x' }], true)).toThrow(LmEvalError);
  });

  it('returns the tokenizer template string', () => {
    const cfg = JSON.parse(readFileSync(path.join(MODEL_DIR, 'tokenizer_config.json'), 'utf8'));
    expect(lm.chatTemplate()).toBe(cfg.chat_template);
    expect(lm.chatTemplate(false)).toBeNull();
  });
});

describe('model info and args', () => {
  it('reports tokenizer, config and cache identity fields', () => {
    expect(lm.resultsInfo()).toEqual({
      tokenizer_pad_token: ['<unk>', '0'],
      tokenizer_eos_token: ['</s>', '2'],
      tokenizer_bos_token: ['<s>', '1'],
      eot_token_id: 2,
      max_length: 512,
    });
    expect(lm.configInfo()).toEqual({
      model_num_parameters: 260032,
      model_dtype: 'torch.float32',
      model_revision: 'main',
      model_sha: null,
      batch_sizes: [],
    });
    expect(lm.cacheIdentity()).toMatchObject({ model: 'hf', pretrained: MODEL_DIR, dtype: 'fp32', max_length: 512 });
  });

  it('registers hf through @lm-eval/core', async () => {
    registerTransformersModels();
    expect(registeredModels()).toContain('hf');
    const m: LM = await getModelFactory('hf')({ pretrained: MODEL_DIR }, { batchSize: 4 });
    expect(m.name).toBe('hf');
    await m.close?.();
  });

  it('rejects bad model_args with an LmEvalError', async () => {
    await expect(load({ bogus: 1 })).rejects.toThrow(/unknown model_args bogus.*Accepted: pretrained, revision/);
    await expect(createHfModel({}, {})).rejects.toThrow(LmEvalError);
    await expect(load({ batch_size: 'lots' })).rejects.toThrow(/batch_size/);
    await expect(load({ dtype: 'bfloat16' })).rejects.toThrow(/dtype/);
    await expect(load({ max_length: 0 })).rejects.toThrow(/max_length/);
    // stories260k ships only an fp32 graph: asking for fp16 is a clear load error
    await expect(load({ dtype: 'float16' })).rejects.toThrow(/could not load pretrained=.*dtype fp16/);
    const prev = process.env.HF_HUB_OFFLINE;
    process.env.HF_HUB_OFFLINE = '1';
    try {
      await expect(createHfModel({ pretrained: 'nobody/no-such-model-xyz' }, {})).rejects.toThrow(/HF_HUB_OFFLINE/);
    } finally {
      if (prev === undefined) delete process.env.HF_HUB_OFFLINE;
      else process.env.HF_HUB_OFFLINE = prev;
    }
  });
});
