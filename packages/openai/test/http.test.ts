/**
 * JsonHttpClient's transport against raw node:http(s) servers on 127.0.0.1: the bytes it sends, the
 * message of each way a connection fails, attempts that end at their socket (timeout, abort),
 * close(), connections = maxSockets without pipelining, and TLS (verify_certificate=False,
 * ca_cert_path). The certificate in fixtures/ is a self-signed one for localhost and 127.0.0.1,
 * made for these tests only.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmEvalError } from '@lm-eval/core';
import { ApiRequestError, JsonHttpClient, type HttpClientOptions } from '../src/http.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const TLS = { key: readFileSync(path.join(FIXTURES, 'localhost-key.pem')), cert: readFileSync(path.join(FIXTURES, 'localhost-cert.pem')) };

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
  socket: net.Socket;
}

/** A server whose answer to each path is a function of the request (see `routes`). */
class RawServer {
  readonly seen: Seen[] = [];
  readonly sockets = new Set<net.Socket>();
  /** Requests held open by the `hold` route, answered by release(). */
  readonly held: http.ServerResponse[] = [];
  private readonly server: http.Server | https.Server;
  url = '';

  constructor(tls = false) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    this.server = tls ? https.createServer(TLS, handler) : http.createServer(handler);
    this.server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('secureConnection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as net.AddressInfo).port;
    this.url = `${this.server instanceof https.Server ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }

  /** Resolves once every socket the server accepted is closed. */
  async allSocketsClosed(): Promise<void> {
    await Promise.all([...this.sockets].map((s) => new Promise((r) => (s.destroyed ? r(null) : s.once('close', r)))));
  }

  count(url: string): number {
    return this.seen.filter((s) => s.url === url).length;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      this.seen.push({ method: req.method ?? '', url, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8'), socket: req.socket });
      const n = this.count(url);
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      switch (url.split('?')[0]) {
        case '/ok':
          return json(200, { n });
        case '/no-retry-500':
          return json(500, { error: { message: 'boom', type: 'server_error', code: 'x' } }, { 'x-should-retry': 'false' });
        case '/retry-400':
          return n === 1 ? json(400, { detail: 'try again' }, { 'x-should-retry': 'true' }) : json(200, { n });
        case '/busy':
          return json(503, { object: 'error', message: 'busy', type: 'ServiceUnavailable', param: null, code: 503 }, { 'retry-after-ms': '1' });
        case '/unavailable':
          return json(503, { error: { message: 'unavailable', type: 'server_error' } });
        case '/quota':
          return json(429, { error: { message: 'out of quota', type: 'insufficient_quota', code: 'insufficient_quota' } });
        case '/malformed-once':
          return n === 1 ? json(200, '{"cut') : json(200, { n });
        case '/hang-up-once':
          if (n === 1) return void req.socket.destroy();
          return json(200, { n });
        case '/hang-up':
          return void req.socket.destroy();
        case '/cut-short':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{"a":');
          return void setImmediate(() => req.socket.end());
        case '/cut-chunked':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"a":');
          return void setImmediate(() => req.socket.destroy());
        case '/not-http':
          return void req.socket.end('NOT HTTP\r\n\r\n');
        case '/silent':
          return; // never answers
        case '/hold':
          this.held.push(res);
          return;
        default:
          return json(404, 'Not Found');
      }
    });
  }

  release(): void {
    for (const res of this.held.splice(0)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"held":true}');
    }
  }
}

const FAST = { multiplierMs: 1, minMs: 1, maxMs: 2, maxRetryAfterMs: 60_000 };
/** Waits of an hour between attempts: a test ends them (abort, close) rather than sitting them out. */
const HOUR = { multiplierMs: 3_600_000, minMs: 3_600_000, maxMs: 3_600_000, maxRetryAfterMs: 0 };

function client(extra: Partial<HttpClientOptions> = {}): JsonHttpClient {
  return new JsonHttpClient({ timeoutMs: 30_000, maxRetries: 3, headers: { Authorization: 'Bearer sk-test-key-1234' }, verifyCertificate: true, maxSockets: 4, backoff: FAST, secrets: ['sk-test-key-1234'], ...extra });
}

/** Header pairs as the server read them, without Host's value (it carries the port). */
function headerPairs(s: Seen): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < s.rawHeaders.length; i += 2) out.push([s.rawHeaders[i].toLowerCase(), s.rawHeaders[i + 1]]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

async function failure(p: Promise<unknown>): Promise<ApiRequestError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiRequestError);
  return e as ApiRequestError;
}

let server: RawServer;
beforeAll(async () => {
  server = await new RawServer().listen();
});
afterAll(async () => {
  await server?.close();
});

describe('what is sent', () => {
  it('POST: the client headers, Host, content-type and content-length, keep-alive; the body bytes as serialised', async () => {
    const c = client();
    const body = { prompt: 'héllo wörld', n: [1, 2] };
    expect(await c.request(`${server.url}/ok?x=1`, body)).toEqual({ n: 1 });
    const s = server.seen.at(-1)!;
    expect(s.method).toBe('POST');
    expect(s.url).toBe('/ok?x=1');
    expect(s.body).toBe(JSON.stringify(body));
    const host = new URL(server.url).host;
    expect(headerPairs(s)).toEqual([
      ['authorization', 'Bearer sk-test-key-1234'],
      ['connection', 'keep-alive'],
      ['content-length', String(Buffer.byteLength(JSON.stringify(body)))],
      ['content-type', 'application/json'],
      ['host', host],
    ]);
    c.close();
  });

  it('GET has no body headers; extra headers are added to (and override) the client headers', async () => {
    const c = client();
    await c.request(`${server.url}/ok`, undefined);
    const get = server.seen.at(-1)!;
    expect(get.method).toBe('GET');
    expect(headerPairs(get).map(([k]) => k)).toEqual(['authorization', 'connection', 'host']);
    await c.request(`${server.url}/ok`, { a: 1 }, {}, { Authorization: 'Bearer other', 'X-Extra': 'e' });
    expect(headerPairs(server.seen.at(-1)!).filter(([k]) => k === 'authorization' || k === 'x-extra')).toEqual([
      ['authorization', 'Bearer other'],
      ['x-extra', 'e'],
    ]);
    c.close();
  });

  it('connections = maxSockets, one request at a time on each (no pipelining), reused (keep-alive)', async () => {
    const c = client({ maxSockets: 3 });
    const before = server.seen.length;
    const all = Array.from({ length: 9 }, () => c.request(`${server.url}/hold`, { a: 1 }));
    // Three requests reach the server (one per connection); the others wait in the client.
    while (server.held.length < 3) await new Promise((r) => setTimeout(r, 5));
    const wave = new Set(server.seen.slice(before).map((s) => s.socket));
    expect(server.seen.length - before).toBe(3);
    expect(wave.size).toBe(3);
    for (let done = 3; done < 9; done += 3) {
      server.release();
      while (server.held.length < 3) await new Promise((r) => setTimeout(r, 5));
    }
    server.release();
    expect(await Promise.all(all)).toEqual(Array.from({ length: 9 }, () => ({ held: true })));
    const sockets = new Set(server.seen.slice(before).map((s) => s.socket));
    expect(sockets).toEqual(wave);
    c.close();
  });
});

describe('failures: messages, retries', () => {
  it('HTTP errors: x-should-retry, Retry-After, the error envelopes, quota; retries counted', async () => {
    const c = client();
    let e = await failure(c.request(`${server.url}/no-retry-500`, {}));
    expect(e.message).toBe(`${server.url}/no-retry-500 answered HTTP 500: boom`);
    expect([e.status, e.retryable, e.info.type, e.info.code]).toEqual([500, false, 'server_error', 'x']);
    expect(server.count('/no-retry-500')).toBe(1);
    expect(await c.request(`${server.url}/retry-400`, {})).toEqual({ n: 2 });
    e = await failure(c.request(`${server.url}/busy`, {}));
    expect(e.message).toBe(`${server.url}/busy answered HTTP 503: busy (gave up after 3 attempts, max_retries=3)`);
    expect(e.info.retryAfterMs).toBe(1);
    expect(server.count('/busy')).toBe(3);
    e = await failure(c.request(`${server.url}/quota`, {}));
    expect([e.status, e.retryable, e.rateLimited]).toEqual([429, false, false]);
    e = await failure(c.request(`${server.url}/nowhere`, {}));
    expect(e.message).toBe(`${server.url}/nowhere answered HTTP 404: Not Found`);
    expect(c.counters).toEqual({ attempts: 8, retries: 3, rateLimited: 0 });
    c.close();
  });

  it('a 2xx body the reader refuses: SyntaxError = malformed (retried); LmEvalError rejects as it is', async () => {
    const c = client();
    expect(await c.request(`${server.url}/malformed-once`, {})).toEqual({ n: 2 });
    const once = client({ maxRetries: 1 });
    const e = await failure(once.request(`${server.url}/ok`, {}, {}, undefined, () => JSON.parse('{')));
    once.close();
    expect(e.message).toMatch(new RegExp(`^${server.url}/ok answered HTTP 200 with a body that is not valid JSON: "\\{\\\\"n\\\\":\\d+\\}" \\(gave up after 1 attempt, max_retries=1\\)$`));
    expect(e.info.kind).toBe('malformed');
    const shape = new LmEvalError('not the shape expected');
    const before = server.count('/ok');
    await expect(c.request(`${server.url}/ok`, {}, {}, undefined, () => {
      throw shape;
    })).rejects.toBe(shape);
    expect(server.count('/ok')).toBe(before + 1);
    expect(await c.request(`${server.url}/ok`, {}, {}, undefined, (text) => text.length)).toBeGreaterThan(0);
    c.close();
  });

  it('connection failures keep node:http\'s words: refused, hang-up (ECONNRESET), reply cut short, not HTTP', async () => {
    const c = client({ maxRetries: 2 });
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    let e = await failure(c.request(`http://127.0.0.1:${port}/v1/completions`, {}));
    expect(e.message).toBe(`could not reach http://127.0.0.1:${port}/v1/completions: ECONNREFUSED (gave up after 2 attempts, max_retries=2)`);
    expect(e.info.kind).toBe('connection');
    expect(await c.request(`${server.url}/hang-up-once`, {})).toEqual({ n: 2 });
    e = await failure(c.request(`${server.url}/hang-up`, {}));
    expect(e.message).toBe(`could not reach ${server.url}/hang-up: ECONNRESET (gave up after 2 attempts, max_retries=2)`);
    for (const cut of ['/cut-short', '/cut-chunked']) {
      e = await failure(c.request(`${server.url}${cut}`, {}));
      expect(e.message).toBe(`connection to ${server.url} broke while reading the response (gave up after 2 attempts, max_retries=2)`);
      expect(server.count(cut)).toBe(2);
    }
    e = await failure(c.request(`${server.url}/not-http`, {}));
    expect(e.message).toMatch(new RegExp(`^could not reach ${server.url}/not-http: .+ \\(gave up after 2 attempts`));
    c.close();
  });

  it('a header value that is not valid HTTP rejects at once (no retry)', async () => {
    const c = client();
    const before = server.seen.length;
    await expect(c.request(`${server.url}/ok`, {}, {}, { 'X-Bad': 'a\nb' })).rejects.toThrow(/X-Bad/);
    expect(server.seen.length).toBe(before);
    c.close();
  });
});

