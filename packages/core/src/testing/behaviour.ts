/**
 * The shared behavioural conformance suite for backends: what the evaluator and the response
 * cache rely on, checked the same way for every {@link LM} (the numeric suite is
 * {@link runBackendConformance}). The contract itself is documented on {@link LM} and
 * {@link RequestHooks}.
 *
 * - `ordering`: every request type answers in input order, for a batch with mixed lengths and
 *   duplicates (backends reorder internally, as lm-eval's Collator does), the same answers as each
 *   request sent alone and as the batch sent reversed; the request objects are not modified.
 * - `on-result`: `onResult` fires exactly once per request index, never out of range, before the
 *   call resolves, with the value the returned array holds.
 * - `abort`: a signal aborted before the call, mid-run (at the first `onResult`) or at the last
 *   `onResult` (before the call settled) makes the call reject with an abort error, no hook fires after it settled, and the backend then answers
 *   the same batch as before.
 * - `close`: `close()` settles, a second `close()` too, a call after it rejects naming the model as
 *   closed, and the handles the backend opened (sockets, timers, child processes) are released.
 * - `cache`: through {@link CachingLM}, a rerun by a new instance of the same model makes no
 *   backend call and returns identical answers; another model identity or other gen_kwargs miss;
 *   each answer is stored under the key computed from the request alone (lm-eval's JSON of the
 *   method and arguments) plus the model identity — whichever backend produced it.
 *
 * Usage in a backend's test:
 *   const report = await runBackendBehaviour(() => createMyModel(args), { otherIdentity: () => createMyModel(other) });
 *   expect(report.failures).toEqual([]);
 *
 * The suite asserts nothing about timing: waits are hang guards only (`hangGuardMs`).
 */
import { createHook } from 'node:async_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundledModelDir } from '../bundled.ts';
import { CachingLM } from '../cache/response-cache.ts';
import { modelIdentity, responseCacheKey } from '../cache/response-key.ts';
import { pyJsonDumps } from '../python/json.ts';
import type { RequestType } from '../request/instance.ts';
import type { GenerateRequest, LM, LoglikelihoodRequest, RequestHooks, RollingRequest } from '../model/types.ts';

export type BehaviourPart = 'ordering' | 'on-result' | 'abort' | 'close' | 'cache';

export interface BehaviourRequests {
  loglikelihood: LoglikelihoodRequest[];
  loglikelihood_rolling: RollingRequest[];
  generate_until: GenerateRequest[];
}

export interface BehaviourOptions {
  /** Request types the backend serves (default: all three). */
  requestTypes?: RequestType[];
  /** Requests per type (default: {@link defaultBehaviourRequests}, stories260K texts). */
  requests?: Partial<BehaviourRequests>;
  /** A model of the same backend with another identity (another model name or weights): the cache must miss on it. */
  otherIdentity?: () => Promise<LM> | LM;
  /** Largest difference allowed between a log-prob computed in a batch and alone (default 1e-4). */
  tolerance?: number;
  /** Parts to run (default: all). */
  parts?: BehaviourPart[];
  /** How long a call, an abort or a close may take before it counts as a hang (default 120 s). */
  hangGuardMs?: number;
  /**
   * How long the handles may take to go away after `close()` (default `hangGuardMs`). Keep it below
   * the idle timeout of a test server's keep-alive sockets (the server closing them would hide a
   * backend that leaves them open).
   */
  releaseGuardMs?: number;
}

export interface BehaviourReport {
  checks: number;
  failures: string[];
  /** Checks not run, with the reason (e.g. no `otherIdentity` given). */
  skipped: string[];
}

const ALL_TYPES: RequestType[] = ['loglikelihood', 'loglikelihood_rolling', 'generate_until'];
const ALL_PARTS: BehaviourPart[] = ['ordering', 'on-result', 'abort', 'close', 'cache'];

interface Expected {
  loglikelihood: Array<{ context: string; continuation: string }>;
  greedy: Array<{ prompt: string }>;
  rolling: { text: string };
}

/**
 * Requests of mixed lengths with duplicates (adjacent and apart), built from the bundled model's
 * golden texts: 14 loglikelihood pairs, 6 rolling texts (one longer than 512 tokens), 7 greedy
 * generations in two gen_kwargs groups.
 */
