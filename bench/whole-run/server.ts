/**
 * An instant vLLM-shaped OpenAI completions server for the whole-run benchmark and its golden test.
 * No model: every answer is a pure function of the request's token ids, so the harness's numbers
 * (and its results/samples files) are reproducible, and the server costs little per request.
 *
 * - `/v1/completions` with token-id prompts (one or several):
 *   - `prompt_logprobs: 1` → vLLM's `prompt_logprobs` list (`null`, then per position a dict of
 *     `{"<id>": {logprob, rank, decoded_token}}` holding the prompt token and, when it is not the
 *     top token, the top one), plus the echo fields when `echo` is set;
 *   - `echo: true` → `logprobs.{tokens, token_logprobs, top_logprobs, text_offset}` over the prompt
 *     and one generated token;
 *   - otherwise (generation) a short text chosen from the prompt's hash.
 * - `GET /bench/stats`: `{count, first, last, arrivals}` of the /v1/completions requests (epoch ms
 *   of the first one's arrival, the last response's end, every arrival) and their bodies since the
 *   previous call, in arrival order; the counters then reset. Any other route answers 404.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** 32-bit integer mix (a Murmur3-style finaliser). */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The log-prob of `id` after `prev` at `pos` (exact binary fractions) and whether it is the top token. */
export function tokenLogprob(prev: number, id: number, pos: number): { lp: number; greedy: boolean } {
  const h = mix(prev * 31 + id * 131 + pos * 7919);
  return { lp: -((h % 4000) + 2) / 1024, greedy: h % 3 === 0 };
}

const TOP_LP = -1 / 1024;
const WORDS = ['Lily', 'Tom', 'ball', 'dog', 'park', 'happy', 'cat', 'tree', 'sun', 'red', 'big', 'bird', 'home', 'mom', 'toy', 'cake'];

function promptHash(ids: number[]): number {
  let h = 0x9e3779b9;
  for (let i = 0; i < ids.length; i++) h = mix(h ^ (ids[i] + i));
  return h;
}

function promptLogprobsJson(ids: number[]): string {
  let s = '[null';
  for (let i = 1; i < ids.length; i++) {
    const id = ids[i];
    const { lp, greedy } = tokenLogprob(ids[i - 1], id, i);
    if (greedy) s += `,{"${id}":{"logprob":${TOP_LP},"rank":1,"decoded_token":"t${id}"}}`;
    else {
      const top = id === 0 ? 1 : id - 1;
      s += `,{"${id}":{"logprob":${lp},"rank":${2 + (id % 5)},"decoded_token":"t${id}"},"${top}":{"logprob":${TOP_LP},"rank":1,"decoded_token":"t${top}"}}`;
    }
  }
  return s + ']';
}

function echoLogprobsJson(ids: number[]): string {
  const tokens: string[] = [];
  const tl: string[] = [];
  const top: string[] = [];
  const offsets: number[] = [];
  let off = 0;
  for (let i = 0; i <= ids.length; i++) {
    const id = i < ids.length ? ids[i] : 13; // one generated token
    tokens.push(`"t${id}"`);
    offsets.push(off);
    off += 1 + String(id).length;
    if (i === 0) {
      tl.push('null');
      top.push('null');
      continue;
    }
    const { lp, greedy } = tokenLogprob(ids[i - 1], id, i);
    if (greedy) {
      tl.push(String(TOP_LP));
      top.push(`{"t${id}":${TOP_LP}}`);
    } else {
      tl.push(String(lp));
      top.push(`{"t${id}":${lp},"x${id}":${TOP_LP}}`);
    }
  }
  return `{"text_offset":[${offsets.join(',')}],"token_logprobs":[${tl.join(',')}],"tokens":[${tokens.join(',')}],"top_logprobs":[${top.join(',')}]}`;
}

interface Body {
  prompt: number[][] | number[] | string | string[];
  echo?: boolean;
  prompt_logprobs?: number;
  max_tokens?: number;
}

function choiceJson(index: number, prompt: number[] | string, body: Body): string {
  const ids = typeof prompt === 'string' ? Array.from(prompt, (c) => c.charCodeAt(0)) : prompt;
  const scoring = body.echo === true || body.prompt_logprobs !== undefined;
  if (!scoring) {
    const h = promptHash(ids);
    const text = ` ${WORDS[h % WORDS.length]}${h % 4 === 0 ? ' ' + WORDS[(h >>> 8) % WORDS.length] : ''}`;
    return `{"index":${index},"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":"stop","stop_reason":null,"prompt_logprobs":null}`;
  }
  const text = body.echo ? ids.map((id) => `t${id}`).join('') + 't13' : 't13';
  const logprobs = body.echo ? echoLogprobsJson(ids) : 'null';
  const pl = body.prompt_logprobs !== undefined ? promptLogprobsJson(ids) : 'null';
  return `{"index":${index},"text":"${text}","logprobs":${logprobs},"finish_reason":"length","stop_reason":null,"prompt_logprobs":${pl}}`;
}

/** The reply text for one /v1/completions body. */
export function completionReply(body: Body): string {
  const p = body.prompt;
  const prompts: Array<number[] | string> = typeof p === 'string' ? [p] : Array.isArray(p) && p.length > 0 && typeof p[0] === 'number' ? [p as number[]] : (p as Array<number[] | string>);
  const choices = prompts.map((x, i) => choiceJson(i, x, body));
  const promptTokens = prompts.reduce((n, x) => n + x.length, 0);
  return `{"id":"cmpl-bench","object":"text_completion","created":0,"model":"bench","choices":[${choices.join(',')}],"usage":{"prompt_tokens":${promptTokens},"total_tokens":${promptTokens + 1},"completion_tokens":1}}`;
}

export interface BenchServer {
  url: string;
  close(): Promise<void>;
}

export function startServer(port = 0): Promise<BenchServer> {
  let count = 0;
  let first = 0;
  let last = 0;
  let bodies: string[] = [];
  let arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/bench/stats') {
      const out = JSON.stringify({ count, first, last, arrivals, bodies });
      count = first = last = 0;
      bodies = [];
      arrivals = [];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(out);
      return;
    }
    const scored = req.method === 'POST' && req.url === '/v1/completions';
    if (scored) {
      if (count === 0) first = Date.now();
      count += 1;
      arrivals.push(Date.now());
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      let out: string;
      let status = 200;
      if (!scored) {
        // no other route (the harness may probe a few at start-up): vLLM's 404
        status = 404;
        out = JSON.stringify({ detail: 'Not Found' });
      } else {
        bodies.push(text);
        try {
          out = completionReply(JSON.parse(text) as Body);
        } catch (e) {
          status = 400;
          out = JSON.stringify({ object: 'error', message: String(e), type: 'BadRequestError', param: null, code: 400 });
        }
      }
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out, () => {
        if (scored) last = Date.now();
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${p}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

// As a child process: print the URL, serve until SIGTERM.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  startServer().then((s) => {
    process.stdout.write(`${s.url}\n`);
    process.on('SIGTERM', () => s.close().then(() => process.exit(0)));
  });
}
