/**
 * JSON over HTTP for the API backends: keep-alive sockets, a per-attempt timeout, retries with
 * exponential backoff + jitter that honour Retry-After, and parsing of every error envelope the
 * servers send: vLLM's `ErrorResponse` (flat, and OpenAI-style since v0.10.1), the OpenAI API's
 * `{"error": …}` object, llama.cpp tools/server's.
 *
 * Why not the `openai` client for the calls: lm-eval's `base_url` is the full endpoint URL while the
 * client appends paths to a `/v1` base; the `header` model arg must replace the default headers
 * entirely (the client always adds its own); retries must feed the shared adaptive concurrency
 * window (halve on 429) and stop when the run stops; and openai v4 turns vLLM's flat error envelope
 * (≤0.10.0) into "400 status code (no body)". The `openai` package's response types are still used
 * for the JSON shapes.
 *
 * The transport is undici (the Node.js project's HTTP/1.1 client, the one behind Node's own
 * `fetch`), at its lowest level: `Pool.dispatch` with a handler object per attempt, one pool of
 * keep-alive connections per origin, as many connections as the concurrency window, no pipelining.
 * Per request it takes about half the CPU of node:http (no ClientRequest/IncomingMessage streams,
 * agent queues or per-request event listeners), which counts when thousands of requests a second
 * go to a local server. The bytes sent are node:http's (the same headers and bodies).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Dispatcher, Pool } from 'undici';
import { createLogger, LmEvalError } from '@lm-eval/core';

export interface HttpClientOptions {
  timeoutMs: number;
  /** Total attempts per request. */
  maxRetries: number;
  headers: Record<string, string>;
  verifyCertificate: boolean;
  caCertPath?: string | null;
  /** Sockets kept per host (≥ the concurrency window). */
  maxSockets: number;
  backoff?: BackoffPolicy;
  /** Strings removed from every message this client produces (API keys). */
  secrets?: string[];
}

/** lm-eval/tenacity: wait 0.5·2^(n−1) s clamped to [1, 10] s; jitter × (0.75, 1]. */
export interface BackoffPolicy {
  multiplierMs: number;
  minMs: number;
  maxMs: number;
  /** Largest Retry-After honoured (longer ones fall back to the exponential wait). */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { multiplierMs: 500, minMs: 1000, maxMs: 10_000, maxRetryAfterMs: 60_000 };

/** An HTTP-level failure with the server's own explanation. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly info: {
      type?: string | null;
      code?: string | number | null;
      param?: string | null;
      serverMessage?: string;
      retryAfterMs?: number | null;
      kind: 'http' | 'connection' | 'timeout' | 'malformed' | 'aborted';
    },
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
  get rateLimited(): boolean {
    return this.status === 429 && this.retryable;
  }
}

export interface ParsedError {
  message: string;
  type: string | null;
  code: string | number | null;
  param: string | null;
}

/**
 * Reads an error body: OpenAI / vLLM ≥0.10.1 `{"error":{message,type,param,code}}`, vLLM ≤0.10.0
 * flat `{"object":"error",message,type,param,code}`, vLLM auth `{"error":"Unauthorized"}`,
 * FastAPI `{"detail": ...}`, or plain text.
 */
export function parseErrorBody(text: string): ParsedError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { message: text.trim().slice(0, 500) || '(empty body)', type: null, code: null, param: null };
  }
  const pick = (o: Record<string, unknown>): ParsedError => ({
    message: typeof o.message === 'string' ? o.message : JSON.stringify(o).slice(0, 500),
    type: typeof o.type === 'string' ? o.type : null,
    code: typeof o.code === 'string' || typeof o.code === 'number' ? o.code : null,
    param: typeof o.param === 'string' ? o.param : null,
  });
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (b.error && typeof b.error === 'object') return pick(b.error as Record<string, unknown>);
    if (typeof b.error === 'string') return { message: b.error, type: null, code: null, param: null };
    if (b.object === 'error' || typeof b.message === 'string') return pick(b);
    if (b.detail !== undefined) return { message: typeof b.detail === 'string' ? b.detail : JSON.stringify(b.detail).slice(0, 500), type: null, code: null, param: null };
  }
  return { message: text.slice(0, 500), type: null, code: null, param: null };
}

