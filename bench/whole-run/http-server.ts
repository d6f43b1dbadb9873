/**
 * A minimal HTTP/1.1 server over `node:net` for the bench server, whose handler answers every
 * request synchronously from its method, target and whole body. It costs a fraction of
 * `node:http`'s per-request work (no request/response objects, streams or events per request:
 * one `indexOf` for the head, one string per response, the responses to the requests of one
 * packet written together).
 *
 * What it handles (RFC 9112): persistent connections (HTTP/1.1 unless `Connection: close`;
 * HTTP/1.0 only with `Connection: keep-alive`), bodies by `Content-Length` or
 * `Transfer-Encoding: chunked` (chunk extensions and trailers skipped), requests split across
 * packets and several requests in one packet (pipelining, answered in order), `Expect:
 * 100-continue`, HEAD (no body), malformed requests (400, then the connection closes), heads
 * over 64 KiB (431), idle connections closed after 60 s.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface HttpRequest {
  method: string;
  /** the request target as sent (path and query) */
  target: string;
  body: Buffer;
}

export interface HttpResponse {
  status: number;
  /** JSON text */
  body: string;
  /** the body is ASCII (its length is its size in bytes; it is written without UTF-8 encoding) */
  ascii?: boolean;
}

export type Handler = (req: HttpRequest) => HttpResponse;

