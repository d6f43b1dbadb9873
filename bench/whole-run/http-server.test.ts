/**
 * The bench server's minimal HTTP/1.1 server (http-server.ts) with real clients on 127.0.0.1:
 * raw sockets (keep-alive, requests split byte by byte, several in one packet, chunked bodies,
 * Connection: close, HTTP/1.0, Expect: 100-continue, HEAD, malformed requests), node:http and
 * fetch (undici, which sends a stream body chunked).
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type HttpServer } from './http-server.ts';

let server: HttpServer;

beforeAll(async () => {
  // answers with what it got
  server = await listen((req) => {
    if (req.target === '/missing') return { status: 404, body: '{"detail":"Not Found"}' };
    return { status: 200, body: JSON.stringify({ method: req.method, target: req.target, body: req.body.toString('utf8') }) };
  });
});

afterAll(() => server?.close());

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A raw connection: writes bytes, reads responses (Content-Length framed, or up to the close). */
class Conn {
  private socket: net.Socket;
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  ended = false;

  constructor() {
    this.socket = net.connect(server.port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    this.socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private more(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((r) => this.socket.write(data, () => r()));
  }

  /** Writes `data` one byte per packet-sized write, yielding between bytes. */
  async trickle(data: string): Promise<void> {
    for (const c of Buffer.from(data)) {
      await this.write(Buffer.from([c]));
      await new Promise((r) => setImmediate(r));
    }
  }

  async response(head = false): Promise<RawResponse> {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = this.buf.toString('latin1', 0, end).split('\r\n');
        const status = Number(lines[0].split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
        const length = head || status === 100 ? 0 : Number(headers['content-length']);
        if (this.buf.length >= end + 4 + length) {
          const body = this.buf.toString('utf8', end + 4, end + 4 + length);
          this.buf = this.buf.subarray(end + 4 + length);
          return { status, headers, body };
        }
      }
      if (this.ended) throw new Error(`connection closed; unread: ${JSON.stringify(this.buf.toString())}`);
      await this.more();
    }
  }

  async closed(): Promise<boolean> {
    while (!this.ended) await this.more();
    return this.buf.length === 0;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const post = (target: string, body: string, extra = '') => `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
const json = (r: RawResponse) => JSON.parse(r.body) as { method: string; target: string; body: string };

describe('minimal HTTP/1.1 server (http-server.ts)', () => {
  it('keeps a connection alive across requests', async () => {
    const c = new Conn();
    for (let i = 0; i < 3; i++) {
      await c.write(post('/v1/completions', `{"n":${i},"t":"é"}`));
      const r = await c.response();
      expect(r.status).toBe(200);
      expect(r.headers.connection).toBe('keep-alive');
      expect(r.headers['content-type']).toBe('application/json');
      expect(json(r)).toEqual({ method: 'POST', target: '/v1/completions', body: `{"n":${i},"t":"é"}` });
    }
    c.destroy();
  });

  it('reads a request split into single bytes', async () => {
    const c = new Conn();
    await c.trickle(post('/a?b=1', '{"prompt":[[1,2,3]]}'));
    expect(json(await c.response())).toEqual({ method: 'POST', target: '/a?b=1', body: '{"prompt":[[1,2,3]]}' });
    c.destroy();
  });

  it('answers several requests sent in one packet, in order', async () => {
    const c = new Conn();
    await c.write(post('/1', '{"a":1}') + 'GET /2 HTTP/1.1\r\nHost: x\r\n\r\n' + post('/3', '') + post('/missing', '{}'));
    const rs = [await c.response(), await c.response(), await c.response(), await c.response()];
    expect(rs.slice(0, 3).map((r) => json(r))).toEqual([
      { method: 'POST', target: '/1', body: '{"a":1}' },
      { method: 'GET', target: '/2', body: '' },
      { method: 'POST', target: '/3', body: '' },
    ]);
    expect(rs[3].status).toBe(404);
    // the next one, after a packet boundary that cut a request in two
    const whole = post('/4', '{"x":"' + 'y'.repeat(5000) + '"}');
    await c.write(whole.slice(0, 30));
    await c.write(whole.slice(30, 2000));
    await c.write(whole.slice(2000) + post('/5', '{}').slice(0, 10));
    expect(json(await c.response()).target).toBe('/4');
    await c.write(post('/5', '{}').slice(10));
    expect(json(await c.response()).target).toBe('/5');
    c.destroy();
  });

  it('decodes a chunked body (extensions and trailers skipped), split anywhere', async () => {
    const c = new Conn();
    const req = 'POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n' + '5;ext=1\r\n{"a":\r\n' + 'A\r\n"bcdefgh"}\r\n' + '0\r\nX-Trailer: 1\r\n\r\n';
    await c.trickle(req);
    expect(json(await c.response())).toEqual({ method: 'POST', target: '/chunked', body: '{"a":"bcdefgh"}' });
    await c.write(req + req);
    expect(json(await c.response()).body).toBe('{"a":"bcdefgh"}');
    expect(json(await c.response()).body).toBe('{"a":"bcdefgh"}');
    c.destroy();
  });

  it('closes after a response to Connection: close, and for HTTP/1.0 without keep-alive', async () => {
    const c = new Conn();
    await c.write(post('/x', '{}', 'Connection: close\r\n') + post('/not-answered', '{}'));
    const r = await c.response();
    expect(r.headers.connection).toBe('close');
    expect(await c.closed()).toBe(true);

    const d = new Conn();
    await d.write('GET /old HTTP/1.0\r\n\r\n');
    expect(json(await d.response()).target).toBe('/old');
    expect(await d.closed()).toBe(true);

    const e = new Conn();
    await e.write('GET /old HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(json(await e.response()).target).toBe('/old');
    expect(json(await e.response()).target).toBe('/again');
    expect(e.ended).toBe(false);
    e.destroy();
  });

  it('sends 100 Continue to Expect: 100-continue, and no body to HEAD', async () => {
    const c = new Conn();
    await c.write('POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    expect((await c.response()).status).toBe(100);
    await c.write('{}');
    expect(json(await c.response()).body).toBe('{}');
    await c.write('HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\n\r\n');
    const h = await c.response(true);
    expect([h.status, h.body, Number(h.headers['content-length']) > 0]).toEqual([200, '', true]);
    expect(json(await c.response()).target).toBe('/g');
    c.destroy();
  });

  it('answers a malformed request with 400 and closes', async () => {
    for (const bad of [
      'NOT A REQUEST\r\n\r\n',
      'POST /x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      'POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n',
      'POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n',
      'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'GET /x HTTP/1.1\r\nBad Header: 1\r\n\r\n',
    ]) {
      const c = new Conn();
      await c.write(bad);
      const r = await c.response();
      expect([r.status, r.headers.connection], bad).toEqual([400, 'close']);
      expect(await c.closed()).toBe(true);
    }
  });

  it('serves node:http keep-alive clients, chunked bodies included', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const request = (body: string | null, chunked: boolean) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const headers: Record<string, string | number> = { 'content-type': 'application/json' };
        if (!chunked && body !== null) headers['content-length'] = Buffer.byteLength(body);
        const req = http.request({ host: '127.0.0.1', port: server.port, path: '/v1/completions', method: 'POST', agent, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        if (chunked && body !== null) {
          // no Content-Length: node sends the body chunked, one chunk per write
          req.write(body.slice(0, 3));
          req.end(body.slice(3));
        } else req.end(body ?? undefined);
      });
    const bodies = Array.from({ length: 20 }, (_, i) => JSON.stringify({ prompt: [[i, i + 1]], s: 'x'.repeat(i * 300) }));
    const replies = await Promise.all(bodies.map((b, i) => request(b, i % 2 === 1)));
    expect(replies.map((r) => r.status)).toEqual(bodies.map(() => 200));
    expect(replies.map((r) => (JSON.parse(r.body) as { body: string }).body)).toEqual(bodies);
    agent.destroy();
  });

  it('serves fetch (undici), with a streamed (chunked) body', async () => {
    const url = `http://127.0.0.1:${server.port}/f`;
    const plain = await fetch(url, { method: 'POST', body: '{"a":1}' });
    expect(await plain.json()).toEqual({ method: 'POST', target: '/f', body: '{"a":1}' });
    const parts = ['{"b":', '[1,2,', '3]}'];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(new TextEncoder().encode(p));
        controller.close();
      },
    });
    const streamed = await fetch(url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(await streamed.json()).toEqual({ method: 'POST', target: '/f', body: '{"b":[1,2,3]}' });
  });
});
