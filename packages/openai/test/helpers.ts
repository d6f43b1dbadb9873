/** Shared test setup: the stories260K model folder, a fast retry policy, LM construction. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelArgs } from '@lm-eval/core';
import { createApiModel, type ApiBackendName, type ApiBackendOptions } from '../src/index.ts';
import type { BackoffPolicy } from '../src/http.ts';

export const MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/stories260k');

/** Millisecond waits so fault tests stay fast (the policy's shape is unchanged). */
export const FAST_BACKOFF: BackoffPolicy = { multiplierMs: 5, minMs: 10, maxMs: 50, maxRetryAfterMs: 60_000 };

export function completionsArgs(url: string, extra: ModelArgs = {}): ModelArgs {
  return {
    base_url: `${url}/v1/completions`,
    model: 'stories260k',
    tokenizer_backend: 'huggingface',
    tokenizer: MODEL_DIR,
    add_bos_token: true,
    max_length: 514,
    ...extra,
  };
}

export function makeLM(backend: ApiBackendName, args: ModelArgs, env: NodeJS.ProcessEnv = {}, options: ApiBackendOptions = {}) {
  return createApiModel(backend, args, {}, { backoff: FAST_BACKOFF, env, ...options });
}

import { readFileSync } from 'node:fs';

export interface GoldenPair {
  context: string;
  continuation: string;
  logprob: number;
  is_greedy: boolean;
}

/** The 12 golden loglikelihood pairs of models/stories260k/expected.json. */
export function goldenPairs(): GoldenPair[] {
  return (JSON.parse(readFileSync(path.join(MODEL_DIR, 'expected.json'), 'utf8')) as { loglikelihood: GoldenPair[] }).loglikelihood;
}
