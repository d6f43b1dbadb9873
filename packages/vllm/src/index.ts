// Public API of @lm-eval/vllm: `--model vllm` (vLLM offline, through a Python worker).
export { VllmLM, registerVllmModels, type VllmLMOptions, type VllmWorkerInfo } from './vllm-lm.ts';
export { parseVllmArgs, VLLM_MODEL_ARGS, VLLM_ARGS_SCHEMA, VLLM_ENGINE_PASSTHROUGH_ARGS, type VllmConfig } from './args.ts';
export { VllmWorker, VllmWorkerError, workerScriptPath, PROTOCOL_VERSION, type StartWorkerOptions, type WorkerHello } from './worker-process.ts';
