// The real TS backend + real worker process against the stand-in `vllm` package
// (test/fake_vllm, numpy forward pass of stories260K). Checks handshake, batching, ordering,
// result mapping, progress, tokenisation policy, sampling parameters, LoRA and data parallelism.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoglikelihoodResult } from '@lm-eval/core';
import { bundledModelDir } from '@lm-eval/core/testing';
import { VllmLM } from '../src/index.ts';
import { fakeEnv, pythonMissing, readRecord, tmpFile } from './helpers.ts';

const skipReason = pythonMissing(['numpy']);
if (skipReason) console.log(`[vllm backend tests] SKIPPED: the stand-in vllm needs numpy — ${skipReason}`);
const jinjaMissing = skipReason ?? pythonMissing(['jinja2']);
if (!skipReason && jinjaMissing) console.log(`[vllm chat-template worker test] SKIPPED: ${jinjaMissing}`);

const MODEL = bundledModelDir();
const expected = JSON.parse(readFileSync(path.join(MODEL, 'expected.json'), 'utf8'));
const quiet = { onLog: () => undefined };

const LL_REQUESTS = [
  { context: 'The cat', continuation: ' sat' },
  { context: 'Once upon a time, there was a little girl named', continuation: ' Lily' },
  { context: '', continuation: 'Once upon a time' },
  { context: 'Tom and his mom went to the park. Tom saw a big red', continuation: ' ball' },
  { context: 'Answer: ', continuation: 'yes' },
];

