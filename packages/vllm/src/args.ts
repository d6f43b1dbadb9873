/**
 * `--model vllm --model_args …`: the accepted arguments, their defaults (lm-eval latest,
 * api-backends.md §4) and validation. Unknown keys are an error that lists the accepted ones;
 * a fixed set of vLLM engine arguments (below) is passed through to `LLM(...)` as lm-eval
 * passes its extra kwargs.
 */
import { LmEvalError, toNumber, PyFloat, type ModelArgs, type ModelFactoryOptions } from '@lm-eval/core';

export interface VllmConfig {
  pretrained: string;
  tokenizer: string | null;
  revision: string | null;
  tokenizerMode: string;
  tokenizerRevision: string | null;
  dtype: string;
  trustRemoteCode: boolean;
  tensorParallelSize: number;
  dataParallelSize: number;
  gpuMemoryUtilization: number;
  quantization: string | null;
  /** `max_length` or `max_model_len` (one of them); null = the engine's `max_model_len`. */
  maxLength: number | null;
  maxGenToks: number;
  seed: number;
  /** null = the tokenizer's default (lm-eval latest). */
  addBosToken: boolean | null;
  prefixTokenId: number | null;
  loraLocalPath: string | null;
  maxLoraRank: number;
  /** 0 = `auto` (everything in one `generate` call). */
  batchSize: number | 'auto';
  maxBatchSize: number | null;
  thinkEndToken: string | null;
  enableThinking: boolean | null;
  chatTemplateArgs: Record<string, unknown>;
  /** Python interpreter for the worker. */
  python: string;
  /** Engine arguments passed through to `LLM(...)`. */
  extra: Record<string, unknown>;
}

/** Arguments of `--model vllm` (besides the engine pass-through ones). */
export const VLLM_MODEL_ARGS = [
  'pretrained',
  'tokenizer',
  'revision',
  'tokenizer_mode',
  'tokenizer_revision',
  'dtype',
  'trust_remote_code',
  'tensor_parallel_size',
  'data_parallel_size',
  'gpu_memory_utilization',
  'quantization',
  'max_length',
  'max_model_len',
  'max_gen_toks',
  'seed',
  'add_bos_token',
  'prefix_token_id',
  'lora_local_path',
  'max_lora_rank',
  'batch_size',
  'max_batch_size',
  'think_end_token',
  'enable_thinking',
  'chat_template_args',
  'device',
  'python',
] as const;

/** vLLM `EngineArgs` accepted as extra model_args and passed to `LLM(...)` unchanged. */
export const VLLM_ENGINE_PASSTHROUGH_ARGS = [
  'enforce_eager',
  'kv_cache_memory_bytes',
  'kv_cache_dtype',
  'max_num_batched_tokens',
  'max_num_seqs',
  'enable_prefix_caching',
  'enable_chunked_prefill',
  'swap_space',
  'cpu_offload_gb',
  'load_format',
  'download_dir',
  'distributed_executor_backend',
  'pipeline_parallel_size',
  'disable_log_stats',
  'max_logprobs',
  'hf_overrides',
  'max_seq_len_to_capture',
  'disable_custom_all_reduce',
  'calculate_kv_scales',
] as const;

function isNone(v: unknown): boolean {
  return v === null || v === undefined || v === 'None' || v === 'none' || v === 'null';
}

function str(args: ModelArgs, key: string): string | null {
  const v = args[key];
  if (isNone(v)) return null;
  return v instanceof PyFloat ? String(v.value) : String(v);
}

function int(args: ModelArgs, key: string, dflt: number): number;
function int(args: ModelArgs, key: string, dflt: null): number | null;
function int(args: ModelArgs, key: string, dflt: number | null): number | null {
  const v = args[key];
  if (isNone(v)) return dflt;
  const n = typeof v === 'string' ? Number(v.trim()) : toNumber(v);
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new LmEvalError(`--model_args ${key}=${String(v)}: expected an integer.`);
  }
  return n;
}

function float(args: ModelArgs, key: string, dflt: number): number {
  const v = args[key];
  if (isNone(v)) return dflt;
  const n = typeof v === 'string' ? Number(v.trim()) : toNumber(v);
  if (typeof n !== 'number' || Number.isNaN(n)) throw new LmEvalError(`--model_args ${key}=${String(v)}: expected a number.`);
  return n;
}

function bool(args: ModelArgs, key: string, dflt: boolean | null): boolean | null {
  const v = args[key];
  if (isNone(v)) return dflt;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  const s = String(v).trim().toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  throw new LmEvalError(`--model_args ${key}=${String(v)}: expected True or False.`);
}

