/**
 * `--model_args` of `--model hf`: lm-eval's HFLM constructor arguments that make sense on
 * transformers.js / onnxruntime, declared as a schema read by core's `readModelArgs`.
 */
import { createLogger, defineModelArgs, modelArgError, readModelArgs, type ModelArgs, type ModelFactoryOptions } from '@lm-eval/core/light';

const log = createLogger('hf');

/** lm-eval / torch dtype names → transformers.js dtypes. `auto` is resolved against the config later. */
const DTYPES: Record<string, string> = {
  auto: 'auto',
  float32: 'fp32',
  fp32: 'fp32',
  float: 'fp32',
  float16: 'fp16',
  fp16: 'fp16',
  half: 'fp16',
  q8: 'q8',
  int8: 'int8',
  uint8: 'uint8',
  q4: 'q4',
  q4f16: 'q4f16',
  bnb4: 'bnb4',
};

export const HF_MODEL_ARGS = defineModelArgs('hf', [
  {
    name: 'pretrained',
    type: 'str',
    required: true,
    description:
      'a local model folder or a Hub id (looked up in the HF hub cache first, else downloaded by transformers.js; refused when HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set). The folder needs tokenizer.json and an ONNX export in transformers.js layout (onnx/model.onnx, onnx/model_fp16.onnx, ...).',
  },
  { name: 'revision', type: 'str', default: 'main', description: 'Hub revision (branch, tag or commit).' },
  {
    name: 'dtype',
    type: 'str',
    default: 'float32',
    description: `one of ${Object.keys(DTYPES).join(', ')} (torch. prefix allowed; auto = transformers.js_config.dtype in config.json, else fp32). bfloat16 is rejected (no onnxruntime CPU kernels).`,
  },
  { name: 'device', type: 'str', default: 'cpu', description: 'transformers.js device (cuda:0 → cuda); default: --device, else cpu.' },
  {
    name: 'max_length',
    type: 'int',
    min: 2,
    defaultText: 'model config',
    description: 'context length; else config (text_config first) n_positions, max_position_embeddings, n_ctx, else tokenizer model_max_length, else 2048.',
  },
  { name: 'batch_size', type: 'batch_size', default: 1, description: 'an integer, auto or auto:N; default: --batch_size.' },
  { name: 'max_batch_size', type: 'int', min: 1, default: 64, description: 'cap for auto batch sizes; default: --max_batch_size, else 64.' },
  {
    name: 'add_bos_token',
    type: 'bool',
    defaultText: 'tokenizer default',
    description: 'lm-eval latest semantics (None): add_special_tokens per the tokenizer, never on a string that already starts with the BOS text.',
  },
  { name: 'prefix_token_id', type: 'int', min: 0, defaultText: 'BOS, else EOS', description: 'context for empty-context requests and the first rolling window.' },
  { name: 'max_gen_toks', type: 'int', min: 1, default: 256, description: 'default generation length.' },
  { name: 'seed', type: 'int', min: 0, default: 1234, description: 'seeds the sampling RNG, one stream per model instance.' },
  { name: 'trust_remote_code', type: 'bool', default: false, description: 'ignored (transformers.js runs ONNX graphs only; one warning).' },
] as const);

/** Accepted `model_args` names (from {@link HF_MODEL_ARGS}). */
export const ACCEPTED_MODEL_ARGS = HF_MODEL_ARGS.args.map((a) => a.name);

/** `batch_size`: a fixed size, or `auto` / `auto:N` (detected N times over the sorted requests). */
export type BatchSizeSpec = { kind: 'fixed'; size: number } | { kind: 'auto'; redetect: number };

export interface HfArgs {
  pretrained: string;
  revision: string;
  /** transformers.js dtype (`fp32`, `fp16`, `q8`, ...). */
  dtype: string;
  device: string;
  /** Explicit `max_length`; otherwise taken from the model config. */
  maxLength?: number;
  batchSize: BatchSizeSpec;
  maxBatchSize: number;
  /** undefined = the tokenizer's default (lm-eval latest: `add_bos_token=None`). */
  addBosToken?: boolean;
  prefixTokenId?: number;
  maxGenToks: number;
  seed: number;
}

/** A `batch_size` value (model_args or --batch_size) as a fixed size or the auto schedule. */
export function parseBatchSize(v: unknown): BatchSizeSpec {
  const { batch_size: b } = readModelArgs(HF_MODEL_ARGS, { pretrained: '-', batch_size: v as string });
  if (typeof b === 'string') {
    const n = b.includes(':') ? Number(b.slice(5)) : 1;
    return { kind: 'auto', redetect: Math.max(1, n) };
  }
  return { kind: 'fixed', size: b };
}

export function parseHfArgs(args: ModelArgs, options: ModelFactoryOptions = {}): HfArgs {
  const v = readModelArgs(HF_MODEL_ARGS, args, { batch_size: options.batchSize, max_batch_size: options.maxBatchSize, device: options.device });
  if (args.trust_remote_code !== undefined) log.warn('trust_remote_code is ignored: transformers.js runs ONNX graphs only.');
  const dtype = DTYPES[v.dtype.replace(/^torch\./, '').toLowerCase()];
  if (!dtype) throw modelArgError('hf', 'dtype', args.dtype, `one of ${Object.keys(DTYPES).join(', ')} (bfloat16 has no onnxruntime CPU kernels; use float32)`);
  const device = v.device.toLowerCase().replace(/:\d+$/, ''); // cuda:0 → cuda (onnxruntime picks the device itself)
  return {
    pretrained: v.pretrained.trim(),
    revision: v.revision,
    dtype,
    device,
    maxLength: v.max_length ?? undefined,
    batchSize: parseBatchSize(v.batch_size),
    maxBatchSize: v.max_batch_size,
    addBosToken: v.add_bos_token ?? undefined,
    prefixTokenId: v.prefix_token_id ?? undefined,
    maxGenToks: v.max_gen_toks,
    seed: v.seed,
  };
}
