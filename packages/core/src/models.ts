/**
 * `@lm-eval/core/models`: building blocks for model backends — the deterministic `dummy`
 * backend, lm-eval's rolling token windows and whitespace split, chat templates, top-p sampling,
 * Hugging Face's native `tokenizers` encoder, Hugging Face Hub snapshots and the long-lived
 * Python worker process.
 * @module
 */
export { DummyLM, DUMMY_MODEL_ARGS } from './model/dummy.ts';
export { rollingTokenWindows, splitTrailingWhitespace, type TokenWindow } from './model/token-windows.ts';
export { renderChatTemplate, continueFinalMessage, type RenderChatOptions } from './model/chat-template.ts';
export { topPCount } from './model/sampling.ts';
export { agreesWith, ENCODER_PROBES, loadNativeEncoder, type BatchEncoder, type NativeBatchEncoder } from './model/native-encoder.ts';
export { RequestTooLargeError } from './model/request-too-large.ts';
export { hubSnapshot, isHubOffline, isHubRepoId } from './util/hub-snapshot.ts';
export { hubCacheDir } from './data/hub-cache.ts';
export {
  PythonWorker,
  PythonWorkerError,
  type PythonWorkerOptions,
  type PythonWorkerHello,
  type WorkerErrorInfo,
} from './worker/python-worker.ts';
