// Pure request-building rules of the vLLM backend (no Python needed).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getModelFactory, LmEvalError } from '@lm-eval/core';
import { PyFloat } from '@lm-eval/core/python';
import { bundledModelDir } from '@lm-eval/core/testing';
import { parseVllmArgs, registerVllmModels } from '../src/index.ts';
import { planSampling, postprocessGeneration } from '../src/gen-kwargs.ts';
import { causalPair, emptyContextPair, loglikelihoodInput, moveTrailingWhitespace, rollingWindows } from '../src/token-requests.ts';

describe('rolling windows', () => {
  it('reproduces the get_rolling_token_windows example (t = 0..9, L = 4, prefix P)', () => {
    const P = -1;
    const t = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(rollingWindows(t, P, 4, 1)).toEqual([
      [[P], [0, 1, 2, 3]],
      [[3], [4, 5, 6, 7]],
      [[5, 6, 7], [8, 9]],
    ]);
  });

  it('predicts every token once; no tokens → no windows', () => {
    const t = Array.from({ length: 37 }, (_, i) => i + 10);
    const w = rollingWindows(t, 1, 8, 1);
    expect(w.flatMap(([, p]) => p)).toEqual(t);
    for (const [ctx, pred] of w) expect(ctx.length + pred.length - 1).toBeLessThanOrEqual(8);
    expect(rollingWindows([], 1, 8, 1)).toEqual([]);
  });

  it('matches the stories260K golden windows for L = 512 (max_length 514 under the latest −2 rule)', () => {
    const expected = JSON.parse(readFileSync(path.join(bundledModelDir(), 'expected.json'), 'utf8'));
    const ids: number[] = expected.rolling.ids_no_bos;
    const w = rollingWindows(ids, 1, 514 - 2, 1);
    expect(w.map(([c, p]) => [c.length, p.length])).toEqual(
      expected.rolling.windows.map((x: { context_len: number; n_predicted: number }) => [x.context_len, x.n_predicted]),
    );
    expect(w[1][0][0]).toBe(expected.rolling.windows[1].first_input_id);
  });
});

describe('pair encoding and truncation', () => {
  it('moves trailing whitespace (Python isspace) to the continuation', () => {
    expect(moveTrailingWhitespace('Answer: ', 'A')).toEqual(['Answer:', ' A']);
    expect(moveTrailingWhitespace('Q\n\t ', 'x')).toEqual(['Q', '\n\t x']);
    expect(moveTrailingWhitespace('a\ufeff', 'b')).toEqual(['a\ufeff', 'b']); // not a Python space
    expect(moveTrailingWhitespace('a\x1f', 'b')).toEqual(['a', '\x1fb']); // a Python space
  });

  it('attributes merged boundary tokens to the continuation; empty context gets the prefix', () => {
    expect(causalPair([1, 5, 6, 7], [1, 5, 9])).toEqual([[1, 5, 6], [7]]);
    expect(emptyContextPair([8, 9], 1)).toEqual([[1], [8, 9]]);
    expect(emptyContextPair([1, 9], 1)).toEqual([[1], [9]]);
  });

  it('keeps the last max_length − 1 tokens and shrinks ctxlen', () => {
    expect(loglikelihoodInput([1, 2, 3], [4, 5], 10)).toEqual({ inp: [1, 2, 3, 4, 5], ctxlen: 3 });
    expect(loglikelihoodInput([1, 2, 3, 4, 5], [6, 7], 6)).toEqual({ inp: [3, 4, 5, 6, 7], ctxlen: 3 });
  });
});