const MAX_HEAD = 64 * 1024;
const IDLE_MS = 60_000;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);
const REASON: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 404: 'Not Found', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error' };

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Head {
  method: string;
  target: string;
  /** the connection closes after this request's response */
  close: boolean;
  chunked: boolean;
  length: number;
  expectContinue: boolean;
  /** offset of the body in the buffer */
  bodyStart: number;
}

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.([01])$/;
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The head from `start` to `end` (the offset of its blank line's CRLF CRLF). */
function parseHead(buf: Buffer, start: number, end: number): Head {
  const text = buf.toString('latin1', start, end);
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const m = REQUEST_LINE.exec(text.slice(0, eol));
  if (!m) throw new BadRequest(400, 'malformed request line');
  const http10 = m[3] === '0';
  let connection = '';
  let transferEncoding: string | undefined;
  let contentLength: string | undefined;
  let expect = '';
  // header lines; only the names of the fields that matter are compared, by length first
  for (let p = eol + 2; p < text.length; ) {
    let next = text.indexOf('\r\n', p);
    if (next < 0) next = text.length;
    const colon = text.indexOf(':', p);
    if (colon <= p || colon >= next) throw new BadRequest(400, 'malformed header line');
    const nameLength = colon - p;
    if (nameLength === 14 || nameLength === 17 || nameLength === 10 || nameLength === 6) {
      const name = text.slice(p, colon).toLowerCase();
      const value = text.slice(colon + 1, next).trim();
      if (name === 'content-length') {
        if (contentLength !== undefined && contentLength !== value) throw new BadRequest(400, 'conflicting Content-Length');
        contentLength = value;
      } else if (name === 'transfer-encoding') transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
      else if (name === 'connection') connection += `,${value.toLowerCase()}`;
      else if (name === 'expect') expect = value.toLowerCase();
    }
    if (!FIELD_NAME.test(text.slice(p, colon))) throw new BadRequest(400, 'malformed header name');
    p = next + 2;
  }
  // (the two common cases without splitting the options)
  const close = connection === '' ? http10 : connection === ',keep-alive' ? false : closes(connection, http10);
  let chunked = false;
  let length = 0;
  if (transferEncoding !== undefined) {
    // a request body framed by anything but chunked alone could not be read (RFC 9112, section 6.3)
    const codings = transferEncoding.toLowerCase().split(',').map((s) => s.trim());
    if (codings.length !== 1 || codings[0] !== 'chunked') throw new BadRequest(400, `unsupported Transfer-Encoding: ${transferEncoding}`);
    chunked = true;
  } else if (contentLength !== undefined) {
    if (!/^\d{1,15}$/.test(contentLength)) throw new BadRequest(400, 'malformed Content-Length');
    length = Number(contentLength);
  }
  return { method: m[1], target: m[2], close, chunked, length, expectContinue: expect === '100-continue', bodyStart: end + 4 };
}

/** Whether the connection closes after the response, from the Connection options (`,a,b`). */
function closes(connection: string, http10: boolean): boolean {
  const options = connection.split(',').map((s) => s.trim());
  return http10 ? !options.includes('keep-alive') : options.includes('close');
}

/** A chunked body from `start`: the body and the offset after it, or null while incomplete. */
function decodeChunked(buf: Buffer, start: number): { body: Buffer; end: number } | null {
  const parts: Buffer[] = [];
  let p = start;
  for (;;) {
    const eol = buf.indexOf(CRLF, p);
    if (eol < 0) {
      if (buf.length - p > 1024) throw new BadRequest(400, 'malformed chunk size line');
      return null;
    }
    const m = /^([0-9A-Fa-f]{1,8})[ \t]*(;.*)?$/.exec(buf.toString('latin1', p, eol));
    if (!m) throw new BadRequest(400, 'malformed chunk size line');
    const size = parseInt(m[1], 16);
    p = eol + 2;
    if (size === 0) {
      // trailer fields, then an empty line
      for (;;) {
        const end = buf.indexOf(CRLF, p);
        if (end < 0) return null;
        if (end === p) return { body: parts.length === 1 ? parts[0] : Buffer.concat(parts), end: end + 2 };
        p = end + 2;
      }
    }
    if (buf.length < p + size + 2) return null;
    if (buf[p + size] !== 0x0d || buf[p + size + 1] !== 0x0a) throw new BadRequest(400, 'chunk not followed by CRLF');
    parts.push(buf.subarray(p, p + size));
    p += size + 2;
  }
}

function responseHead(status: number, length: number, close: boolean): string {
  return `HTTP/1.1 ${status} ${REASON[status] ?? 'Unknown'}\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${close ? 'connection: close' : 'connection: keep-alive\r\nkeep-alive: timeout=60'}\r\n\r\n`;
}

/** Serves one connection: parses what arrives, answers each complete request in order. */
function serveConnection(socket: net.Socket, handler: Handler): void {
  const pending: Buffer[] = [];
  let pendingLength = 0;
  /** bytes the incomplete request at the front needs before parsing is worth trying again (0: unknown) */
  let need = 0;
  let continued = false;
  let closing = false;

  const answer = (status: number, body: string, close: boolean, head = false, ascii = false) => {
    const length = ascii ? body.length : Buffer.byteLength(body);
    const text = head ? responseHead(status, length, close) : responseHead(status, length, close) + body;
    if (ascii) socket.write(text, 'latin1');
    else socket.write(text);
    if (close) {
      closing = true;
      socket.end();
    }
  };

  const parse = (buf: Buffer) => {
    let off = 0;
    while (off < buf.length && !closing) {
      const headEnd = buf.indexOf(HEAD_END, off);
      if (headEnd < 0) {
        if (buf.length - off > MAX_HEAD) throw new BadRequest(431, 'request head too large');
        break;
      }
      if (headEnd - off > MAX_HEAD) throw new BadRequest(431, 'request head too large');
      const h = parseHead(buf, off, headEnd);
      const contentEnd = h.bodyStart + h.length;
      const got = h.chunked ? decodeChunked(buf, h.bodyStart) : contentEnd > buf.length ? null : { body: h.length === 0 ? EMPTY : buf.subarray(h.bodyStart, contentEnd), end: contentEnd };
      if (!got) {
        // the body is still to come (a chunked one: its size unknown yet)
        need = h.chunked ? 0 : contentEnd - off;
        if (h.expectContinue && !continued) socket.write('HTTP/1.1 100 Continue\r\n\r\n');
        continued = true;
        break;
      }
      const { body, end } = got;
      off = end;
      need = 0;
      continued = false;
      let res: HttpResponse;
      try {
        res = handler({ method: h.method, target: h.target, body });
      } catch (e) {
        res = { status: 500, body: JSON.stringify({ detail: String(e) }) };
      }
      answer(res.status, res.body, h.close, h.method === 'HEAD', res.ascii === true);
    }
    if (off < buf.length && !closing) {
      const rest = buf.subarray(off);
      pending.push(rest);
      pendingLength = rest.length;
    }
  };

  socket.setNoDelay(true);
  socket.setTimeout(IDLE_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    if (closing) return;
    pending.push(chunk);
    pendingLength += chunk.length;
    if (pendingLength < need) return;
    const buf = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLength);
    pending.length = 0;
    pendingLength = 0;
    socket.cork();
    try {
      parse(buf);
    } catch (e) {
      if (!(e instanceof BadRequest)) throw e;
      answer(e.status, JSON.stringify({ detail: e.message }), true);
    }
    socket.uncork();
  });
}

export interface HttpServer {
  /** the port it listens on (127.0.0.1) */
  port: number;
  /** stops listening and closes every connection */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port` (0: any free port). */
export function listen(handler: Handler, port = 0): Promise<HttpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, handler);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
