/**
 * The model a run sends its requests to (lm-eval's `simple_evaluate` model set-up): built by its
 * backend's factory (or given), wrapped in the response cache and the caller's wrapper, and the
 * chat settings it must support.
 */
import type { Profile } from '../compat.ts';
import { CachingLM } from '../cache/response-cache.ts';
import { LmEvalError } from '../errors.ts';
import { getModelFactory } from '../model/registry.ts';
import type { LM, ModelArgs } from '../model/types.ts';
import type { EvaluationRequest } from './evaluation-request.ts';

/** The request's model: a backend built from `modelArgs`, or the LM given; then `--use_cache` and `wrapModel`. */
export async function buildModel(request: EvaluationRequest, modelArgs: ModelArgs): Promise<LM> {
  const lm = typeof request.model === 'string' ? await buildBackend(request, request.model, modelArgs) : request.model;
  const cached = request.useCache ? CachingLM.open(lm, request.useCache) : lm;
  return request.wrapModel ? await request.wrapModel(cached, request) : cached;
}

function buildBackend(request: EvaluationRequest, name: string, modelArgs: ModelArgs): Promise<LM> | LM {
  const factory = request.modelFactory ?? getModelFactory(name);
  return factory(modelArgs, { batchSize: request.batchSize, maxBatchSize: request.maxBatchSize, device: request.device, strict: request.strict });
}

/** The name results and the summary give the model: the backend's name, or the LM's own. */
export function modelLabel(model: EvaluationRequest['model'], lm: LM): string {
  return typeof model === 'string' ? model : lm.name;
}

export interface ChatSettings {
  applyChat: boolean;
  fewshotAsMultiturn: boolean;
}

/**
 * `--apply_chat_template` / `--fewshot_as_multiturn` as the run applies them (latest: multiturn
 * follows the chat template unless set), refused when they cannot work.
 */
export function chatSettings(request: Pick<EvaluationRequest, 'applyChatTemplate' | 'fewshotAsMultiturn'>, profile: Profile, lm: Pick<LM, 'name' | 'applyChatTemplate'>): ChatSettings {
  const applyChat = request.applyChatTemplate !== undefined && request.applyChatTemplate !== false;
  const fewshotAsMultiturn = request.fewshotAsMultiturn ?? (profile === 'latest' ? applyChat : false);
  if (fewshotAsMultiturn && !applyChat) {
    throw new LmEvalError('fewshot_as_multiturn needs apply_chat_template', 'add --apply_chat_template, or drop --fewshot_as_multiturn');
  }
  if (applyChat && !lm.applyChatTemplate) {
    throw new LmEvalError(`--apply_chat_template: the model '${lm.name}' has no chat template`, 'use a model/tokenizer that has one, or drop --apply_chat_template');
  }
  return { applyChat, fewshotAsMultiturn };
}
