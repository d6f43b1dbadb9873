/**
 * One scheduler for every experiment of a run. Each endpoint (a server URL) has one concurrency
 * limit shared by all experiments that use it, so experiments on different servers run at the
 * same time and experiments on one server share it. A model with several endpoints spreads its
 * requests over them (least busy first); a request that fails on an endpoint goes back to the
 * queue and the endpoint rests (0.5 s, doubling up to 30 s) before it gets another — no request is
 * lost. A run gives up only when a request has failed on every endpoint several times.
 */
import { LmEvalError, type ChatMessage, type ChatTemplateOptions, type Context, type GenerateRequest, type LM, type LoglikelihoodRequest, type LoglikelihoodResult, type RequestHooks, type RollingRequest } from '@lm-eval/core';

/** A counting semaphore whose releases wake every waiter (waiters re-check their own conditions). */
export class EndpointSlot {
  inFlight = 0;
  /** until when (ms) the endpoint rests after a failure */
  downUntil = 0;
  failures = 0;
  lastError = '';
  constructor(
    readonly url: string,
    public limit: number,
  ) {}
  get free(): number {
    return this.limit - this.inFlight;
  }
}

/** The endpoints of a run, by URL, with a change signal shared by all pools. */
export class EndpointScheduler {
  private readonly slots = new Map<string, EndpointSlot>();
  private waiters: Array<() => void> = [];
  /** requests sent per endpoint (reported in the run summary) */
  readonly sent = new Map<string, number>();

  constructor(readonly options: { restMs?: number; maxRestMs?: number; now?: () => number } = {}) {}

