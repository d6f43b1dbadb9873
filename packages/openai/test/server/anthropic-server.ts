/**
 * A local server imitating Anthropic's public API wire format (written from the API reference):
 * `POST /v1/messages` (Messages API) and `POST /v1/complete` (legacy Text Completions), the
 * `x-api-key` / `anthropic-version` headers, the error envelope
 * `{"type":"error","error":{"type","message"}}` with its statuses (400 invalid_request_error,
 * 401 authentication_error, 429 rate_limit_error with `retry-after`, 529 overloaded_error) and
 * the `anthropic-ratelimit-*` headers. Replies are deterministic: the text is "Echo: " plus the last
 * user message (or the prompt's human turn), cut at the first stop sequence.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnthropicServerOptions {
  apiKey: string;
  /** The first `rateLimited` requests get 429 + retry-after: 0, then `overloaded` get 529. */
  rateLimited?: number;
  overloaded?: number;
  /** Delay per request (to observe concurrency). */
  delayMs?: number;
}

export interface AnthropicServer {
  url: string;
  stats: { requests: number; bodies: Array<Record<string, unknown>>; headers: Array<Record<string, string | string[] | undefined>>; maxInFlight: number };
  close(): Promise<void>;
}

const errorBody = (type: string, message: string) => ({ type: 'error', error: { type, message } });

export async function startAnthropicServer(o: AnthropicServerOptions): Promise<AnthropicServer> {
  const stats: AnthropicServer['stats'] = { requests: 0, bodies: [], headers: [], maxInFlight: 0 };
  let inFlight = 0;
  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${stats.requests}`, 'anthropic-ratelimit-requests-limit': '50', ...headers });
    res.end(text);
  };
  const cut = (text: string, stops: string[]) => {
    let at = text.length;
    let hit: string | null = null;
    for (const s of stops) {
      const i = text.indexOf(s);
      if (i >= 0 && i < at) [at, hit] = [i, s];
    }
    return { text: text.slice(0, at), stop: hit };
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const n = ++stats.requests;
      inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      try {
        if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
        stats.headers.push({ ...req.headers });
        if (req.headers['x-api-key'] !== o.apiKey) return send(res, 401, errorBody('authentication_error', 'invalid x-api-key'));
        if (!req.headers['anthropic-version']) return send(res, 400, errorBody('invalid_request_error', 'anthropic-version: header is required'));
        if (n <= (o.rateLimited ?? 0)) return send(res, 429, errorBody('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), { 'retry-after': '0', 'anthropic-ratelimit-requests-remaining': '0' });
        if (n <= (o.rateLimited ?? 0) + (o.overloaded ?? 0)) return send(res, 529, errorBody('overloaded_error', 'Overloaded'));
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        stats.bodies.push(body);
        const stops = Array.isArray(body.stop_sequences) ? (body.stop_sequences as string[]) : [];
        if (req.url === '/v1/messages' && req.method === 'POST') {
          if (typeof body.max_tokens !== 'number') return send(res, 400, errorBody('invalid_request_error', 'max_tokens: Field required'));
          const messages = body.messages as Array<{ role: string; content: string }>;
          if (!Array.isArray(messages) || messages.some((m) => m.role === 'system')) {
            return send(res, 400, errorBody('invalid_request_error', 'messages: Unexpected role "system". Use the top-level `system` parameter.'));
          }
          const last = [...messages].reverse().find((m) => m.role === 'user');
          const out = cut(`Echo: ${last?.content ?? ''}${body.system ? ` [system: ${String(body.system)}]` : ''}`, stops);
          return send(res, 200, {
            id: `msg_${n}`,
            type: 'message',
            role: 'assistant',
            model: body.model,
            content: [{ type: 'text', text: out.text }],
            stop_reason: out.stop ? 'stop_sequence' : 'end_turn',
            stop_sequence: out.stop,
            usage: { input_tokens: 10, output_tokens: 5 },
          });
        }
        if (req.url === '/v1/complete' && req.method === 'POST') {
          if (typeof body.max_tokens_to_sample !== 'number') return send(res, 400, errorBody('invalid_request_error', 'max_tokens_to_sample: Field required'));
          const prompt = String(body.prompt ?? '');
          if (!prompt.startsWith('\n\nHuman:') || !prompt.endsWith('\n\nAssistant:')) {
            return send(res, 400, errorBody('invalid_request_error', 'prompt must start with "\\n\\nHuman:" and end with "\\n\\nAssistant:"'));
          }
          const human = prompt.slice('\n\nHuman: '.length, -'\n\nAssistant:'.length);
          const out = cut(` Echo: ${human}`, stops);
          return send(res, 200, { type: 'completion', id: `compl_${n}`, completion: out.text, stop_reason: out.stop ? 'stop_sequence' : 'max_tokens', model: body.model });
        }
        return send(res, 404, errorBody('not_found_error', `Not found: ${req.method} ${req.url}`));
      } finally {
        inFlight -= 1;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
