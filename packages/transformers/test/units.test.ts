import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LmEvalError } from '@lm-eval/core';
import { parseBatchSize, parseHfArgs, resolveMaxLength } from '../src/index.ts';
import { autoBatchSize, BatchScheduler, type ModelDims } from '../src/batching.ts';
import { cutAtStop } from '../src/generation.ts';
import { pickToken } from '../src/sampling.ts';
import { rollingWindows } from '../src/rolling.ts';
import { selectChatTemplate } from '../src/chat.ts';

const MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/stories260k');
const expected = JSON.parse(readFileSync(path.join(MODEL_DIR, 'expected.json'), 'utf8'));

describe('rollingWindows', () => {
  it('matches the get_rolling_token_windows example (t = 0..9, L = 4, prefix P)', () => {
    const P = -1;
    expect(rollingWindows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], P, 4)).toEqual([
      { context: [P], continuation: [0, 1, 2, 3] },
      { context: [3], continuation: [4, 5, 6, 7] },
      { context: [5, 6, 7], continuation: [8, 9] },
    ]);
    expect(rollingWindows([], P, 4)).toEqual([]);
    expect(rollingWindows([5, 6], P, 4)).toEqual([{ context: [P], continuation: [5, 6] }]);
  });

  it('reproduces expected.json rolling windows (619 tokens, L = 512)', () => {
    const t: number[] = expected.rolling.ids_no_bos;
    const w = rollingWindows(t, 1, 512);
    expect(w.map((x) => [x.context.length, x.continuation.length, x.context[0]])).toEqual(
      expected.rolling.windows.map((x: { context_len: number; n_predicted: number; first_input_id: number }) => [x.context_len, x.n_predicted, x.first_input_id]),
    );
    expect(w.flatMap((x) => x.continuation)).toEqual(t);
    // every window's model input (context + continuation minus its last token) fits in L
    for (const x of w) expect(x.context.length + x.continuation.length - 1).toBeLessThanOrEqual(512);
  });
});

describe('cutAtStop', () => {
  it('cuts at the earliest occurrence of any non-empty stop string', () => {
    expect(cutAtStop('a. b\nc', ['\n', '.'])).toBe('a');
    expect(cutAtStop('abc', ['', 'x'])).toBe('abc');
    expect(cutAtStop('Q: 1\n\nQ: 2', ['Q:', '\n\n'])).toBe('');
  });
});

describe('pickToken', () => {
  const row = new Float32Array([0, Math.log(3), -50]); // probs ≈ 0.25, 0.75, 0
  const seq = (...xs: number[]) => () => xs.shift()!;
  it('greedy takes the first argmax', () => {
    expect(pickToken(new Float32Array([1, 3, 3]), { doSample: false, temperature: 1, topK: 0, topP: 1 }, seq())).toBe(1);
  });
  it('samples from the softmax with the RNG', () => {
    const p = { doSample: true, temperature: 1, topK: 0, topP: 1 };
    expect(pickToken(row, p, seq(0.2))).toBe(1); // sorted: [1 (0.75), 0 (0.25)]
    expect(pickToken(row, p, seq(0.8))).toBe(0);
  });
  it('applies top_k and top_p', () => {
    expect(pickToken(row, { doSample: true, temperature: 1, topK: 1, topP: 1 }, seq(0.99))).toBe(1);
    expect(pickToken(row, { doSample: true, temperature: 1, topK: 0, topP: 0.5 }, seq(0.99))).toBe(1);
    expect(pickToken(row, { doSample: true, temperature: 1, topK: 0, topP: 0.9 }, seq(0.99))).toBe(0);
  });
  it('temperature sharpens the distribution', () => {
    // at T = 0.1 token 0 has probability ~3^-10
    expect(pickToken(row, { doSample: true, temperature: 0.1, topK: 0, topP: 1 }, seq(0.999))).toBe(1);
  });
});

describe('batch sizes', () => {
  const dims: ModelDims = { vocab: 512, layers: 5, hidden: 64, intermediate: 172, kvWidth: 32 };
  it('auto size: memory rule, capped, power of two', () => {
    expect(autoBatchSize(512, dims, 64, 1e12)).toBe(64);
    expect(autoBatchSize(512, dims, 64, 1e3)).toBe(1);
    const s = autoBatchSize(512, dims, 64, 400e6);
    expect(Math.log2(s) % 1).toBe(0);
    expect(s).toBeLessThan(64);
    // longer sequences get smaller batches
    expect(autoBatchSize(2048, dims, 64, 400e6)).toBeLessThan(s);
  });
  it('fixed and auto:N plans', () => {
    expect(new BatchScheduler({ kind: 'fixed', size: 2 }, 64, dims).plan([5, 4, 3, 2, 1])).toEqual([[0, 2], [2, 4], [4, 5]]);
    const auto = new BatchScheduler({ kind: 'auto', redetect: 2 }, 2, dims);
    expect(auto.plan([9, 8, 7, 6, 5])).toEqual([[0, 2], [2, 4], [4, 5]]);
    // lm-eval's slot = pos // int(n / N): with n = 5, N = 2 a third slot appears, as in Python
    expect(auto.recordedSizes()).toEqual([2, 2, 2]);
  });
  it('parses batch_size', () => {
    expect(parseBatchSize('auto')).toEqual({ kind: 'auto', redetect: 1 });
    expect(parseBatchSize('auto:4')).toEqual({ kind: 'auto', redetect: 4 });
    expect(parseBatchSize('16')).toEqual({ kind: 'fixed', size: 16 });
    expect(() => parseBatchSize(0)).toThrow(LmEvalError);
  });
});

describe('args and config', () => {
  it('maps dtypes and devices, model_args win over CLI options', () => {
    const a = parseHfArgs({ pretrained: 'x', dtype: 'float16', device: 'cuda:0', batch_size: 'auto:2' }, { batchSize: 1, device: 'cpu' });
    expect(a).toMatchObject({ dtype: 'fp16', device: 'cuda', batchSize: { kind: 'auto', redetect: 2 }, maxBatchSize: 64, maxGenToks: 256, seed: 1234, revision: 'main' });
    expect(parseHfArgs({ pretrained: 'x', add_bos_token: 'False' }).addBosToken).toBe(false);
    expect(parseHfArgs({ pretrained: 'x' }, { batchSize: 'auto' }).batchSize).toEqual({ kind: 'auto', redetect: 1 });
    expect(() => parseHfArgs({ pretrained: 'x', add_bos_token: 'maybe' })).toThrow(/add_bos_token/);
  });
  it('resolves max_length like lm-eval', () => {
    expect(resolveMaxLength(100, { max_position_embeddings: 512 }, {})).toBe(100);
    expect(resolveMaxLength(undefined, { text_config: { n_positions: 1024 }, max_position_embeddings: 512 }, {})).toBe(1024);
    expect(resolveMaxLength(undefined, {}, { model_max_length: 4096 })).toBe(4096);
    expect(resolveMaxLength(undefined, {}, { model_max_length: 1000000000000000019884624838656 })).toBe(2048);
    expect(resolveMaxLength(undefined, {}, {})).toBe(2048);
  });
});

describe('chat helpers', () => {
  it('selects named templates', () => {
    const named = [{ name: 'default', template: 'D' }, { name: 'rag', template: 'R' }];
    expect(selectChatTemplate(named)).toBe('D');
    expect(selectChatTemplate(named, 'rag')).toBe('R');
    expect(selectChatTemplate('T', 'anything')).toBe('T');
    expect(selectChatTemplate(null)).toBeNull();
    expect(() => selectChatTemplate({ rag: 'R' })).toThrow(/rag/);
  });
});
