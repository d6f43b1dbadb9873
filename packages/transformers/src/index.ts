/** @lm-eval/transformers: the in-process `--model hf` backend on transformers.js / onnxruntime. */
import { registerModel } from '@lm-eval/core';
import { createHfModel } from './hf-model.ts';

export { createHfModel, HfLM, resolveMaxLength } from './hf-model.ts';
export { parseHfArgs, parseBatchSize, ACCEPTED_MODEL_ARGS, HF_MODEL_ARGS, type HfArgs, type BatchSizeSpec } from './args.ts';
export { rollingWindows, type TokenWindow } from './rolling.ts';
export { HfTokenizer, type TokenPair } from './tokenization.ts';
export { autoBatchSize, bytesPerSequence, BatchScheduler, type ModelDims } from './batching.ts';
export { pickToken, type SamplingParams, type Rng } from './sampling.ts';
export { cutAtStop } from './generation.ts';
export { selectChatTemplate, renderChat } from './chat.ts';

/** Registers `--model hf` (and its alias `huggingface`, as in lm-eval). No side effects on import. */
export function registerTransformersModels(): void {
  registerModel('hf', createHfModel);
  registerModel('huggingface', createHfModel);
}

/** Same as {@link registerTransformersModels}. */
export const register = registerTransformersModels;