export function defaultBehaviourRequests(): BehaviourRequests {
  const expected = JSON.parse(fs.readFileSync(path.join(bundledModelDir(), 'expected.json'), 'utf8')) as Expected;
  const pairs = expected.loglikelihood.map((c) => ({ context: c.context, continuation: c.continuation }));
  const loglikelihood = [...pairs.slice(0, 6), pairs[7], pairs[1], ...pairs.slice(6), pairs[3]];
  const story = expected.rolling.text;
  const loglikelihood_rolling = [story.slice(0, 200), story, 'Once upon a time', story.slice(0, 200), story.slice(200, 700), 'Once upon a time'].map((text) => ({ text }));
  const short = { until: ['.'], do_sample: false, temperature: 0, max_gen_toks: 6 };
  const long = { until: ['\n\n'], do_sample: false, temperature: 0, max_gen_toks: 10 };
  const prompts = expected.greedy.map((g) => g.prompt);
  const generate_until: GenerateRequest[] = [
    { context: prompts[0], genKwargs: short },
    { context: `${prompts[1]} He`, genKwargs: long },
    { context: prompts[2], genKwargs: short },
    { context: prompts[0], genKwargs: long },
    { context: prompts[0], genKwargs: short },
    { context: pairs[7].context, genKwargs: short },
    { context: prompts[2], genKwargs: { ...short } },
  ];
  return { loglikelihood, loglikelihood_rolling, generate_until };
}

type AnyRequest = LoglikelihoodRequest | RollingRequest | GenerateRequest;

function call(lm: LM, type: RequestType, requests: AnyRequest[], hooks: RequestHooks): Promise<unknown[]> {
  switch (type) {
    case 'loglikelihood':
      return lm.loglikelihood(requests as LoglikelihoodRequest[], hooks);
    case 'loglikelihood_rolling':
      return lm.loglikelihoodRolling(requests as RollingRequest[], hooks);
    case 'generate_until':
      return lm.generateUntil(requests as GenerateRequest[], hooks);
  }
}

/** The arguments lm-eval's cache key is built from (`[context, continuation]`, `[text]`, `[context, gen_kwargs]`). */
function argsOf(type: RequestType, r: AnyRequest): unknown[] {
  if (type === 'loglikelihood') return [(r as LoglikelihoodRequest).context, (r as LoglikelihoodRequest).continuation];
  if (type === 'loglikelihood_rolling') return [(r as RollingRequest).text];
  return [(r as GenerateRequest).context, (r as GenerateRequest).genKwargs];
}

/** What happened during one call. */
interface Observation {
  outcome: 'resolved' | 'rejected' | 'hung';
  value?: unknown[];
  error?: unknown;
  /** onResult calls, in the order they came, with whether the call had settled by then */
  results: Array<{ index: unknown; value: unknown; late: boolean }>;
  /** onDetail calls made after the call settled */
  lateDetails: number;
}

interface ObserveOptions {
  signal?: AbortSignal;
  /** called at each onResult (before it is recorded as seen), e.g. to abort */
  onEach?: (count: number) => void;
  hangGuardMs: number;
}

/** Runs one call, recording every hook call, with a hang guard. */
async function observe(lm: LM, type: RequestType, requests: AnyRequest[], options: ObserveOptions): Promise<Observation> {
  const obs: Observation = { outcome: 'hung', results: [], lateDetails: 0 };
  let settled = false;
  const hooks: RequestHooks = {
    signal: options.signal,
    onResult: (index, value) => {
      obs.results.push({ index, value, late: settled });
      options.onEach?.(obs.results.length);
    },
    onDetail: () => {
      if (settled) obs.lateDetails += 1;
    },
  };
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), options.hangGuardMs);
  });
  try {
    const p = Promise.resolve()
      .then(() => call(lm, type, requests, hooks))
      .then(
        (value) => {
          obs.outcome = 'resolved';
          obs.value = value;
        },
        (error: unknown) => {
          obs.outcome = 'rejected';
          obs.error = error;
        },
      )
      .finally(() => {
        settled = true;
      });
    await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
  return obs;
}

/** Lets pending I/O callbacks and timers that are due run (late hook calls show up here). */
function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 10));
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function isAbortError(e: unknown, signal: AbortSignal): boolean {
  return e === signal.reason || (e instanceof Error && e.name === 'AbortError') || (e instanceof DOMException && e.name === 'AbortError');
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Same answer up to `tol` on log-probs (exact for flags and texts). */
function close(type: RequestType, a: unknown, b: unknown, tol: number): boolean {
  if (type === 'loglikelihood') {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== 2 || b.length !== 2) return false;
    return Math.abs(Number(a[0]) - Number(b[0])) <= tol && a[1] === b[1];
  }
  if (type === 'loglikelihood_rolling') return typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= tol * 10;
  return a === b;
}