describe('attempts end at their socket', () => {
  it('a timed-out attempt closes its connection, is retried, and the timeout is reported', async () => {
    const c = client({ timeoutMs: 500, maxRetries: 2 });
    const before = server.count('/silent');
    const e = await failure(c.request(`${server.url}/silent`, {}));
    expect(e.message).toBe(`${server.url}/silent did not answer within 0.5 s (timeout) (gave up after 2 attempts, max_retries=2)`);
    expect(e.info.kind).toBe('timeout');
    // Each attempt that reached the server (on a loaded machine one may time out before it is
    // sent) had its connection closed.
    const attempts = server.seen.filter((s) => s.url === '/silent').slice(before);
    expect(attempts.length).toBeGreaterThan(0);
    await Promise.all(attempts.map((s) => new Promise((r) => (s.socket.destroyed ? r(null) : s.socket.once('close', r)))));
    c.close();
  });

  it('an abort signal ends the attempt in flight (closing its connection) and the waits between attempts', async () => {
    const c = client();
    const ac = new AbortController();
    const before = server.count('/silent');
    const p = failure(c.request(`${server.url}/silent`, {}, { signal: ac.signal }));
    while (server.count('/silent') === before) await new Promise((r) => setTimeout(r, 5));
    ac.abort(new Error('stop'));
    const e = await p;
    expect(e.message).toBe('request aborted');
    expect(e.info.kind).toBe('aborted');
    const s = server.seen.filter((x) => x.url === '/silent').at(-1)!;
    await new Promise((r) => (s.socket.destroyed ? r(null) : s.socket.once('close', r)));
    // A wait between attempts (an hour here) ends with the signal's reason.
    const slow = client({ backoff: HOUR });
    const ac2 = new AbortController();
    const waiting = slow.request(`${server.url}/unavailable`, {}, { signal: ac2.signal }).catch((err: unknown) => err);
    // Waiting once the 503 is read (a retry is counted as its wait starts).
    while (slow.counters.retries === 0) await new Promise((r) => setTimeout(r, 5));
    ac2.abort(new Error('stop waiting'));
    expect(String(await waiting)).toMatch(/stop waiting/);
    expect(await failure(c.request(`${server.url}/ok`, {}, { signal: ac.signal }))).toMatchObject({ message: 'request aborted' });
    c.close();
    slow.close();
  });

  it('close() ends every connection and retry wait; later requests reject as closed', async () => {
    const own = await new RawServer().listen();
    try {
      const c = client({ backoff: HOUR });
      await Promise.all([c.request(`${own.url}/ok`, {}), c.request(`${own.url}/ok`, {})]);
      expect(own.sockets.size).toBe(2);
      const inFlight = c.request(`${own.url}/silent`, {}).catch((err: unknown) => err);
      const waiting = c.request(`${own.url}/unavailable`, {}).catch((err: unknown) => err);
      while (own.count('/silent') === 0 || own.count('/unavailable') === 0) await new Promise((r) => setTimeout(r, 5));
      c.close();
      c.close();
      for (const e of [await inFlight, await waiting]) {
        expect(e).toBeInstanceOf(LmEvalError);
        expect(String((e as Error).message)).toMatch(/the model using it is closed/);
      }
      await own.allSocketsClosed();
      await expect(c.request(`${own.url}/ok`, {})).rejects.toThrow(/the model using it is closed/);
      expect(own.count('/ok')).toBe(2);
    } finally {
      await own.close();
    }
  });
});

describe('https', () => {
  let tls: RawServer;
  beforeAll(async () => {
    tls = await new RawServer(true).listen();
  });
  afterAll(async () => {
    await tls?.close();
  });

  it('verifies the certificate by default; verify_certificate=False skips it; ca_cert_path trusts a CA', async () => {
    const strict = client({ maxRetries: 1 });
    const e = await failure(strict.request(`${tls.url}/ok`, {}));
    expect(e.message).toBe(`could not reach ${tls.url}/ok: DEPTH_ZERO_SELF_SIGNED_CERT (gave up after 1 attempt, max_retries=1)`);
    const lax = client({ verifyCertificate: false });
    expect(await lax.request(`${tls.url}/ok`, {})).toEqual({ n: 1 });
    const trusting = client({ caCertPath: path.join(FIXTURES, 'localhost-cert.pem') });
    expect(await trusting.request(`${tls.url}/ok`, {})).toEqual({ n: 2 });
    for (const c of [strict, lax, trusting]) c.close();
  });
});