// vLLM / OpenAI wordings, and llama.cpp's ("the request exceeds the available context size", exceed_context_size_error).
const CONTEXT_RE = /maximum context length|max_model_len|longer than the maximum model length|context length is only|exceeds the available context size|exceed_context_size/i;

export function isContextLengthError(e: unknown): boolean {
  return e instanceof ApiRequestError && (CONTEXT_RE.test(e.info.serverMessage ?? '') || e.info.code === 'context_length_exceeded');
}

/** Response headers by lower-case name. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** Retry-After / retry-after-ms in milliseconds (seconds or an HTTP date), or null. */
export function retryAfterMs(headers: ResponseHeaders, now = Date.now()): number | null {
  const ms = headers['retry-after-ms'];
  if (typeof ms === 'string' && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers['retry-after'];
  if (typeof ra !== 'string' || ra.trim() === '') return null;
  if (Number.isFinite(Number(ra))) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export function backoffDelayMs(attempt: number, policy: BackoffPolicy, retryAfter: number | null, random = Math.random): number {
  if (retryAfter !== null && retryAfter <= policy.maxRetryAfterMs) return retryAfter;
  const base = Math.min(policy.maxMs, Math.max(policy.minMs, policy.multiplierMs * 2 ** (attempt - 1)));
  return base * (1 - 0.25 * random());
}

export interface RetryHooks {
  /** Called on every 429 the server answers (the concurrency window halves). */
  onRateLimited?: () => void;
  /** Checked before each retry: false = the run is stopping, give up now. */
  mayRetry?: () => boolean;
  signal?: AbortSignal;
}

const log = createLogger('openai');

/** Seconds of silence before the first "waiting for" note (LMEVAL_WAIT_NOTICE_SECS, default 10). */
function waitNoticeSecs(): number {
  const v = Number(process.env.LMEVAL_WAIT_NOTICE_SECS);
  return Number.isFinite(v) && v > 0 ? v : 10;
}

/**
 * undici's Pool class, loaded on the first connection: its own module, not the package's index,
 * which also loads fetch, WebSocket, caches and mocks (measured: the index ~110 ms of CPU and 20 MB
 * of RSS, the Pool module ~33 ms and 11 MB). The index if a later undici moves the module.
 */
let PoolClass: typeof Pool | null = null;

function poolClass(): typeof Pool {
  if (PoolClass === null) {
    const require = createRequire(import.meta.url);
    try {
      PoolClass = require('undici/lib/dispatcher/pool.js') as typeof Pool;
    } catch {
      PoolClass = (require('undici') as typeof import('undici')).Pool;
    }
  }
  return PoolClass;
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function headerPairs(h: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(h)) out.push(k, v);
  return out;
}

/** A request body already serialised to JSON (hot paths build it as a string). */
export class SerializedJson {
  constructor(readonly text: string) {}
}

/** One parsed request URL, reused for every call to it (the hot path). */
interface Target {
  pool: Pool;
  path: string;
  where: string;
  origin: string;
  /**
   * Header pairs of a GET / a POST with the client's own headers. undici adds Host (the URL's
   * host[:port]) and, from the body, Content-Length, as node:http did.
   */
  getHeaders: string[];
  postHeaders: string[];
}

/**
 * One request through all its attempts; retries re-issue from here, so a request costs one Promise
 * however many attempts. Each attempt is its own undici handler (an Attempt), so that the events of
 * an attempt that already ended (timed out, aborted) are told apart from those of the next one.
 */
class Call {
  attempt = 0;
  /** The attempt in flight (null between attempts and once settled). */
  current: Attempt | null = null;
  /** Deadline list links (JsonHttpClient keeps in-flight calls oldest first). */
  deadline = 0;
  prev: Call | null = null;
  next: Call | null = null;
  linked = false;
  /** Between attempts: the backoff wait, so that close() can end it. */
  sleeping: NodeJS.Timeout | null = null;

  constructor(
    readonly client: JsonHttpClient,
    readonly t: Target,
    /** The request as undici takes it (the same object for every attempt). */
    readonly opts: Dispatcher.DispatchOptions,
    readonly hooks: RetryHooks,
    readonly parse: (text: string) => unknown,
    private resolveFn: ((v: unknown) => void) | null,
    private rejectFn: ((e: unknown) => void) | null,
  ) {}

  // Settling drops the promise's functions: a Call that outlived a scavenge must not keep the reply
  // (the promise's value) alive in the young generation after it is done.
  resolve(v: unknown): void {
    const f = this.resolveFn;
    this.resolveFn = this.rejectFn = null;
    f?.(v);
  }

  reject(e: unknown): void {
    const f = this.rejectFn;
    this.resolveFn = this.rejectFn = null;
    f?.(e);
  }

  /** Issues one attempt. */
  start(): void {
    const client = this.client;
    if (client.isClosed) return this.reject(client.closedError(this.t));
    this.attempt += 1;
    client.counters.attempts += 1;
    const signal = this.hooks.signal;
    if (signal) {
      if (signal.aborted) return client.failed(this, abortedError());
      client.watchSignal(signal);
    }
    const a = new Attempt(this);
    this.current = a;
    client.track(this);
    // Errors undici finds before sending (a header value it refuses) come back through the handler.
    this.t.pool.dispatch(this.opts, a);
  }

  /** Ends the attempt in flight with an error (a no-op once it has ended). */
  fail(err: ApiRequestError): void {
    const a = this.current;
    if (a === null) return;
    this.endAttempt();
    // At the socket: undici destroys the connection of a request aborted in flight. An attempt
    // still waiting for its connection is aborted as soon as it gets one (Attempt.onRequestStart).
    a.controller?.abort(err);
    this.client.failed(this, err);
  }

  endAttempt(): void {
    this.client.untrack(this);
    this.current = null;
  }

  /** The attempt failed before a reply was read (undici's error `err`). */
  gotError(a: Attempt, err: Error): void {
    const t = this.t;
    const code = (err as { code?: unknown }).code;
    if (this.client.isClosed) {
      // close() destroyed the connection under this attempt.
      this.endAttempt();
      return this.reject(this.client.closedError(t));
    }
    if (code === 'UND_ERR_INVALID_ARG') {
      // Not an HTTP failure (e.g. a header value undici refuses): no retry.
      this.endAttempt();
      return this.reject(err);
    }
    if (a.status !== 0) return this.fail(new ApiRequestError(`connection to ${t.origin} broke while reading the response`, null, true, { kind: 'connection' }));
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return this.fail(this.client.timeoutError(this));
    // undici's "socket closed before the response" is what node:http calls ECONNRESET (socket hang up).
    const reason = code === 'UND_ERR_SOCKET' ? 'ECONNRESET' : typeof code === 'string' ? code : err.message;
    this.fail(new ApiRequestError(`could not reach ${t.where}: ${reason}`, null, true, { kind: 'connection' }));
  }

  gotEnd(a: Attempt, text: string): void {
    const t = this.t;
    const status = a.status;
    if (status >= 200 && status < 300) {
      let json: unknown;
      try {
        json = this.parse(text);
      } catch (e) {
        // A reader that understood the JSON but refused its shape says so itself.
        if (e instanceof LmEvalError) {
          this.endAttempt();
          return this.reject(e);
        }
        return this.fail(new ApiRequestError(`${t.where} answered HTTP ${status} with a body that is not valid JSON: ${JSON.stringify(text.slice(0, 120))}`, status, true, { kind: 'malformed' }));
      }
      this.endAttempt();
      return this.resolve(json);
    }
    const client = this.client;
    const headers = a.headers ?? {};
    const parsed = parseErrorBody(text);
    const shouldRetry = headers['x-should-retry'];
    const quota = parsed.code === 'insufficient_quota' || parsed.type === 'insufficient_quota';
    let retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    if (quota) retryable = false;
    if (shouldRetry === 'false') retryable = false;
    if (shouldRetry === 'true') retryable = true;
    this.fail(
      new ApiRequestError(client.redact(`${t.where} answered HTTP ${status}: ${parsed.message}`), status, retryable, {
        kind: 'http',
        type: parsed.type,
        code: parsed.code,
        param: parsed.param,
        serverMessage: client.redact(parsed.message),
        retryAfterMs: retryAfterMs(headers),
      }),
    );
  }
}

/**
 * One attempt of a Call, as the undici handler of its request. Its events count only while it is
 * its Call's current attempt; a stale attempt that gets a connection after all is aborted there.
 */
class Attempt implements Dispatcher.DispatchHandler {
  controller: Dispatcher.DispatchController | null = null;
  /** The final status (0 until the response starts). */
  status = 0;
  /** The response headers of a non-2xx reply (Retry-After, x-should-retry). */
  headers: ResponseHeaders | null = null;
  private first: Buffer | null = null;
  private more: Buffer[] | null = null;

  constructor(readonly call: Call) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.call.current !== this) return controller.abort(abortedError());
    this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: ResponseHeaders): void {
    if (statusCode < 200) return; // 1xx informational: the final response follows
    this.status = statusCode;
    if (statusCode >= 300) this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.call.current !== this) return;
    if (this.first === null) this.first = chunk;
    else if (this.more === null) this.more = [this.first, chunk];
    else this.more.push(chunk);
  }

  onResponseEnd(): void {
    if (this.call.current !== this) return;
    const text = this.more !== null ? Buffer.concat(this.more).toString('utf8') : this.first !== null ? this.first.toString('utf8') : '';
    this.first = null;
    this.more = null;
    this.controller = null;
    this.call.gotEnd(this, text);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.first = null;
    this.more = null;
    if (this.call.current !== this) return;
    this.controller = null;
    this.call.gotError(this, err);
  }
}