describe.skipIf(skipReason !== null)('vllm backend on the stand-in vllm', () => {
  let lm: VllmLM;
  const record = tmpFile('record.jsonl');
  const logs: string[] = [];

  beforeAll(async () => {
    lm = await VllmLM.create({ pretrained: MODEL }, {}, { env: fakeEnv({ FAKE_VLLM_RECORD: record }), onLog: (l) => logs.push(l) });
  });
  afterAll(async () => {
    await lm?.close();
  });

  it('handshakes: protocol, vLLM version, tokenizer facts, results info', () => {
    expect(lm.hello.protocol).toBe(1);
    expect(lm.hello.vllm_version).toBe('0.11.0+fake.stories260k');
    expect(lm.info.tokenization).toBe('worker:vllm');
    expect(lm.maxLength).toBe(512); // engine max_model_len (config max_position_embeddings)
    expect(lm.prefixTokenId).toBe(1);
    expect(lm.tokenizerName).toBe(MODEL.replace(/\//g, '__'));
    expect(lm.resultsInfo()).toEqual({
      tokenizer_pad_token: ['<unk>', '0'],
      tokenizer_eos_token: ['</s>', '2'],
      tokenizer_bos_token: ['<s>', '1'],
      eot_token_id: 2,
      max_length: 512,
      tokenization: 'worker:vllm',
    });
    // The stand-in prints on stdout like vLLM; the protocol channel stayed clean and the lines
    // reached the log sink instead.
    expect(logs.some((l) => l.includes('[fake-vllm] importing'))).toBe(true);
    const init = readRecord(record).find((e) => e.event === 'init')!;
    expect(init.kwargs).toMatchObject({
      model: MODEL,
      seed: 1234,
      dtype: 'auto',
      gpu_memory_utilization: 0.9,
      max_model_len: null,
      enable_lora: false,
      max_lora_rank: 16,
      tensor_parallel_size: 1,
    });
    expect(init.kwargs).not.toHaveProperty('swap_space');
  });

  it('tokenises in the worker with the BOS policy (tokenizer default; none before a BOS text)', async () => {
    const [withBos, noSpecial, chat] = await lm.tokenize(['Once upon a time', 'Once upon a time', '<s>User: hi'], [true, false, true]);
    expect(withBos).toEqual(expected.greedy[0].prompt_ids);
    expect(noSpecial).toEqual(expected.greedy[0].prompt_ids.slice(1));
    expect(chat[0]).toBe(1);
    expect(chat[1]).not.toBe(1); // no double BOS for chat-templated text
  });

  it('batches, restores input order, and reports each result as its batch finishes', async () => {
    const auto = await lm.loglikelihood(LL_REQUESTS);
    const before = readRecord(record).filter((e) => e.event === 'generate').length;
    const lm2 = await VllmLM.create({ pretrained: MODEL, batch_size: 2 }, {}, { env: fakeEnv({ FAKE_VLLM_RECORD: record }), ...quiet });
    try {
      const seen: Array<[number, unknown]> = [];
      const res = await lm2.loglikelihood(LL_REQUESTS, { onResult: (i, v) => seen.push([i, v]) });
      expect(res).toEqual(auto);
      expect(seen.map(([i]) => i).sort()).toEqual([0, 1, 2, 3, 4]);
      for (const [i, v] of seen) expect(v).toEqual(res[i]);
      const calls = readRecord(record)
        .filter((e) => e.event === 'generate')
        .slice(before);
      // batch_size=2 over 5 requests → 3 generate calls, longest first, one scoring SamplingParams.
      expect(calls.map((c) => c.prompt_lens.length)).toEqual([2, 2, 1]);
      const lens = calls.flatMap((c) => c.prompt_lens);
      expect(lens).toEqual([...lens].sort((a, b) => b - a));
      for (const c of calls) {
        expect(c.use_tqdm).toBe(false);
        for (const sp of c.sampling_params) {
          expect(sp).toMatchObject({ temperature: 0, prompt_logprobs: 1, max_tokens: 1, detokenize: false });
        }
      }
    } finally {
      await lm2.close();
    }
    // Real numbers: the golden pair, and an empty context scored after the BOS prefix.
    expect(auto[1][0]).toBeCloseTo(expected.loglikelihood[0].logprob, 6);
    expect(auto[1][1]).toBe(true);
    const [ctxOnly] = await lm.loglikelihood([{ context: '', continuation: 'Once upon a time' }]);
    expect(ctxOnly).toEqual(auto[2]);
  });

  it('generate_until: SamplingParams per request, stop strings, input order, onResult', async () => {
    const before = readRecord(record).filter((e) => e.event === 'generate').length;
    const reqs = [
      { context: 'Tom had a red ball.', genKwargs: { until: ['toys'], do_sample: false, max_gen_toks: 20 } },
      { context: 'Once upon a time', genKwargs: { until: '.', do_sample: false, max_gen_toks: 30 } },
      { context: 'The little dog', genKwargs: { do_sample: false, temperature: 0, max_new_tokens: 5 } },
    ];
    const seen: number[] = [];
    const out = await lm.generateUntil(reqs, { onResult: (i) => seen.push(i) });
    expect(out[0]).toBe(' He liked to play with his ');
    expect(out[1]).toBe(', there was a little girl named Lily');
    expect(expected.greedy[2].generated_text.startsWith(out[2])).toBe(true);
    expect(seen.sort()).toEqual([0, 1, 2]);
    const [call] = readRecord(record)
      .filter((e) => e.event === 'generate')
      .slice(before);
    expect(call.prompt_lens).toEqual([10, 5, 5]); // sorted by (−len(tokens), context)
    expect(call.sampling_params.map((p: Record<string, unknown>) => [p.max_tokens, p.stop, p.temperature])).toEqual([
      [20, ['toys', '</s>'], 0],
      [30, ['.', '</s>'], 0],
      [5, ['</s>'], 0],
    ]);
    for (const p of call.sampling_params) expect(p).toMatchObject({ skip_special_tokens: false, spaces_between_special_tokens: false });
  });

  it('generate_until left-truncates contexts to max_length − max_gen_toks', async () => {
    const before = readRecord(record).filter((e) => e.event === 'generate').length;
    const long = 'Once upon a time there was a cat. '.repeat(60);
    await lm.generateUntil([{ context: long, genKwargs: { until: ['\n'], do_sample: false, max_gen_toks: 500 } }]);
    const [call] = readRecord(record)
      .filter((e) => e.event === 'generate')
      .slice(before);
    expect(call.prompt_lens).toEqual([12]);
  });

  it('rolling loglikelihood: windows of max_length − 2 tokens, summed per text, in order', async () => {
    const texts = [{ text: 'The cat sat on the mat.' }, { text: '' }, { text: expected.sentence.text }];
    const seen: number[] = [];
    const res = await lm.loglikelihoodRolling(texts, { onResult: (i) => seen.push(i) });
    expect(seen.sort()).toEqual([0, 1, 2]);
    // An empty text still encodes to [BOS] under the default policy: one window scoring BOS|BOS.
    const [[bosAfterBos]] = await lm.loglikelihood([{ context: '<s>', continuation: '<s>' }]);
    expect(res[1]).toBe(bosAfterBos);
    // With add_bos_token unset (tokenizer default) the text's own BOS is part of the predicted
    // tokens (lm-eval latest): one window [BOS] → [BOS, t…], i.e. exactly the loglikelihood of
    // '<s>' + text after the context '<s>' (encoded without another BOS).
    const [[viaPair]] = await lm.loglikelihood([{ context: '<s>', continuation: '<s>' + texts[2].text }]);
    expect(res[2]).toBe(viaPair);
    expect(res[2]).toBeLessThan(expected.sentence.sum_logprob - 1);
    // add_bos_token=False: the plain text after the BOS prefix = the golden sentence sum.
    const noBos = await VllmLM.create({ pretrained: MODEL, add_bos_token: false }, {}, { env: fakeEnv(), ...quiet });
    try {
      const [r, empty] = await noBos.loglikelihoodRolling([{ text: expected.sentence.text }, { text: '' }]);
      expect(r).toBeCloseTo(expected.sentence.sum_logprob, 8);
      expect(empty).toBe(0); // no tokens → no windows
    } finally {
      await noBos.close();
    }
  });

  it('renders the chat template like the Python tokenizer, with continue_final_message', async () => {
    const ex = expected.chat_template_example;
    expect(lm.chatTemplate()).toContain('Assistant:');
    expect(lm.applyChatTemplate(ex.messages, { addGenerationPrompt: true })).toBe(ex.rendered);
    const cont = [...ex.messages, { role: 'assistant', content: 'The dog ' }];
    const rendered = lm.applyChatTemplate(cont, { addGenerationPrompt: false }) as string;
    expect(rendered.endsWith('\nAssistant: The dog ')).toBe(true); // HF keeps the message's own trailing space
    if (!jinjaMissing) {
      expect(await lm.renderChatInWorker(ex.messages, { addGenerationPrompt: true })).toBe(ex.rendered);
      expect(await lm.renderChatInWorker(cont, { addGenerationPrompt: false })).toBe(rendered);
    }
  });

  it('passes lora_local_path as one LoRA adapter on every call, and engine args through', async () => {
    const rec = tmpFile('lora.jsonl');
    const l = await VllmLM.create(
      { pretrained: MODEL, lora_local_path: '/adapters/x', max_model_len: 256, seed: 7, gpu_memory_utilization: 0.5, enforce_eager: true },
      {},
      { env: fakeEnv({ FAKE_VLLM_RECORD: rec }), ...quiet },
    );
    try {
      await l.loglikelihood([{ context: 'The cat', continuation: ' sat' }]);
      await l.generateUntil([{ context: 'The cat', genKwargs: { until: ['.'], do_sample: false, max_gen_toks: 3 } }]);
      const events = readRecord(rec);
      expect(events[0].kwargs).toMatchObject({
        enable_lora: true,
        max_model_len: 256,
        seed: 7,
        gpu_memory_utilization: 0.5,
        enforce_eager: true,
      });
      const gens = events.filter((e) => e.event === 'generate');
      expect(gens).toHaveLength(2);
      for (const g of gens) expect(g.lora_request).toEqual(['finetuned', 1, '/adapters/x']);
      expect(l.maxLength).toBe(256);
    } finally {
      await l.close();
    }
  });

  it('data_parallel_size=2: Ray tasks on round-robin shards, results re-interleaved (stand-in Ray)', async () => {
    const rec = tmpFile('dp.jsonl');
    const rayRec = tmpFile('ray.jsonl');
    const l = await VllmLM.create(
      { pretrained: MODEL, data_parallel_size: 2, batch_size: 1 },
      {},
      { env: fakeEnv({ FAKE_VLLM_RECORD: rec, FAKE_RAY_RECORD: rayRec }), ...quiet },
    );
    try {
      expect(l.config.batchSize).toBe('auto');
      expect(l.maxLength).toBe(512); // from config.json max_position_embeddings
      const single = await lm.loglikelihood(LL_REQUESTS);
      const dp = await l.loglikelihood(LL_REQUESTS);
      expect(dp).toEqual(single);
      const gen = await l.generateUntil([
        { context: 'Once upon a time', genKwargs: { until: ['.'], do_sample: false, max_gen_toks: 30 } },
        { context: 'The little dog', genKwargs: { until: ['.'], do_sample: false, max_gen_toks: 30 } },
        { context: 'Tom had a red ball.', genKwargs: { until: ['.'], do_sample: false, max_gen_toks: 30 } },
      ]);
      expect(gen[0]).toBe(', there was a little girl named Lily');
      const ray = readRecord(rayRec);
      expect(ray.map((e) => e.event)).toEqual(['task', 'task', 'shutdown', 'task', 'task', 'shutdown']);
      expect(ray.filter((e) => e.event === 'task').map((e) => e.n_requests)).toEqual([3, 2, 2, 1]);
      const inits = readRecord(rec).filter((e) => e.event === 'init');
      expect(inits).toHaveLength(4); // one engine per replica per call, as lm-eval's Ray path does
      for (const i of inits) {
        expect(i.kwargs.distributed_executor_backend).toBe('ray');
        expect(i.kwargs).not.toHaveProperty('data_parallel_size');
      }
    } finally {
      await l.close();
    }
  });

  it('aborts through hooks.signal between batches and stays usable', async () => {
    const l = await VllmLM.create({ pretrained: MODEL, batch_size: 1 }, {}, { env: fakeEnv({ FAKE_VLLM_DELAY_MS: '20' }), ...quiet });
    try {
      const ac = new AbortController();
      const got: number[] = [];
      const many = Array.from({ length: 40 }, (_, i) => ({ context: `The cat number ${i}`, continuation: ' sat' }));
      const p = l.loglikelihood(many, {
        signal: ac.signal,
        onResult: (i) => {
          got.push(i);
          if (got.length === 1) ac.abort();
        },
      });
      await expect(p).rejects.toMatchObject({ name: 'AbortError' });
      expect(got.length).toBeGreaterThanOrEqual(1);
      expect(got.length).toBeLessThan(many.length);
      const res: LoglikelihoodResult[] = await l.loglikelihood([{ context: 'The cat', continuation: ' sat' }]);
      expect(res).toHaveLength(1);
    } finally {
      await l.close();
    }
  });
});
