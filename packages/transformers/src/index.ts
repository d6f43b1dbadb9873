/** @lm-eval/transformers: the in-process `--model hf` backend on transformers.js / onnxruntime. */
import { registerModel } from '@lm-eval/core';
import { createHfModel } from './hf-model.ts';

export { createHfModel, HfLM, resolveMaxLength } from './hf-model.ts';
export { parseHfArgs, parseBatchSize, ACCEPTED_MODEL_ARGS, HF_MODEL_ARGS, type HfArgs, type BatchSizeSpec } from './args.ts';
export { HfTokenizer, type TokenPair } from './tokenization.ts';

/** Registers `--model hf` (and its alias `huggingface`, as in lm-eval). No side effects on import. */
export function registerTransformersModels(): void {
  registerModel('hf', createHfModel);
  registerModel('huggingface', createHfModel);
}

/** Same as {@link registerTransformersModels}. */
export const register = registerTransformersModels;
