/** `--model hf` says at once what it cannot run: a model without ONNX weights, a device it does not have. */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LmEvalError } from '@lm-eval/core';
import { createHfModel } from '../src/index.ts';
import { cudaProviderInstalled } from '../src/runtime-support.ts';

const MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/stories260k');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hf-no-onnx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('hf runtime support', () => {
  it('a model folder with safetensors but no ONNX export is refused at once, naming vLLM/llama.cpp and the exact export command', async () => {
    const dir = path.join(tmp, 'pythia-like');
    mkdirSync(dir);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']) copyFileSync(path.join(MODEL_DIR, f), path.join(dir, f));
    const err = await createHfModel({ pretrained: dir }, {}).catch((e) => e);
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err.message).toMatch(/has no ONNX weights/);
    expect(err.hint).toMatch(/vllm serve/);
    expect(err.hint).toMatch(/--model gguf/);
    expect(err.hint).toMatch(/optimum-cli export onnx --model .*pythia-like --task text-generation-with-past pythia-like-onnx/);
  });

  it.skipIf(cudaProviderInstalled())('--device cuda explains which devices this installation supports and the GPU alternatives', async () => {
    const err = await createHfModel({ pretrained: MODEL_DIR }, { device: 'cuda:0' }).catch((e) => e);
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err.message).toMatch(/CPU only/);
    expect(err.hint).toMatch(/--model vllm/);
    const other = await createHfModel({ pretrained: MODEL_DIR }, { device: 'mps' }).catch((e) => e);
    expect(other).toBeInstanceOf(LmEvalError);
    expect(other.message).toMatch(/--device mps/);
  });

  it('a CPU run reports device cpu (recorded in the results config when --device is not given)', async () => {
    const lm = await createHfModel({ pretrained: MODEL_DIR }, {});
    expect(lm.device).toBe('cpu');
    await lm.close?.();
  });
});
