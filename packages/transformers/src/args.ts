/**
 * `--model_args` of `--model hf`: validation and defaults (lm-eval's HFLM constructor arguments
 * that make sense on transformers.js / onnxruntime).
 */
import { LmEvalError, type ModelArgs, type ModelFactoryOptions } from '@lm-eval/core';

export const ACCEPTED_MODEL_ARGS = [
  'pretrained',
  'revision',
  'dtype',
  'device',
  'max_length',
  'batch_size',
  'max_batch_size',
  'add_bos_token',
  'prefix_token_id',
  'max_gen_toks',
  'seed',
  'trust_remote_code',
] as const;

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

function fail(field: string, value: unknown, what: string): never {
  throw new LmEvalError(`--model_args ${field}=${String(value)}: ${what}.`, `Fix ${field} in --model_args.`);
}

function toInt(field: string, v: unknown, min: number): number {
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) fail(field, v, `expected an integer >= ${min}`);
  return n;
}

function toBool(field: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  if (v === 1 || v === 0) return v === 1;
  fail(field, v, 'expected True or False');
}

export function parseBatchSize(v: unknown, field = 'batch_size'): BatchSizeSpec {
  if (typeof v === 'string') {
    const m = /^auto(?::(\d+))?$/.exec(v.trim());
    if (m) return { kind: 'auto', redetect: m[1] ? Math.max(1, Number(m[1])) : 1 };
  }
  return { kind: 'fixed', size: toInt(field, v, 1) };
}

/** Validates `model_args` (plus the CLI's --batch_size/--max_batch_size/--device); model_args win. */
export function parseHfArgs(args: ModelArgs, options: ModelFactoryOptions = {}): HfArgs {
  const unknown = Object.keys(args).filter((k) => !(ACCEPTED_MODEL_ARGS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new LmEvalError(
      `--model hf: unknown model_args ${unknown.join(', ')}. Accepted: ${ACCEPTED_MODEL_ARGS.join(', ')}.`,
      'Remove or rename them in --model_args.',
    );
  }
  const pretrained = args.pretrained;
  if (typeof pretrained !== 'string' || pretrained.trim() === '') {
    throw new LmEvalError('--model hf needs model_args pretrained=<local model folder or Hub id>.', 'Example: --model_args pretrained=models/stories260k');
  }
  if (args.trust_remote_code !== undefined) {
    process.stderr.write('[hf] trust_remote_code is ignored: transformers.js runs ONNX graphs only.\n');
  }
  const dtypeIn = String(args.dtype ?? 'float32').replace(/^torch\./, '').toLowerCase();
  const dtype = DTYPES[dtypeIn];
  if (!dtype) fail('dtype', args.dtype, `expected one of ${Object.keys(DTYPES).join(', ')} (bfloat16 has no onnxruntime CPU kernels; use float32)`);
  let device = String(args.device ?? options.device ?? 'cpu').toLowerCase();
  device = device.replace(/:\d+$/, ''); // cuda:0 → cuda (onnxruntime picks the device itself)
  const batchSize = parseBatchSize(args.batch_size ?? options.batchSize ?? 1);
  const maxBatchSize = toInt('max_batch_size', args.max_batch_size ?? options.maxBatchSize ?? 64, 1);
  const maxGenToks = toInt('max_gen_toks', args.max_gen_toks ?? 256, 1);
  return {
    pretrained: pretrained.trim(),
    revision: args.revision === undefined ? 'main' : String(args.revision),
    dtype,
    device,
    maxLength: args.max_length === undefined || args.max_length === null ? undefined : toInt('max_length', args.max_length, 2),
    batchSize,
    maxBatchSize,
    addBosToken: args.add_bos_token === undefined || args.add_bos_token === null ? undefined : toBool('add_bos_token', args.add_bos_token),
    prefixTokenId: args.prefix_token_id === undefined || args.prefix_token_id === null ? undefined : toInt('prefix_token_id', args.prefix_token_id, 0),
    maxGenToks,
    seed: toInt('seed', args.seed ?? 1234, 0),
  };
}
