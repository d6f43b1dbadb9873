/**
 * JSON over HTTP for the API backends: keep-alive sockets, a per-attempt timeout, retries with
 * exponential backoff + jitter that honour Retry-After, and parsing of every error envelope the
 * servers send (wire-formats.md §1.9, §3.1, §4).
 *
 * Why not the `openai` client for the calls: lm-eval's `base_url` is the full endpoint URL while the
 * client appends paths to a `/v1` base; the `header` model arg must replace the default headers
 * entirely (the client always adds its own); retries must feed the shared adaptive concurrency
 * window (halve on 429) and stop when the run stops; and openai v4 turns vLLM's flat error envelope
 * (≤0.10.0) into "400 status code (no body)". Plain node:http keeps the exact bytes and costs the
 * least per request. The `openai` package's response types are still used for the JSON shapes.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { LmEvalError } from '@lm-eval/core';

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

const CONTEXT_RE = /maximum context length|max_model_len|longer than the maximum model length|context length is only/i;

export function isContextLengthError(e: unknown): boolean {
  return e instanceof ApiRequestError && (CONTEXT_RE.test(e.info.serverMessage ?? '') || e.info.code === 'context_length_exceeded');
}

/** Retry-After / retry-after-ms in milliseconds (seconds or an HTTP date), or null. */
export function retryAfterMs(headers: http.IncomingHttpHeaders, now = Date.now()): number | null {
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryHooks {
  /** Called on every 429 the server answers (the concurrency window halves). */
  onRateLimited?: () => void;
  /** Checked before each retry: false = the run is stopping, give up now. */
  mayRetry?: () => boolean;
  signal?: AbortSignal;
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

export class JsonHttpClient {
  private readonly agents: { http: http.Agent; https: https.Agent };
  readonly options: HttpClientOptions;
  private readonly backoff: BackoffPolicy;
  /** Attempts made / retries done, for reports. */
  readonly counters = { attempts: 0, retries: 0, rateLimited: 0 };

  constructor(options: HttpClientOptions) {
    this.options = options;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.baseHeaderPairs = headerPairs(options.headers);
    // LIFO (node's default) keeps reusing the warmest sockets.
    const common = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets };
    this.agents = {
      http: new http.Agent(common),
      https: new https.Agent({
        ...common,
        rejectUnauthorized: options.verifyCertificate,
        ca: options.caCertPath ? readFileSync(options.caCertPath) : undefined,
      }),
    };
  }

  redact(s: string): string {
    let out = s;
    for (const secret of this.options.secrets ?? []) if (secret) out = out.split(secret).join('***');
    return out;
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** POST (or GET when body is undefined) with retries; returns the parsed JSON of a 2xx reply. */
  async request<T = unknown>(url: string, body: unknown, hooks: RetryHooks = {}, extraHeaders: Record<string, string> = NO_HEADERS): Promise<T> {
    const payload = body === undefined ? undefined : body instanceof SerializedJson ? body.text : JSON.stringify(body);
    let attempt = 0;
    for (;;) {
      attempt += 1;
      this.counters.attempts += 1;
      try {
        return (await this.once(url, payload, hooks.signal, extraHeaders)) as T;
      } catch (e) {
        if (!(e instanceof ApiRequestError)) throw e;
        if (e.rateLimited) {
          this.counters.rateLimited += 1;
          hooks.onRateLimited?.();
        }
        if (!e.retryable || attempt >= this.options.maxRetries || hooks.signal?.aborted || (hooks.mayRetry && !hooks.mayRetry())) {
          if (e.retryable && attempt >= this.options.maxRetries) {
            throw new ApiRequestError(`${e.message} (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}, max_retries=${this.options.maxRetries})`, e.status, e.retryable, e.info);
          }
          throw e;
        }
        this.counters.retries += 1;
        await sleep(backoffDelayMs(attempt, this.backoff, e.info.retryAfterMs ?? null), hooks.signal);
      }
    }
  }

  /** Parsed request targets, reused for every call to the same URL (the hot path). */
  private readonly baseHeaderPairs: string[];
  private readonly targets = new Map<string, { lib: typeof http | typeof https; agent: http.Agent; host: string; port: string; path: string; where: string; origin: string; hostHeader: string }>();
  /** In-flight requests with their deadlines; one sweeper timer instead of a timer per request. */
  private readonly pending = new Set<{ deadline: number; expire: () => void }>();
  private sweeper: NodeJS.Timeout | null = null;

  private target(url: string) {
    let t = this.targets.get(url);
    if (!t) {
      const u = new URL(url);
      const isHttps = u.protocol === 'https:';
      t = {
        lib: isHttps ? https : http,
        agent: isHttps ? this.agents.https : this.agents.http,
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port || (isHttps ? '443' : '80'),
        path: u.pathname + u.search,
        where: `${u.origin}${u.pathname}`,
        hostHeader: u.host,
        origin: u.origin,
      };
      this.targets.set(url, t);
    }
    return t;
  }

  private track(entry: { deadline: number; expire: () => void }): void {
    this.pending.add(entry);
    if (!this.sweeper) {
      const every = Math.max(5, Math.min(1000, Math.floor(this.options.timeoutMs / 10)));
      this.sweeper = setInterval(() => {
        const now = Date.now();
        for (const p of this.pending) if (p.deadline <= now) p.expire();
        if (this.pending.size === 0 && this.sweeper) {
          clearInterval(this.sweeper);
          this.sweeper = null;
        }
      }, every);
      this.sweeper.unref();
    }
  }

  private once(url: string, payload: string | undefined, signal: AbortSignal | undefined, extraHeaders: Record<string, string>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const t = this.target(url);
      // Raw header pairs (message.rawHeaders format): cheaper than an object for node to write.
      const headers: string[] = extraHeaders === NO_HEADERS ? this.baseHeaderPairs.slice() : headerPairs({ ...this.options.headers, ...extraHeaders });
      // With raw header pairs node does not add Host itself.
      headers.push('host', t.hostHeader);
      if (payload !== undefined) headers.push('content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload)));
      let settled = false;
      const entry = { deadline: Date.now() + this.options.timeoutMs, expire: () => fail(new ApiRequestError(`${t.where} did not answer within ${this.options.timeoutMs / 1000} s (timeout)`, null, true, { kind: 'timeout' })) };
      const finish = () => {
        settled = true;
        this.pending.delete(entry);
        if (signal) signal.removeEventListener('abort', onAbort);
      };
      const fail = (err: ApiRequestError) => {
        if (settled) return;
        finish();
        req.destroy();
        reject(err);
      };
      const req = t.lib.request(
        { host: t.host, port: t.port, path: t.path, method: payload === undefined ? 'GET' : 'POST', headers, agent: t.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () => fail(new ApiRequestError(`connection to ${t.origin} broke while reading the response`, null, true, { kind: 'connection' })));
          res.on('end', () => {
            if (settled) return;
            const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (!res.complete) return fail(new ApiRequestError(`connection to ${t.origin} closed mid-response`, null, true, { kind: 'connection' }));
            if (status >= 200 && status < 300) {
              let json: unknown;
              try {
                json = JSON.parse(text);
              } catch {
                return fail(new ApiRequestError(`${t.where} answered HTTP ${status} with a body that is not valid JSON: ${JSON.stringify(text.slice(0, 120))}`, status, true, { kind: 'malformed' }));
              }
              finish();
              return resolve(json);
            }
            const parsed = parseErrorBody(text);
            const shouldRetry = res.headers['x-should-retry'];
            const quota = parsed.code === 'insufficient_quota' || parsed.type === 'insufficient_quota';
            let retryable = status === 408 || status === 409 || status === 429 || status >= 500;
            if (quota) retryable = false;
            if (shouldRetry === 'false') retryable = false;
            if (shouldRetry === 'true') retryable = true;
            fail(
              new ApiRequestError(this.redact(`${t.where} answered HTTP ${status}: ${parsed.message}`), status, retryable, {
                kind: 'http',
                type: parsed.type,
                code: parsed.code,
                param: parsed.param,
                serverMessage: this.redact(parsed.message),
                retryAfterMs: retryAfterMs(res.headers),
              }),
            );
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => fail(new ApiRequestError(`could not reach ${t.where}: ${err.code ?? err.message}`, null, true, { kind: 'connection' })));
      const onAbort = () => fail(new ApiRequestError('request aborted', null, false, { kind: 'aborted' }));
      if (signal) {
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
      }
      this.track(entry);
      req.end(payload);
    });
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
      'Lower max_length in --model_args to at most the server\'s max_model_len (see GET /v1/models), or start the server with a larger --max-model-len.',
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
  return new LmEvalError(`API request failed: ${e.message}`, e.retryable ? 'The server kept failing; results delivered so far are kept — rerun with --use_cache to resume.' : undefined, { cause: e });
}
