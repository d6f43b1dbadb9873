/**
 * `--model vllm --model_args …`: the accepted arguments, their defaults (lm-eval latest,
 * lm_eval/models/vllm_causallms.py `VLLM.__init__`) and validation. Unknown keys are an error that lists the accepted ones;
 * a fixed set of vLLM engine arguments (below) is passed through to `LLM(...)` as lm-eval
 * passes its extra kwargs.
 */
import { defineModelArgs, LmEvalError, readModelArgs, type ModelArgs, type ModelFactoryOptions } from '@lm-eval/core/light';

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

/** The `--model_args` schema of `--model vllm` (lm-eval latest `VLLM.__init__` names and defaults). */
export const VLLM_ARGS_SCHEMA = defineModelArgs(
  'vllm',
  [
    { name: 'pretrained', type: 'str', required: true, description: 'model folder or Hugging Face id (LLM(model=...)).' },
    { name: 'tokenizer', type: 'str', defaultText: 'pretrained', description: 'tokenizer folder or id.' },
    { name: 'revision', type: 'str', description: 'model revision.' },
    { name: 'tokenizer_mode', type: 'str', default: 'auto', description: 'vLLM tokenizer mode.' },
    { name: 'tokenizer_revision', type: 'str', description: 'tokenizer revision.' },
    { name: 'dtype', type: 'str', default: 'auto', description: 'weights dtype.' },
    { name: 'trust_remote_code', type: 'bool', default: false, description: 'allow model code from the Hub.' },
    { name: 'tensor_parallel_size', type: 'int', min: 1, default: 1, description: 'GPUs per model replica.' },
    { name: 'data_parallel_size', type: 'int', min: 1, default: 1, description: 'Ray replicas; > 1 forces batch_size=auto.' },
    { name: 'gpu_memory_utilization', type: 'float', default: 0.9, description: 'fraction of GPU memory vLLM may use.' },
    { name: 'quantization', type: 'str', description: 'vLLM quantization method.' },
    { name: 'max_length', type: 'int', min: 1, defaultText: 'engine max_model_len', description: 'context length; also passed as LLM(max_model_len=...). Give max_length or max_model_len, not both.' },
    { name: 'max_model_len', type: 'int', min: 1, description: 'same as max_length.' },
    { name: 'max_gen_toks', type: 'int', min: 1, default: 256, description: 'default generation length.' },
    { name: 'seed', type: 'int', min: 0, default: 1234, description: 'LLM(seed=...).' },
    { name: 'add_bos_token', type: 'bool', defaultText: 'tokenizer default', description: 'BOS policy (None = the tokenizer default); forced True for model names containing gemma.' },
    { name: 'prefix_token_id', type: 'int', min: 0, defaultText: 'BOS, else EOS', description: 'context for empty-context requests and rolling windows.' },
    { name: 'lora_local_path', type: 'str', description: 'one adapter LoRARequest("finetuned", 1, path) on every call (enable_lora=True).' },
    { name: 'max_lora_rank', type: 'int', min: 1, default: 16, description: 'largest LoRA rank.' },
    { name: 'batch_size', type: 'batch_size', default: 'auto', description: 'auto = everything in one generate call; N = chunks of N; default: --batch_size.' },
    { name: 'max_batch_size', type: 'int', min: 1, description: 'engine max_num_seqs (max_num_seqs wins); default: --max_batch_size.' },
    { name: 'think_end_token', type: 'str', description: "text after which a reasoning model's answer starts." },
    { name: 'enable_thinking', type: 'bool', description: 'chat template enable_thinking.' },
    { name: 'chat_template_args', type: 'json', description: 'extra chat template variables, a JSON object.' },
    { name: 'device', type: 'str', description: 'accepted for compatibility; vLLM picks the device.' },
    { name: 'python', type: 'str', defaultText: '$LM_EVAL_PYTHON, else python3', description: 'Python interpreter that has vllm installed (runs the worker).' },
  ] as const,
  VLLM_ENGINE_PASSTHROUGH_ARGS,
);

/** Arguments of `--model vllm` (besides the engine pass-through ones). */
export const VLLM_MODEL_ARGS = VLLM_ARGS_SCHEMA.args.map((a) => a.name);

/** Validates `--model_args` for `--model vllm` (lm-eval latest defaults). */
export function parseVllmArgs(args: ModelArgs, options: ModelFactoryOptions = {}): VllmConfig {
  const v = readModelArgs(VLLM_ARGS_SCHEMA, args, { batch_size: options.batchSize });
  if (v.max_length !== null && v.max_model_len !== null) {
    throw new LmEvalError('--model vllm: either max_length or max_model_len may be provided in --model_args, but not both.', 'Keep one of them.');
  }
  // lm-eval: manual batching is not compatible with data parallelism.
  const batchSize = v.data_parallel_size > 1 || typeof v.batch_size === 'string' ? 'auto' : v.batch_size;
  const { max_num_seqs: maxNumSeqs, ...extra } = v.passthrough;
  const maxBatchSize = maxNumSeqs !== undefined ? readModelArgs(VLLM_ARGS_SCHEMA, { pretrained: '-', max_batch_size: maxNumSeqs as number }).max_batch_size : v.max_batch_size ?? options.maxBatchSize ?? null;
  return {
    pretrained: v.pretrained,
    tokenizer: v.tokenizer,
    revision: v.revision,
    tokenizerMode: v.tokenizer_mode,
    tokenizerRevision: v.tokenizer_revision,
    dtype: v.dtype,
    trustRemoteCode: v.trust_remote_code,
    tensorParallelSize: v.tensor_parallel_size,
    dataParallelSize: v.data_parallel_size,
    gpuMemoryUtilization: v.gpu_memory_utilization,
    quantization: v.quantization,
    maxLength: v.max_model_len ?? v.max_length,
    maxGenToks: v.max_gen_toks,
    seed: v.seed,
    addBosToken: v.add_bos_token,
    prefixTokenId: v.prefix_token_id,
    loraLocalPath: v.lora_local_path,
    maxLoraRank: v.max_lora_rank,
    batchSize,
    maxBatchSize,
    thinkEndToken: v.think_end_token,
    enableThinking: v.enable_thinking,
    chatTemplateArgs: v.chat_template_args ?? {},
    python: v.python ?? process.env.LM_EVAL_PYTHON ?? 'python3',
    extra,
  };
}
