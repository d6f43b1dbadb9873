/**
 * `--use_cache <prefix>` (lm_eval/api/model.py `CachingLM`): {@link CachingLM} wraps a model, answers
 * requests it has seen from `<prefix>_rank0.db`, sends only the others to the model (in one
 * call, in input order) and stores each answer the moment the model delivers it
 * (`RequestHooks.onResult`), so an interrupted run resumes where it stopped.
 *
 * Differences from lm-eval (docs/cache.md): keys include the model identity and a repeat index;
 * sampled generations are read back like any other answer (lm-eval writes but never reads them),
 * so rerunning a command never repeats a model call — clear the cache to resample.
 */
import type {
  GenerationDetail,
  GenerateRequest,
  LM,
  LoglikelihoodRequest,
  LoglikelihoodResult,
  RequestHooks,
  RollingRequest,
  PreflightQuery,
} from '../model/types.ts';
import type { RequestType } from '../request/instance.ts';
import { LmEvalError } from '../errors.ts';
import { RequestTooLargeError } from '../model/request-too-large.ts';
import { pyJsonDumps } from '../python/json.ts';
import { PyTuple } from '../python/values.ts';
import { pickleDumps, pickleLoads, type PickleValue } from './pickle.ts';
import { modelIdentity, responseCacheKey, type ModelIdentity } from './response-key.ts';
import { ResponseStore, responseCacheFile, type ResponseStoreOptions } from './sqlite-store.ts';

export interface CachingLMOptions extends ResponseStoreOptions {
  /** `_rank<rank>` in the file name (default 0: one process). */
  rank?: number;
}

export interface ResponseCacheStats {
  /** answers read from the cache */
  hits: number;
  /** requests sent to the model */
  misses: number;
}

/** A value as the model returns it, if it has the shape the cache stores for `method`. */
function storable(method: RequestType, v: unknown): PickleValue | undefined {
  switch (method) {
    case 'loglikelihood':
      return Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'boolean' ? [v[0], v[1]] : undefined;
    case 'loglikelihood_rolling':
      return typeof v === 'number' ? v : undefined;
    case 'generate_until':
      return typeof v === 'string' ? v : undefined;
  }
}

/** A stored value as the model would have returned it, or undefined if it is not usable. */
function fromStored(method: RequestType, bytes: Buffer): unknown {
  let v: unknown;
  try {
    v = pickleLoads(bytes);
  } catch {
    return undefined; // written by something else: treat as a miss and overwrite
  }
  if (method === 'loglikelihood') {
    if (v instanceof PyTuple && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'boolean') return [v[0], v[1]] as LoglikelihoodResult;
    return undefined;
  }
  return storable(method, v);
}

/**
 * Generation details (reasoning, finish reason, token counts, latency) are stored next to the
 * answer under `detail:<answer key>`, as a pickled JSON string, so a resumed run reports the
 * details of the original request. lm-eval never reads these keys.
 */
export const DETAIL_KEY_PREFIX = 'detail:';

function detailFromStored(bytes: Buffer | undefined): GenerationDetail | undefined {
  if (bytes === undefined) return undefined;
  try {
    const v = pickleLoads(bytes);
    return typeof v === 'string' ? (JSON.parse(v) as GenerationDetail) : undefined;
  } catch {
    return undefined;
  }
}

export class CachingLM implements LM {
  readonly name: string;
  readonly stats: ResponseCacheStats = { hits: 0, misses: 0 };
  private readonly model: ModelIdentity;
  private closed = false;

  constructor(
    readonly inner: LM,
    readonly store: ResponseStore,
  ) {
    this.name = inner.name;
    this.model = modelIdentity(inner);
  }

  /** Wraps `inner` with the cache file for `--use_cache <prefix>` (`<prefix>_rank<rank>.db`). */
  static open(inner: LM, prefix: string, options: CachingLMOptions = {}): CachingLM {
    return new CachingLM(inner, ResponseStore.open(responseCacheFile(prefix, options.rank ?? 0), options));
  }

  get file(): string {
    return this.store.file;
  }

  loglikelihood(requests: LoglikelihoodRequest[], hooks?: RequestHooks): Promise<LoglikelihoodResult[]> {
    return this.cached('loglikelihood', requests, (r) => [r.context, r.continuation], hooks, (rs, h) => this.inner.loglikelihood(rs, h));
  }

  loglikelihoodRolling(requests: RollingRequest[], hooks?: RequestHooks): Promise<number[]> {
    return this.cached('loglikelihood_rolling', requests, (r) => [r.text], hooks, (rs, h) => this.inner.loglikelihoodRolling(rs, h));
  }

  generateUntil(requests: GenerateRequest[], hooks?: RequestHooks): Promise<string[]> {
    return this.cached('generate_until', requests, (r) => [r.context, r.genKwargs], hooks, (rs, h) => this.inner.generateUntil(rs, h));
  }

  /**
   * Keys for one call. The k-th occurrence of an identical request within the call gets repeat
   * index k: the evaluator sends an instance's `repeats` copies consecutively in one call, so
   * each copy (each sample, for sampled generation) has its own entry and a rerun of the same
   * call finds every one of them again.
   */
  private keys(method: RequestType, argsOf: unknown[][]): string[] {
    const seen = new Map<string, number>();
    return argsOf.map((args) => {
      const id = pyJsonDumps(args);
      const repeat = seen.get(id) ?? 0;
      seen.set(id, repeat + 1);
      return responseCacheKey(method, args, this.model, repeat);
    });
  }