function abortedError(): ApiRequestError {
  return new ApiRequestError('request aborted', null, false, { kind: 'aborted' });
}

export class JsonHttpClient {
  readonly options: HttpClientOptions;
  private readonly backoff: BackoffPolicy;
  /** TLS settings of https connections (verify_certificate, ca_cert_path). */
  private readonly tls: { rejectUnauthorized: boolean; ca?: Buffer };
  /** Attempts made / retries done, for reports. */
  readonly counters = { attempts: 0, retries: 0, rateLimited: 0 };

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.baseHeaderPairs = headerPairs(options.headers);
    this.tls = { rejectUnauthorized: options.verifyCertificate, ca: options.caCertPath ? readFileSync(options.caCertPath) : undefined };
  }

  redact(s: string): string {
    let out = s;
    for (const secret of this.options.secrets ?? []) if (secret) out = out.split(secret).join('***');
    return out;
  }

  /** Ends every socket and timer; requests made afterwards fail (a second call does nothing). */
  close(): void {
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const [signal, listener] of this.abortListeners) signal.removeEventListener('abort', listener);
    this.abortListeners.clear();
    // Calls waiting to retry end now (their wait would outlive the client).
    for (const call of this.sleeping) {
      clearTimeout(call.sleeping!);
      call.sleeping = null;
      call.reject(this.closedError(call.t));
    }
    this.sleeping.clear();
    // Destroys every connection now; the attempts in flight on them reject as closed.
    for (const pool of this.pools.values()) void pool.destroy();
    this.pools.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** @internal The error of a request made, or cut short, by close(). */
  closedError(t: { where: string }): LmEvalError {
    return new LmEvalError(`Cannot send a request to ${t.where}: the model using it is closed.`, 'Create a new model to send more requests.');
  }

  /** @internal */
  timeoutError(c: Call): ApiRequestError {
    return new ApiRequestError(`${c.t.where} did not answer within ${this.options.timeoutMs / 1000} s (timeout)`, null, true, { kind: 'timeout' });
  }

  /**
   * POST (or GET when body is undefined) with retries; returns the parsed JSON of a 2xx reply.
   * `parse` reads a 2xx body (default JSON.parse); a caller that needs only part of a large reply
   * passes a reader of that part. A reader's SyntaxError counts as a malformed reply (retried); an
   * LmEvalError it throws rejects the call as it is.
   */
  request<T = unknown>(url: string, body: unknown, hooks: RetryHooks = {}, extraHeaders: Record<string, string> = NO_HEADERS, parse: (text: string) => unknown = JSON.parse): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError({ where: url }));
    return new Promise<T>((resolve, reject) => {
      const payload = body === undefined ? undefined : body instanceof SerializedJson ? body.text : JSON.stringify(body);
      const t = this.target(url);
      let headers: string[];
      if (extraHeaders === NO_HEADERS) headers = payload === undefined ? t.getHeaders : t.postHeaders;
      else {
        headers = headerPairs({ ...this.options.headers, ...extraHeaders });
        if (payload !== undefined) headers.push('content-type', 'application/json');
      }
      // A Buffer body: encoded once for every attempt, and undici sends its length as Content-Length.
      const opts: Dispatcher.DispatchOptions =
        payload === undefined ? { path: t.path, method: 'GET', headers } : { path: t.path, method: 'POST', headers, body: Buffer.from(payload, 'utf8') };
      new Call(this, t, opts, hooks, parse, resolve as (v: unknown) => void, reject).start();
    });
  }

  /** @internal After a failed attempt: retry (after the backoff wait) or reject the call. */
  failed(call: Call, e: ApiRequestError): void {
    const hooks = call.hooks;
    if (e.rateLimited) {
      this.counters.rateLimited += 1;
      hooks.onRateLimited?.();
    }
    const attempt = call.attempt;
    if (!e.retryable || attempt >= this.options.maxRetries || hooks.signal?.aborted || (hooks.mayRetry && !hooks.mayRetry())) {
      if (e.retryable && attempt >= this.options.maxRetries) {
        return call.reject(new ApiRequestError(`${e.message} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}, max_retries=${this.options.maxRetries})`, e.status, e.retryable, e.info));
      }
      return call.reject(e);
    }
    if (this.closed) return call.reject(this.closedError(call.t));
    this.counters.retries += 1;
    const delay = backoffDelayMs(attempt, this.backoff, e.info.retryAfterMs ?? null);
    this.noticeRetry(e, attempt, delay);
    this.sleep(call, delay);
  }

  /** The backoff wait before the next attempt; an abort of the call's signal ends it. */
  private sleep(call: Call, ms: number): void {
    this.sleeping.add(call);
    call.sleeping = setTimeout(() => {
      call.sleeping = null;
      this.sleeping.delete(call);
      const signal = call.hooks.signal;
      if (signal?.aborted) return call.reject(signal.reason);
      call.start();
    }, ms);
    const signal = call.hooks.signal;
    if (signal) this.watchSignal(signal);
  }

  private readonly baseHeaderPairs: string[];
  private readonly targets = new Map<string, Target>();
  /** One pool of keep-alive connections per origin. */
  private readonly pools = new Map<string, Pool>();
  /** Calls waiting between attempts. */
  private readonly sleeping = new Set<Call>();
  /** In-flight calls, oldest (= earliest deadline) first; one sweeper timer instead of a timer per request. */
  private head: Call | null = null;
  private tail: Call | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private closed = false;
  /** One abort listener per run signal (not one per request). */
  private readonly abortListeners = new Map<AbortSignal, () => void>();

  private target(url: string): Target {
    let t = this.targets.get(url);
    if (!t) {
      const u = new URL(url);
      const getHeaders = this.baseHeaderPairs;
      t = {
        pool: this.pool(u),
        path: u.pathname + u.search,
        where: `${u.origin}${u.pathname}`,
        origin: u.origin,
        getHeaders,
        postHeaders: getHeaders.concat('content-type', 'application/json'),
      };
      this.targets.set(url, t);
    }
    return t;
  }

  private pool(u: URL): Pool {
    let pool = this.pools.get(u.origin);
    if (!pool) {
      const PoolOf = poolClass();
      pool = new PoolOf(u.origin, {
        // maxSockets ≥ the window, so no request waits for a connection; one request per
        // connection at a time (servers such as uvicorn do not all handle pipelining).
        connections: this.options.maxSockets,
        pipelining: 1,
        // The one sweeper timer (track) times attempts out: undici's per-request header and body
        // timers are off, and a connection attempt gives up after the same timeout.
        headersTimeout: 0,
        bodyTimeout: 0,
        connect: { timeout: this.options.timeoutMs, ...(u.protocol === 'https:' ? this.tls : {}) },
      });
      this.pools.set(u.origin, pool);
    }
    return pool;
  }

  /** @internal */
  watchSignal(signal: AbortSignal): void {
    if (this.abortListeners.has(signal)) return;
    const listener = () => {
      // Every attempt in flight under this signal ends now, and every wait between attempts.
      const hit: Call[] = [];
      for (let c = this.head; c !== null; c = c.next) if (c.hooks.signal === signal) hit.push(c);
      for (const c of hit) c.fail(abortedError());
      for (const c of this.sleeping) {
        if (c.hooks.signal !== signal) continue;
        clearTimeout(c.sleeping!);
        c.sleeping = null;
        this.sleeping.delete(c);
        c.reject(signal.reason);
      }
    };
    this.abortListeners.set(signal, listener);
    signal.addEventListener('abort', listener, { once: true });
  }

  /** @internal */
  track(call: Call): void {
    call.deadline = Date.now() + this.options.timeoutMs;
    call.linked = true;
    call.prev = this.tail;
    call.next = null;
    if (this.tail) this.tail.next = call;
    else this.head = call;
    this.tail = call;
    if (!this.sweeper) {
      const every = Math.max(5, Math.min(1000, Math.floor(this.options.timeoutMs / 10)));
      this.sweeper = setInterval(() => {
        const now = Date.now();
        // Deadlines are issue time + one fixed timeout, so the list is in deadline order.
        while (this.head !== null && this.head.deadline <= now) {
          const c = this.head;
          c.fail(this.timeoutError(c));
        }
        if (this.head !== null) this.noticeSilence(now);
        if (this.head === null && this.sweeper) {
          clearInterval(this.sweeper);
          this.sweeper = null;
        }
      }, every);
      this.sweeper.unref();
    }
  }

  /** When the last attempt ended (answer or failure): silence is measured from here. */
  private lastSettled = 0;
  private nextNotice = 0;

  /**
   * "waiting for <url>: no answer for N s" while requests are outstanding and nothing has come
   * back for a while (after LMEVAL_WAIT_NOTICE_SECS, default 10, then at growing intervals), so a
   * server that accepts connections but never answers is visible even off a terminal.
   */
  private noticeSilence(now: number): void {
    const head = this.head!;
    const since = Math.max(head.deadline - this.options.timeoutMs, this.lastSettled);
    const silentS = Math.floor((now - since) / 1000);
    const first = waitNoticeSecs();
    if (silentS < first || now < this.nextNotice) return;
    let inFlight = 0;
    for (let c: Call | null = head; c !== null; c = c.next) inFlight++;
    log.warn(
      `waiting for ${head.t.where}: no answer for ${silentS} s (${inFlight} request${inFlight === 1 ? '' : 's'} outstanding; each attempt times out after ${this.options.timeoutMs / 1000} s, ${this.options.maxRetries} attempts)`,
    );
    this.nextNotice = now + Math.max(first, Math.min(60, silentS)) * 1000;
  }

  /** Retries as they happen, at most one line per 10 s (the rest are counted into the next line). */
  private lastRetryNotice = 0;
  private unreportedRetries = 0;

  private noticeRetry(e: ApiRequestError, attempt: number, delayMs: number): void {
    const now = Date.now();
    if (now - this.lastRetryNotice < 10_000) {
      this.unreportedRetries++;
      return;
    }
    const more = this.unreportedRetries ? ` (+${this.unreportedRetries} more retr${this.unreportedRetries === 1 ? 'y' : 'ies'} since the last note)` : '';
    log.warn(`retrying after: ${e.message} — attempt ${attempt + 1} of ${this.options.maxRetries} in ${(delayMs / 1000).toFixed(1)} s; ${this.counters.retries} retries so far${more}`);
    this.lastRetryNotice = now;
    this.unreportedRetries = 0;
  }

  /** @internal */
  untrack(call: Call): void {
    if (!call.linked) return;
    this.lastSettled = Date.now();
    this.nextNotice = 0;
    call.linked = false;
    const { prev, next } = call;
    if (prev) prev.next = next;
    else this.head = next;
    if (next) next.prev = prev;
    else this.tail = prev;
    call.prev = null;
    call.next = null;
  }
}

