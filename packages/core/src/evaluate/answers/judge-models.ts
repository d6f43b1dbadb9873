/**
 * The judge models of a run: one model per distinct judge (backend + arguments), built through
 * the model registry (any backend), shared by every task and metric that names it, answered
 * through the run's response cache when there is one, closed at the end of the run.
 *
 * Each judge metric sees the model under its own identity — backend, arguments, template hash,
 * parser, sampling — which enters the response cache key: changing any of them re-judges.
 */
import { LmEvalError } from '../../errors.ts';
import type { LM, ModelArgs } from '../../model/types.ts';
import { getModelFactory, registeredModels } from '../../model/registry.ts';
import { CachingLM } from '../../cache/response-cache.ts';
import { ResponseStore, responseCacheFile } from '../../cache/sqlite-store.ts';
import { pyJsonDumps } from '../../python/json.ts';

/** A judge model: a registered backend and its model arguments. */
export interface JudgeModelSpec {
  backend: string;
  args: ModelArgs;
}

export const DEFAULT_JUDGE_BACKEND = 'local-chat-completions';

/** `judge_model` as written (a mapping; `backend` picks the model backend) → a spec. */
export function judgeModelSpecOf(value: unknown, where: string): JudgeModelSpec {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new LmEvalError(`${where}: expected a mapping of judge model arguments, got ${JSON.stringify(value)}`, 'example: judge_model: {base_url: http://127.0.0.1:8000/v1/chat/completions, model: my-judge}');
  }
  const { backend, ...args } = value as Record<string, unknown>;
  if (backend !== undefined && typeof backend !== 'string') throw new LmEvalError(`${where}.backend: expected a backend name, got ${JSON.stringify(backend)}`);
  return { backend: (backend as string | undefined) ?? DEFAULT_JUDGE_BACKEND, args };
}

const SECRET = /(^|_)(api_?key|key|token|secret|password|auth|headers?|header)$/i;

/** Model arguments as recorded in results and cache identities: secrets left out. */
export function publicJudgeArgs(args: ModelArgs): ModelArgs {
  const out: ModelArgs = {};
  for (const [k, v] of Object.entries(args)) if (!SECRET.test(k)) out[k] = v;
  return out;
}

/** The model seen under a judge identity (only `cacheIdentity` differs). */
function withIdentity(lm: LM, identity: Record<string, unknown>): LM {
  return {
    name: lm.name,
    loglikelihood: (r, h) => lm.loglikelihood(r, h),
    loglikelihoodRolling: (r, h) => lm.loglikelihoodRolling(r, h),
    generateUntil: (r, h) => lm.generateUntil(r, h),
    applyChatTemplate: lm.applyChatTemplate?.bind(lm),
    cacheIdentity: () => ({ ...(lm.cacheIdentity?.() ?? {}), judge: identity }),
  };
}

export interface JudgeModelsOptions {
  /** the run's `--use_cache` prefix: judge answers go to the same cache file */
  useCache?: string | null;
  /** loads the package of a backend that is not registered yet (the CLI's backend loader) */
  loadBackend?: (name: string) => Promise<void>;
}

export class JudgeModels {
  private readonly models = new Map<string, Promise<LM>>();
  private store: ResponseStore | null = null;

  constructor(private readonly options: JudgeModelsOptions = {}) {}

  private async build(spec: JudgeModelSpec): Promise<LM> {
    if (!registeredModels().includes(spec.backend)) await this.options.loadBackend?.(spec.backend);
    let factory;
    try {
      factory = getModelFactory(spec.backend);
    } catch (e) {
      throw new LmEvalError(`judge model: ${(e as Error).message}`, `judge_model.backend must be a registered backend (${registeredModels().join(', ')})`);
    }
    // judges only generate: an OpenAI-compatible judge needs no tokenizer unless one is named
    const args = /-completions$/.test(spec.backend) && spec.args.tokenizer_backend === undefined && spec.args.tokenizer === undefined ? { ...spec.args, tokenizer_backend: 'none' } : spec.args;
    return factory(args, {});
  }

  /** The judge model for `spec`, seen under `identity` (and cached when the run caches). */
  async get(spec: JudgeModelSpec, identity: Record<string, unknown>): Promise<LM> {
    const key = pyJsonDumps([spec.backend, spec.args]);
    let model = this.models.get(key);
    if (!model) {
      model = this.build(spec);
      this.models.set(key, model);
    }
    const lm = withIdentity(await model, identity);
    if (!this.options.useCache) return lm;
    this.store ??= ResponseStore.open(responseCacheFile(this.options.useCache));
    return new CachingLM(lm, this.store);
  }

  /** Commits cached judge answers and closes every judge model. */
  async close(): Promise<void> {
    this.store?.close();
    for (const m of this.models.values()) {
      const lm = await m.catch(() => null);
      await lm?.close?.();
    }
  }
}