describe('generation kwargs', () => {
  it('normalises like lm-eval latest', () => {
    const p = planSampling({ until: ['\n\n', 'Q:'], do_sample: false, max_gen_toks: 32, top_p: new PyFloat(1) }, 256, '</s>');
    expect(p.until).toEqual(['\n\n', 'Q:', '</s>']);
    expect(p.maxGenToks).toBe(32);
    expect(p.params).toEqual({
      max_tokens: 32,
      stop: ['\n\n', 'Q:', '</s>'],
      skip_special_tokens: false,
      spaces_between_special_tokens: false,
      temperature: 0,
      top_p: 1,
    });
  });

  it('keeps vLLM default temperature when neither do_sample nor temperature is given; aliases of max tokens', () => {
    const p = planSampling({ until: '</s>', max_new_tokens: 7, max_tokens: 9 }, 256, '</s>');
    expect(p.until).toEqual(['</s>']);
    expect(p.params).toEqual({ max_tokens: 7, stop: ['</s>'], skip_special_tokens: false, spaces_between_special_tokens: false });
    expect(planSampling({ do_sample: true, temperature: 0.7, skip_special_tokens: true }, 5, null).params).toEqual({
      max_tokens: 5,
      stop: [],
      skip_special_tokens: true,
      spaces_between_special_tokens: false,
      temperature: 0.7,
    });
  });

  it('post-processes at the first stop string and after think_end_token', () => {
    expect(postprocessGeneration('a b.\nc', ['\n', '.'], null)).toBe('a b');
    expect(postprocessGeneration('<think>x</think>  answer', [], '</think>')).toBe('answer');
  });
});

describe('model_args', () => {
  it('has lm-eval latest defaults', () => {
    const c = parseVllmArgs({ pretrained: 'm' });
    expect(c).toMatchObject({
      dtype: 'auto',
      tensorParallelSize: 1,
      dataParallelSize: 1,
      gpuMemoryUtilization: 0.9,
      maxLength: null,
      maxGenToks: 256,
      seed: 1234,
      addBosToken: null,
      batchSize: 'auto',
      maxLoraRank: 16,
    });
  });

  it('rejects unknown keys, listing the accepted ones', () => {
    try {
      parseVllmArgs({ pretrained: 'm', max_lenght: 5 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LmEvalError);
      expect((e as Error).message).toMatch(/--model vllm: unknown model_args max_lenght/);
      expect((e as Error).message).toMatch(/gpu_memory_utilization/);
      expect((e as Error).message).toMatch(/lora_local_path/);
    }
  });

  it('enforces one of max_length / max_model_len, types, batch sizes and the interpreter default', () => {
    expect(() => parseVllmArgs({ pretrained: 'm', max_length: 5, max_model_len: 5 })).toThrow(/not both/);
    expect(() => parseVllmArgs({ pretrained: 'm', seed: 'abc' })).toThrow(/seed=abc: expected an integer/);
    expect(() => parseVllmArgs({})).toThrow(/pretrained/);
    expect(parseVllmArgs({ pretrained: 'm', max_model_len: 514 }).maxLength).toBe(514);
    expect(parseVllmArgs({ pretrained: 'm', batch_size: 'auto:4' }).batchSize).toBe('auto');
    expect(parseVllmArgs({ pretrained: 'm' }, { batchSize: 8 }).batchSize).toBe(8);
    expect(parseVllmArgs({ pretrained: 'm', batch_size: 4, data_parallel_size: 2 }).batchSize).toBe('auto');
    expect(parseVllmArgs({ pretrained: 'm', add_bos_token: 'False' }).addBosToken).toBe(false);
    expect(parseVllmArgs({ pretrained: 'm', python: '/opt/venv/bin/python' }).python).toBe('/opt/venv/bin/python');
    const saved = process.env.LM_EVAL_PYTHON;
    process.env.LM_EVAL_PYTHON = '/x/python';
    try {
      expect(parseVllmArgs({ pretrained: 'm' }).python).toBe('/x/python');
    } finally {
      if (saved === undefined) delete process.env.LM_EVAL_PYTHON;
      else process.env.LM_EVAL_PYTHON = saved;
    }
    expect(parseVllmArgs({ pretrained: 'm', enforce_eager: true, max_batch_size: 16 })).toMatchObject({
      extra: { enforce_eager: true },
      maxBatchSize: 16,
    });
  });
});

describe('registration', () => {
  it('registers --model vllm', async () => {
    registerVllmModels();
    const factory = getModelFactory('vllm');
    await expect(Promise.resolve(factory({ pretrained: 'x', bogus: 1 }, {}))).rejects.toThrow(/--model vllm: unknown model_args bogus/);
  });
});