/** Bit-for-bit the same answer (a cache hit). */
function identical(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => identical(x, b[i]));
  return Object.is(a, b);
}

/** Resource types that keep Node alive while active (async_hooks names). */
const HANDLE_TYPES = new Set(['Timeout', 'TCPWRAP', 'TCPSERVERWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'PROCESSWRAP', 'UDPWRAP', 'SIGNALWRAP', 'FSEVENTWRAP', 'STATWATCHER', 'WORKER']);

/**
 * Records the handles (sockets, pipes, timers, child processes) created while `recording` is on,
 * and forgets each when Node destroys it: what is left was not released.
 */
class HandleTracker {
  private readonly live = new Map<number, { type: string; resource: { hasRef?: () => boolean } }>();
  recording = true;
  private readonly hook = createHook({
    init: (id, type, _trigger, resource) => {
      if (this.recording && HANDLE_TYPES.has(type)) this.live.set(id, { type, resource: resource as { hasRef?: () => boolean } });
    },
    destroy: (id) => {
      this.live.delete(id);
    },
  });
  constructor() {
    this.hook.enable();
  }
  /** The recorded handles still alive, e.g. `TCPWRAP ×2`. */
  leftover(): string[] {
    const counts = new Map<string, number>();
    for (const { type, resource } of this.live.values()) {
      // an unref'ed timer is harmless; an open socket, pipe or process is not, ref'ed or not
      if (type === 'Timeout' && typeof resource.hasRef === 'function' && !resource.hasRef()) continue;
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    return [...counts].map(([t, n]) => `${t} ×${n}`);
  }
  stop(): void {
    this.hook.disable();
  }
}

/** An LM that counts the requests it passes on to `inner` and cannot close it. */
function counting(inner: LM): { lm: LM; sent: () => number } {
  let sent = 0;
  const lm: LM = {
    name: inner.name,
    cacheIdentity: inner.cacheIdentity?.bind(inner),
    loglikelihood: (r, h) => ((sent += r.length), inner.loglikelihood(r, h)),
    loglikelihoodRolling: (r, h) => ((sent += r.length), inner.loglikelihoodRolling(r, h)),
    generateUntil: (r, h) => ((sent += r.length), inner.generateUntil(r, h)),
  };
  return { lm, sent: () => sent };
}

class Suite {
  checks = 0;
  readonly failures: string[] = [];
  readonly skipped: string[] = [];
  readonly types: RequestType[];
  readonly requests: BehaviourRequests;
  readonly tol: number;
  readonly hangGuardMs: number;

  constructor(
    readonly factory: () => Promise<LM> | LM,
    readonly options: BehaviourOptions,
  ) {
    this.types = options.requestTypes ?? ALL_TYPES;
    const defaults = options.requests && this.types.every((t) => options.requests![t]) ? ({} as BehaviourRequests) : defaultBehaviourRequests();
    this.requests = { ...defaults, ...options.requests } as BehaviourRequests;
    this.tol = options.tolerance ?? 1e-4;
    this.hangGuardMs = options.hangGuardMs ?? 120_000;
  }

  check(ok: boolean, failure: () => string): boolean {
    this.checks += 1;
    if (!ok) this.failures.push(failure());
    return ok;
  }

  observe(lm: LM, type: RequestType, requests: AnyRequest[], options: Omit<ObserveOptions, 'hangGuardMs'> = {}): Promise<Observation> {
    return observe(lm, type, requests, { ...options, hangGuardMs: this.hangGuardMs });
  }

  /** A call expected to answer: its answers, or undefined after recording why not. */
  async answers(lm: LM, type: RequestType, requests: AnyRequest[], what: string): Promise<unknown[] | undefined> {
    const obs = await this.observe(lm, type, requests);
    if (obs.outcome === 'hung') this.check(false, () => `${type}: ${what} did not settle within ${this.hangGuardMs / 1000} s`);
    else if (obs.outcome === 'rejected') this.check(false, () => `${type}: ${what} failed: ${describeError(obs.error)}`);
    else if (!Array.isArray(obs.value) || obs.value.length !== requests.length) {
      this.check(false, () => `${type}: ${what} returned ${Array.isArray(obs.value) ? obs.value.length : typeof obs.value} answers for ${requests.length} requests`);
    } else return obs.value;
    return undefined;
  }

  /** `on-result`: once per index, in range, before the call resolved, equal to the returned answer. */
  checkOnResult(type: RequestType, obs: Observation, n: number, what: string): void {
    const seen = new Map<number, unknown>();
    const counts = new Array<number>(n).fill(0);
    for (const r of obs.results) {
      const i = r.index;
      if (!this.check(typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < n, () => `${type}: ${what}: onResult(${show(i)}) is out of range (${n} requests)`)) continue;
      counts[i as number] += 1;
      seen.set(i as number, r.value);
      this.check(!r.late, () => `${type}: ${what}: onResult(${i}) fired after the call had resolved`);
    }
    const twice = counts.flatMap((c, i) => (c > 1 ? [`${i} (×${c})`] : []));
    const never = counts.flatMap((c, i) => (c === 0 ? [i] : []));
    this.check(twice.length === 0, () => `${type}: ${what}: onResult fired more than once for request ${twice.join(', ')}`);
    this.check(never.length === 0, () => `${type}: ${what}: onResult never fired for request ${never.join(', ')}`);
    if (obs.outcome !== 'resolved' || !obs.value) return;
    const differ = [...seen].filter(([i, v]) => !identical(v, obs.value![i])).map(([i, v]) => `${i}: onResult ${show(v)} ≠ returned ${show(obs.value![i])}`);
    this.check(differ.length === 0, () => `${type}: ${what}: the returned answers differ from what onResult delivered (${differ.slice(0, 3).join('; ')})`);
  }

  async ordering(lm: LM, parts: Set<BehaviourPart>): Promise<void> {
    for (const type of this.types) {
      const requests = this.requests[type] as AnyRequest[];
      const before = pyJsonDumps(requests.map((r) => argsOf(type, r)));
      const obs = await this.observe(lm, type, requests);
      if (obs.outcome !== 'resolved') {
        this.check(false, () => `${type}: the batch of ${requests.length} ${obs.outcome === 'hung' ? `did not settle within ${this.hangGuardMs / 1000} s` : `failed: ${describeError(obs.error)}`}`);
        continue;
      }
      if (parts.has('on-result')) this.checkOnResult(type, obs, requests.length, 'the batch');
      if (!parts.has('ordering')) continue;
      this.check(pyJsonDumps(requests.map((r) => argsOf(type, r))) === before, () => `${type}: the backend modified the request objects it was given`);
      const batch = obs.value!;
      if (!this.check(batch.length === requests.length, () => `${type}: ${batch.length} answers for ${requests.length} requests`)) continue;
      const reversed = await this.answers(lm, type, [...requests].reverse(), 'the batch in reverse order');
      const alone: unknown[] = [];
      for (const r of requests) {
        const a = await this.answers(lm, type, [r], 'a request sent alone');
        if (!a) break;
        alone.push(a[0]);
      }
      if (alone.length < requests.length) continue;
      requests.forEach((r, i) => {
        this.check(close(type, batch[i], alone[i], this.tol), () => `${type}: answer ${i} of the batch is ${show(batch[i])}, the request alone gives ${show(alone[i])} (${show(argsOf(type, r))})`);
        if (reversed) {
          const j = requests.length - 1 - i;
          this.check(close(type, reversed[j], alone[i], this.tol), () => `${type}: answer ${j} of the reversed batch is ${show(reversed[j])}, the request alone gives ${show(alone[i])}`);
        }
      });
    }
  }

  async abort(lm: LM): Promise<void> {
    for (const type of this.types) {
      const requests = this.requests[type] as AnyRequest[];
      const reference = await this.answers(lm, type, requests, 'the batch (before aborting)');
      if (!reference) continue;

      // aborted before the call: nothing is answered
      const pre = new AbortController();
      pre.abort();
      const early = await this.observe(lm, type, requests, { signal: pre.signal });
      this.checkAborted(type, 'an already-aborted signal', early, pre.signal);
      this.check(early.results.length === 0, () => `${type}: with an already-aborted signal, onResult still fired ${early.results.length} times`);

      // aborted at the first answer, with the rest outstanding
      const mid = new AbortController();
      const obs = await this.observe(lm, type, requests, { signal: mid.signal, onEach: (n) => n === 1 && mid.abort() });
      if (obs.results.length === 0) {
        this.check(false, () => `${type}: the mid-run abort could not be placed: no onResult fired during the call (${obs.outcome})`);
        continue;
      }
      this.checkAborted(type, 'a signal aborted at the first onResult', obs, mid.signal);
      // aborted at the last answer: the call has not settled yet, so it still rejects
      const last = new AbortController();
      const atLast = await this.observe(lm, type, requests, { signal: last.signal, onEach: (n) => n === requests.length && last.abort() });
      if (atLast.results.length === requests.length) this.checkAborted(type, 'a signal aborted at the last onResult', atLast, last.signal);
      // the backend is still usable, and answers as before; the aborted calls stay silent meanwhile
      const after = await this.answers(lm, type, requests, 'the batch after an aborted call');
      await turn();
      const late = obs.results.filter((r) => r.late).length + obs.lateDetails + atLast.results.filter((r) => r.late).length + atLast.lateDetails;
      this.check(late === 0, () => `${type}: ${late} hook calls came after the aborted calls had settled`);
      if (after) {
        const differ = requests.flatMap((_, i) => (close(type, after[i], reference[i], this.tol) ? [] : [i]));
        this.check(differ.length === 0, () => `${type}: after an aborted call, answers ${differ.join(', ')} differ from before it`);
      }
    }
  }

  checkAborted(type: RequestType, what: string, obs: Observation, signal: AbortSignal): void {
    if (obs.outcome === 'hung') this.check(false, () => `${type}: with ${what}, the call did not settle within ${this.hangGuardMs / 1000} s`);
    else if (obs.outcome === 'resolved') this.check(false, () => `${type}: with ${what}, the call resolved instead of rejecting with an abort error`);
    else this.check(isAbortError(obs.error, signal), () => `${type}: with ${what}, the call rejected with ${describeError(obs.error)} instead of an abort error`);
  }

  async close(): Promise<void> {
    const handles = new HandleTracker();
    try {
      await this.closeChecks(handles);
    } finally {
      handles.stop();
    }
  }

  private async closeChecks(handles: HandleTracker): Promise<void> {
    const lm = await this.factory();
    if (!lm.close) {
      this.skipped.push('close: the backend has no close()');
      return;
    }
    const type = this.types[0];
    const requests = this.requests[type] as AnyRequest[];
    await this.answers(lm, type, requests, 'the batch (before close)');
    const guarded = async (what: string, f: () => Promise<void>): Promise<boolean> => {
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`did not settle within ${this.hangGuardMs / 1000} s`), this.hangGuardMs);
      });
      try {
        const outcome = await Promise.race([f().then(() => null, (e: unknown) => `failed: ${describeError(e)}`), hang]);
        return this.check(outcome === null, () => `close: ${what} ${outcome}`);
      } finally {
        clearTimeout(timer);
      }
    };
    if (!(await guarded('close()', () => lm.close!()))) return;
    await guarded('a second close()', () => lm.close!());
    const obs = await this.observe(lm, type, requests.slice(0, 1));
    if (obs.outcome === 'hung') this.check(false, () => `close: a ${type} call after close() did not settle within ${this.hangGuardMs / 1000} s`);
    else if (obs.outcome === 'resolved') this.check(false, () => `close: a ${type} call after close() answered instead of failing`);
    else this.check(/\bclosed\b/i.test(describeError(obs.error)), () => `close: a ${type} call after close() failed without saying the model is closed: ${describeError(obs.error)}`);
    // handles go away asynchronously (a socket's close event, a child's exit): poll, with a hang guard
    handles.recording = false;
    const end = Date.now() + (this.options.releaseGuardMs ?? this.hangGuardMs);
    let extra = handles.leftover();
    while (extra.length > 0 && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      extra = handles.leftover();
    }
    this.check(extra.length === 0, () => `close: handles opened by the backend are still active after close(): ${extra.join(', ')}`);
  }

  async cache(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-behaviour-'));
    const prefix = path.join(dir, 'cache');
    const opened: LM[] = [];
    const open = async (make: () => Promise<LM> | LM) => {
      const lm = await make();
      opened.push(lm);
      return lm;
    };
    /** One pass over every type through a fresh CachingLM on the shared file. */
    const pass = async (inner: LM, what: string, types = this.types, requestsOf: (t: RequestType) => AnyRequest[] = (t) => this.requests[t] as AnyRequest[]) => {
      const c = counting(inner);
      const caching = CachingLM.open(c.lm, prefix, { flushIntervalMs: 0 });
      const out = new Map<RequestType, unknown[] | undefined>();
      try {
        for (const type of types) {
          const requests = requestsOf(type);
          const obs = await this.observe(caching, type, requests);
          if (obs.outcome !== 'resolved') {
            this.check(false, () => `cache: ${what}: ${type} ${obs.outcome === 'hung' ? 'did not settle' : `failed: ${describeError(obs.error)}`}`);
            out.set(type, undefined);
            continue;
          }
          this.checkOnResult(type, obs, requests.length, `cache: ${what}`);
          out.set(type, obs.value);
        }
      } finally {
        await caching.close(); // closes the file; the counting wrapper keeps the backend open
      }
      return { answers: out, sent: c.sent() };
    };
    try {
      const first = await open(this.factory);
      const run1 = await pass(first, 'first run');
      const total = this.types.reduce((n, t) => n + this.requests[t].length, 0);
      this.check(run1.sent > 0, () => 'cache: the first run sent nothing to the backend');

      // each answer is stored under the key made of the request alone and the model identity
      const identity = modelIdentity(first);
      const reader = CachingLM.open(counting(first).lm, prefix);
      try {
        for (const type of this.types) {
          const seen = new Map<string, number>();
          const missing = (this.requests[type] as AnyRequest[]).flatMap((r, i) => {
            const args = argsOf(type, r);
            const id = pyJsonDumps(args);
            const repeat = seen.get(id) ?? 0;
            seen.set(id, repeat + 1);
            return reader.store.get(responseCacheKey(type, args, identity, repeat)) === undefined ? [i] : [];
          });
          this.check(missing.length === 0, () => `cache: ${type}: the answers to requests ${missing.join(', ')} are not stored under sha256(json.dumps([method, *args, {"lm", "identity", "repeat"}])) of the request and the model identity`);
        }
      } finally {
        await reader.close();
      }

      const second = await open(this.factory);
      this.check(pyJsonDumps(modelIdentity(second)) === pyJsonDumps(identity), () => `cache: two instances of the same model have different identities: ${pyJsonDumps(identity)} vs ${pyJsonDumps(modelIdentity(second))}`);
      const run2 = await pass(second, 'rerun by a new instance of the same model');
      this.check(run2.sent === 0, () => `cache: the rerun sent ${run2.sent} of ${total} requests to the backend instead of none`);
      for (const type of this.types) {
        const a = run1.answers.get(type);
        const b = run2.answers.get(type);
        if (a && b) this.check(identical(a, b), () => `cache: ${type}: the rerun's answers differ from the first run's`);
      }

      if (this.options.otherIdentity) {
        const other = await open(this.options.otherIdentity);
        this.check(pyJsonDumps(modelIdentity(other)) !== pyJsonDumps(identity), () => `cache: the other model has the same identity ${pyJsonDumps(identity)}`);
        const run3 = await pass(other, 'another model');
        this.check(run3.sent === total, () => `cache: another model sent ${run3.sent} of ${total} requests (the others were read from the first model's answers)`);
      } else this.skipped.push('cache: no otherIdentity given (another model must miss)');

      if (this.types.includes('generate_until')) {
        const changed = (this.requests.generate_until as GenerateRequest[]).map((r) => ({ ...r, genKwargs: { ...r.genKwargs, max_gen_toks: Number(r.genKwargs.max_gen_toks ?? 8) + 1 } }));
        const run4 = await pass(second, 'other gen_kwargs', ['generate_until'], () => changed);
        this.check(run4.sent === changed.length, () => `cache: other gen_kwargs sent ${run4.sent} of ${changed.length} generations (the others hit the cache)`);
      }
    } finally {
      for (const lm of opened) await lm.close?.();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Runs the behavioural suite on models made by `factory` (called once per part that needs a fresh model). */
export async function runBackendBehaviour(factory: () => Promise<LM> | LM, options: BehaviourOptions = {}): Promise<BehaviourReport> {
  const suite = new Suite(factory, options);
  const parts = new Set(options.parts ?? ALL_PARTS);
  if (parts.has('ordering') || parts.has('on-result') || parts.has('abort')) {
    const lm = await factory();
    try {
      if (parts.has('ordering') || parts.has('on-result')) await suite.ordering(lm, parts);
      if (parts.has('abort')) await suite.abort(lm);
    } finally {
      await lm.close?.();
    }
  }
  if (parts.has('close')) await suite.close();
  if (parts.has('cache')) await suite.cache();
  return { checks: suite.checks, failures: suite.failures, skipped: suite.skipped };
}