  /** The slot for a URL; the first limit given wins (others are raised to the largest). */
  slot(url: string, limit: number): EndpointSlot {
    let s = this.slots.get(url);
    if (!s) {
      s = new EndpointSlot(url, limit);
      this.slots.set(url, s);
    } else if (limit > s.limit) s.limit = limit;
    return s;
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Wakes every waiting pool (a slot was released or an endpoint came back). */
  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves on the next notify() or after `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, Math.max(1, ms));
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  markFailed(slot: EndpointSlot, error: unknown): void {
    slot.failures++;
    slot.lastError = error instanceof Error ? error.message : String(error);
    const rest = Math.min(this.options.maxRestMs ?? 30_000, (this.options.restMs ?? 500) * 2 ** (slot.failures - 1));
    slot.downUntil = this.now() + rest;
  }

  markOk(slot: EndpointSlot): void {
    slot.failures = 0;
    slot.downUntil = 0;
    this.sent.set(slot.url, (this.sent.get(slot.url) ?? 0) + 1);
  }
}

export interface PoolEndpoint {
  slot: EndpointSlot;
  lm: LM;
}

export interface EndpointPoolOptions {
  /** seconds between request starts (DeathMath's request_delay) */
  requestDelay?: number;
  /** requests per call to an endpoint's backend */
  chunkSize?: number;
  /** failures of one request on every endpoint before the run gives up */
  maxRounds?: number;
  /** the cache identity (the model, not the endpoint: every endpoint serves the same model) */
  identity: Record<string, unknown>;
  log?: (message: string) => void;
}

interface Job {
  indexes: number[];
  /** failures of this job, per endpoint url */
  failures: Map<string, number>;
}

/** The LM seen by the evaluator: one model behind several endpoints. */
export class EndpointPoolLM implements LM {
  readonly name: string;
  private nextStart = 0;

  constructor(
    readonly endpoints: PoolEndpoint[],
    readonly scheduler: EndpointScheduler,
    readonly options: EndpointPoolOptions,
  ) {
    if (endpoints.length === 0) throw new LmEvalError('a model needs at least one endpoint');
    this.name = endpoints[0].lm.name;
  }

  private get first(): LM {
    return this.endpoints[0].lm;
  }

  get tokenizerName(): string | undefined {
    return this.first.tokenizerName;
  }

  get applyChatTemplate(): ((messages: ChatMessage[], options: ChatTemplateOptions) => Context) | undefined {
    const f = this.first.applyChatTemplate;
    return f ? f.bind(this.first) : undefined;
  }

  get chatTemplate(): LM['chatTemplate'] {
    const f = this.first.chatTemplate;
    return f ? f.bind(this.first) : undefined;
  }

  /**
   * Every endpoint serves the same model: the first one runs the backend's preflight checks, as for
   * a resumed run (`answered: true`), so no probe request is sent. A probe's answer lives only in
   * that backend's memory until the run scores the same item, so an experiment set killed between
   * its experiments' preflights and their first scoring would send those probes again; the scoring
   * route is instead decided by the first scoring request, whose answer goes to the response cache.
   */
  get preflight(): LM['preflight'] {
    const f = this.first.preflight;
    const lm = this.first;
    return f ? (q) => f.call(lm, { ...q, answered: true }) : undefined;
  }

  cacheIdentity(): Record<string, unknown> {
    return this.options.identity;
  }

  resultsInfo(): Record<string, unknown> {
    return this.first.resultsInfo?.() ?? {};
  }

  configInfo(): Record<string, unknown> {
    return this.first.configInfo?.() ?? {};
  }

  async close(): Promise<void> {
    for (const e of this.endpoints) await e.lm.close?.();
  }

  loglikelihood(requests: LoglikelihoodRequest[], hooks?: RequestHooks): Promise<LoglikelihoodResult[]> {
    return this.dispatch(requests, hooks, (lm, rs, h) => lm.loglikelihood(rs, h));
  }

  loglikelihoodRolling(requests: RollingRequest[], hooks?: RequestHooks): Promise<number[]> {
    return this.dispatch(requests, hooks, (lm, rs, h) => lm.loglikelihoodRolling(rs, h));
  }

  generateUntil(requests: GenerateRequest[], hooks?: RequestHooks): Promise<string[]> {
    return this.dispatch(requests, hooks, (lm, rs, h) => lm.generateUntil(rs, h));
  }

  /** A healthy endpoint with a free slot (least busy first), or null. */
  private pick(now: number): PoolEndpoint | null {
    let best: PoolEndpoint | null = null;
    for (const e of this.endpoints) {
      if (e.slot.free <= 0 || e.slot.downUntil > now) continue;
      if (!best || e.slot.inFlight / e.slot.limit < best.slot.inFlight / best.slot.limit) best = e;
    }
    return best;
  }

  private async dispatch<R, V>(requests: R[], hooks: RequestHooks | undefined, call: (lm: LM, rs: R[], h: RequestHooks) => Promise<V[]>): Promise<V[]> {
    const results: V[] = new Array(requests.length);
    const size = Math.max(1, this.options.chunkSize ?? 1);
    const queue: Job[] = [];
    for (let i = 0; i < requests.length; i += size) {
      queue.push({ indexes: Array.from({ length: Math.min(size, requests.length - i) }, (_, k) => i + k), failures: new Map() });
    }
    const maxRounds = this.options.maxRounds ?? 4;
    const delayMs = (this.options.requestDelay ?? 0) * 1000;
    const running = new Set<Promise<void>>();
    let fatal: unknown = null;
    const sched = this.scheduler;

    const start = (ep: PoolEndpoint, job: Job) => {
      ep.slot.inFlight++;
      const delivered = new Set<number>();
      const p = call(
        ep.lm,
        job.indexes.map((i) => requests[i]),
        {
          signal: hooks?.signal,
          onResult: (j, v) => {
            const i = job.indexes[j];
            if (i === undefined || delivered.has(i)) return;
            delivered.add(i);
            results[i] = v as V;
            hooks?.onResult?.(i, v);
          },
        },
      )
        .then((out) => {
          job.indexes.forEach((i, j) => {
            results[i] = out[j];
            if (!delivered.has(i)) hooks?.onResult?.(i, out[j]);
          });
          sched.markOk(ep.slot);
        })
        .catch((e) => {
          if (hooks?.signal?.aborted) {
            fatal ??= e;
            return;
          }
          // answers that arrived stay delivered; the rest go back to the queue
          const rest = job.indexes.filter((i) => !delivered.has(i));
          sched.markFailed(ep.slot, e);
          const f = (job.failures.get(ep.slot.url) ?? 0) + 1;
          job.failures.set(ep.slot.url, f);
          const rounds = Math.min(...this.endpoints.map((x) => job.failures.get(x.slot.url) ?? 0));
          if (rounds >= maxRounds) {
            fatal ??= new LmEvalError(
              `model ${this.options.identity.model_name ?? this.name}: a request failed ${maxRounds} times on every endpoint (${this.endpoints.map((x) => x.slot.url).join(', ')}); last error: ${e instanceof Error ? e.message : String(e)}`,
              'check the servers and run the same command again: answered requests are kept in the response cache',
            );
            return;
          }
          this.options.log?.(`endpoint ${ep.slot.url} failed (${e instanceof Error ? e.message : String(e)}); its requests go to the other endpoints and it is retried later`);
          if (rest.length) queue.unshift({ indexes: rest, failures: job.failures });
        })
        .finally(() => {
          ep.slot.inFlight--;
          running.delete(p);
          sched.notify();
        });
      running.add(p);
    };

    while ((queue.length || running.size) && !fatal) {
      if (hooks?.signal?.aborted) break;
      const now = sched.now();
      let startedAny = false;
      while (queue.length && !fatal) {
        if (delayMs > 0 && now < this.nextStart) break;
        const ep = this.pick(sched.now());
        if (!ep) break;
        start(ep, queue.shift()!);
        startedAny = true;
        if (delayMs > 0) {
          this.nextStart = sched.now() + delayMs;
          break;
        }
      }
      if (fatal) break;
      if (startedAny && queue.length && delayMs === 0) continue;
      // wait until a slot frees, an endpoint's rest ends, or the request delay passes
      const wake: number[] = [1000];
      for (const e of this.endpoints) if (e.slot.downUntil > now) wake.push(e.slot.downUntil - now);
      if (delayMs > 0 && this.nextStart > now) wake.push(this.nextStart - now);
      await sched.changed(Math.min(...wake));
    }
    await Promise.allSettled([...running]);
    if (fatal) throw fatal;
    if (hooks?.signal?.aborted) throw new LmEvalError('interrupted');
    return results;
  }
}