/** Turns a final request failure into the error the user sees. */
export function explainFailure(e: unknown, context: { maxLength?: number; promptTokens?: number }): Error {
  if (!(e instanceof ApiRequestError)) return e instanceof Error ? e : new Error(String(e));
  if (isContextLengthError(e)) {
    const ours = context.promptTokens !== undefined ? ` The longest prompt in that request has ${context.promptTokens} tokens` : '';
    const ml = context.maxLength !== undefined ? ` and the harness allows max_length=${context.maxLength}` : '';
    return new LmEvalError(
      `The server refused a prompt as too long for the model's context window: ${e.info.serverMessage}.${ours}${ml}.`,
      'Lower max_length in --model_args to at most the server\'s context size (vLLM: max_model_len in GET /v1/models; llama.cpp: n_ctx in GET /props), or start the server with a larger one (vLLM --max-model-len, llama-server -c).',
      { cause: e },
    );
  }
  if (e.status === 429 && !e.retryable) {
    return new LmEvalError(`The API refused the request permanently (HTTP 429 ${e.info.code ?? e.info.type ?? ''}): ${e.info.serverMessage}`, 'Check the account quota/billing; retrying will not help.', { cause: e });
  }
  if (e.status === 401 || e.status === 403) {
    return new LmEvalError(`The server refused the credentials (HTTP ${e.status}): ${e.info.serverMessage}`, 'Set OPENAI_API_KEY (or the header model arg) to a key this server accepts.', { cause: e });
  }
  if (e.status === 404 && e.info.param === 'model') {
    return new LmEvalError(`The server does not serve that model: ${e.info.serverMessage}`, 'Pass model=<served name> in --model_args (GET /v1/models lists it).', { cause: e });
  }
  if (e.status === 404) {
    return new LmEvalError(
      `API request failed: ${e.message}`,
      'base_url must be the endpoint the backend posts to: …/v1/completions for local-completions, …/v1/chat/completions for local-chat-completions (a server root or …/v1 is completed), or the server root for gguf.',
      { cause: e },
    );
  }
  return new LmEvalError(`API request failed: ${e.message}`, e.retryable ? 'The server kept failing; results delivered so far are kept — rerun with --use_cache to resume.' : undefined, { cause: e });
}