function parseBatchSize(v: unknown, key: string): number | 'auto' {
  if (isNone(v)) return 'auto';
  if (typeof v === 'string' && v.includes('auto')) return 'auto';
  const n = typeof v === 'string' ? Number(v) : toNumber(v);
  if (!Number.isInteger(n) || n < 1) throw new LmEvalError(`${key}=${String(v)}: expected a positive integer or 'auto'.`);
  return n;
}

/** Validates `--model_args` for `--model vllm` (lm-eval latest defaults). */
export function parseVllmArgs(args: ModelArgs, options: ModelFactoryOptions = {}): VllmConfig {
  const accepted = new Set<string>([...VLLM_MODEL_ARGS, ...VLLM_ENGINE_PASSTHROUGH_ARGS]);
  const unknown = Object.keys(args).filter((k) => !accepted.has(k));
  if (unknown.length) {
    throw new LmEvalError(
      `Unknown --model_args for --model vllm: ${unknown.join(', ')}. Accepted: ${VLLM_MODEL_ARGS.filter((k) => k !== 'device').join(', ')}; ` +
        `engine arguments passed to vllm.LLM: ${VLLM_ENGINE_PASSTHROUGH_ARGS.join(', ')}.`,
      'Fix the key in --model_args.',
    );
  }
  const pretrained = str(args, 'pretrained');
  if (!pretrained) {
    throw new LmEvalError('--model vllm needs model_args pretrained=<model folder or Hugging Face id>.');
  }
  const maxLength = int(args, 'max_length', null);
  const maxModelLen = int(args, 'max_model_len', null);
  if (maxLength !== null && maxModelLen !== null) {
    throw new LmEvalError('Either max_length or max_model_len may be provided in --model_args, but not both.');
  }
  const dataParallelSize = int(args, 'data_parallel_size', 1);
  let batchSize = parseBatchSize(args.batch_size ?? options.batchSize, 'batch_size');
  // lm-eval: manual batching is not compatible with data parallelism.
  if (dataParallelSize > 1) batchSize = 'auto';
  let chatTemplateArgs: Record<string, unknown> = {};
  const cta = args.chat_template_args;
  if (!isNone(cta)) {
    if (typeof cta === 'string') {
      try {
        chatTemplateArgs = JSON.parse(cta) as Record<string, unknown>;
      } catch {
        throw new LmEvalError(`--model_args chat_template_args=${cta}: expected a JSON object.`);
      }
    } else if (typeof cta === 'object') chatTemplateArgs = { ...(cta as Record<string, unknown>) };
  }
  const extra: Record<string, unknown> = {};
  for (const k of VLLM_ENGINE_PASSTHROUGH_ARGS) {
    if (k in args && k !== 'max_num_seqs') extra[k] = args[k] instanceof PyFloat ? (args[k] as PyFloat).value : args[k];
  }
  const maxBatchSize = int(args, 'max_num_seqs', null) ?? int(args, 'max_batch_size', null) ?? options.maxBatchSize ?? null;
  return {
    pretrained,
    tokenizer: str(args, 'tokenizer'),
    revision: str(args, 'revision'),
    tokenizerMode: str(args, 'tokenizer_mode') ?? 'auto',
    tokenizerRevision: str(args, 'tokenizer_revision'),
    dtype: str(args, 'dtype') ?? 'auto',
    trustRemoteCode: bool(args, 'trust_remote_code', false) ?? false,
    tensorParallelSize: int(args, 'tensor_parallel_size', 1),
    dataParallelSize,
    gpuMemoryUtilization: float(args, 'gpu_memory_utilization', 0.9),
    quantization: str(args, 'quantization'),
    maxLength: maxModelLen ?? maxLength,
    maxGenToks: int(args, 'max_gen_toks', 256),
    seed: int(args, 'seed', 1234),
    addBosToken: bool(args, 'add_bos_token', null),
    prefixTokenId: int(args, 'prefix_token_id', null),
    loraLocalPath: str(args, 'lora_local_path'),
    maxLoraRank: int(args, 'max_lora_rank', 16),
    batchSize,
    maxBatchSize,
    thinkEndToken: str(args, 'think_end_token'),
    enableThinking: bool(args, 'enable_thinking', null),
    chatTemplateArgs,
    python: str(args, 'python') ?? process.env.LM_EVAL_PYTHON ?? 'python3',
    extra,
  };
}