  private async cached<R, V>(
    method: RequestType,
    requests: R[],
    argsOf: (r: R) => unknown[],
    hooks: RequestHooks | undefined,
    send: (requests: R[], hooks: RequestHooks) => Promise<V[]>,
  ): Promise<V[]> {
    if (this.closed) throw new LmEvalError(`${this.name}: the model is closed (with its response cache ${this.file})`);
    hooks?.signal?.throwIfAborted();
    const keys = this.keys(method, requests.map(argsOf));
    const results: V[] = new Array(requests.length);
    const delivered = new Uint8Array(requests.length);
    const deliver = (i: number, v: V) => {
      results[i] = v;
      if (delivered[i]) return;
      delivered[i] = 1;
      hooks?.onResult?.(i, v);
    };

    const missIdx: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      const bytes = this.store.get(keys[i]);
      const hit = bytes === undefined ? undefined : fromStored(method, bytes);
      if (hit === undefined) missIdx.push(i);
      else {
        this.stats.hits++;
        if (hooks?.onDetail) {
          const detail = detailFromStored(this.store.get(DETAIL_KEY_PREFIX + keys[i]));
          if (detail) hooks.onDetail(i, detail);
        }
        deliver(i, hit as V);
      }
    }
    hooks?.signal?.throwIfAborted(); // aborted while the hits were delivered
    if (missIdx.length === 0) return results;
    this.stats.misses += missIdx.length;

    const written = new Uint8Array(requests.length);
    const write = (i: number, v: unknown) => {
      if (written[i]) return;
      const value = storable(method, v);
      if (value === undefined) return; // not an answer (a failed request): never cached
      this.store.put(keys[i], pickleDumps(value));
      written[i] = 1;
    };
    // Ctrl-C: commit what has arrived before the caller starts unwinding.
    const onAbort = () => {
      try {
        this.store.flush();
      } catch {
        // the end of the call flushes again and reports
      }
    };
    hooks?.signal?.addEventListener('abort', onAbort);
    let failed = false;
    try {
      const out = await send(
        missIdx.map((i) => requests[i]),
        {
          signal: hooks?.signal,
          onDetail: (j, detail) => {
            const i = missIdx[j];
            if (i === undefined) return;
            this.store.put(DETAIL_KEY_PREFIX + keys[i], pickleDumps(JSON.stringify(detail)));
            hooks?.onDetail?.(i, detail);
          },
          onResult: (j, v) => {
            const i = missIdx[j];
            if (i === undefined) return;
            write(i, v);
            deliver(i, v as V);
          },
        },
      );
      missIdx.forEach((i, j) => {
        write(i, out[j]);
        deliver(i, out[j]);
      });
      return results;
    } catch (e) {
      failed = true;
      if (e instanceof RequestTooLargeError && missIdx[e.index] !== undefined) throw e.at(missIdx[e.index]);
      throw e;
    } finally {
      hooks?.signal?.removeEventListener('abort', onAbort);
      try {
        this.store.flush();
      } catch (e) {
        if (!failed) throw e; // don't hide the model's own error behind a cache error
      }
    }
  }

  get applyChatTemplate(): LM['applyChatTemplate'] {
    const f = this.inner.applyChatTemplate;
    return f ? f.bind(this.inner) : undefined;
  }

  get chatTemplate(): LM['chatTemplate'] {
    const f = this.inner.chatTemplate;
    return f ? f.bind(this.inner) : undefined;
  }

  get device(): string | undefined {
    return this.inner.device;
  }

  get tokenizerName(): string | undefined {
    return this.inner.tokenizerName;
  }

  get cacheIdentity(): LM['cacheIdentity'] {
    const f = this.inner.cacheIdentity;
    return f ? f.bind(this.inner) : undefined;
  }

  get resultsInfo(): LM['resultsInfo'] {
    const f = this.inner.resultsInfo;
    return f ? f.bind(this.inner) : undefined;
  }

  get configInfo(): LM['configInfo'] {
    const f = this.inner.configInfo;
    return f ? f.bind(this.inner) : undefined;
  }

  /** A sample already answered in the cache was served: the server is not asked again (a rerun repeats no model call). */
  get preflight(): LM['preflight'] {
    const f = this.inner.preflight;
    if (!f) return undefined;
    return async (q: PreflightQuery) => {
      const r = q.sample[0] as unknown as Record<string, unknown> | undefined;
      if (r !== undefined) {
        const args = q.type === 'loglikelihood' ? [r.context, r.continuation] : q.type === 'loglikelihood_rolling' ? [r.text] : [r.context, r.genKwargs];
        if (this.store.get(responseCacheKey(q.type, args, this.model, 0)) !== undefined) return f.call(this.inner, { ...q, answered: true });
      }
      return f.call(this.inner, q);
    };
  }

  /** Commits pending answers, closes the file, then closes the wrapped model. */
  async close(): Promise<void> {
    this.closed = true;
    this.store.close();
    await this.inner.close?.();
  }
}
