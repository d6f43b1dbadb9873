/**
 * An instant vLLM-shaped OpenAI completions server for the whole-run benchmark and its golden test.
 * No model: every answer is a pure function of the request's token ids (`reply.ts`), so the
 * harness's numbers (and its results/samples files) are reproducible; it shares the machine with
 * the CLI being measured, so it is built to cost little per request: a minimal HTTP/1.1 server
 * over `node:net` (`http-server.ts`) and replies assembled from per-token fragments formatted once.
 *
 * - `POST /v1/completions` with token-id prompts (one or several):
 *   - `prompt_logprobs: 1` → vLLM's `prompt_logprobs` list (`null`, then per position a dict of
 *     `{"<id>": {logprob, rank, decoded_token}}` holding the prompt token and, when it is not the
 *     top token, the top one), plus the echo fields when `echo` is set;
 *   - `echo: true` → `logprobs.{tokens, token_logprobs, top_logprobs, text_offset}` over the prompt
 *     and one generated token;
 *   - otherwise (generation) a short text chosen from the prompt's hash;
 *   - a body that is not JSON, or whose prompt is neither text nor token ids: 400, vLLM's error shape.
 * - `GET /bench/stats`: `{count, first, last, arrivals, bodies, cpu}` since the previous call: the
 *   number of /v1/completions requests, the epoch ms of the first one's arrival and of the last
 *   response's writing, every arrival, their bodies in arrival order, and the server process's
 *   CPU time (`process.cpuUsage()` delta, µs, `{user, system}`, building this reply excluded);
 *   the counters then reset. `GET /bench/stats?bodies=0` leaves the bodies out.
 * - Any other route answers 404 (`{"detail":"Not Found"}`, as vLLM).
 */
import { listen, type HttpResponse } from './http-server.ts';
import { completionReply, type CompletionRequest } from './reply.ts';

export { completionReply } from './reply.ts';

/** What `GET /bench/stats` returns (see above). */
export interface BenchStats {
  count: number;
  first: number;
  last: number;
  arrivals: number[];
  bodies: string[];
  cpu: { user: number; system: number };
}

export interface BenchServer {
  url: string;
  close(): Promise<void>;
}

const NOT_FOUND = JSON.stringify({ detail: 'Not Found' });

export async function startServer(port = 0): Promise<BenchServer> {
  let count = 0;
  let first = 0;
  let last = 0;
  let bodies: Buffer[] = [];
  let arrivals: number[] = [];
  let cpu = process.cpuUsage();

  const server = await listen((req) => {
    if (req.method === 'POST' && req.target === '/v1/completions') {
      const now = Date.now();
      if (count === 0) first = now;
      count += 1;
      arrivals.push(now);
      bodies.push(req.body);
      let res: HttpResponse;
      try {
        // a reply is ASCII: ids, fixed keys and words, numbers
        res = { status: 200, body: completionReply(JSON.parse(req.body.toString('utf8')) as CompletionRequest), ascii: true };
      } catch (e) {
        res = { status: 400, body: JSON.stringify({ object: 'error', message: String(e), type: 'BadRequestError', param: null, code: 400 }) };
      }
      last = Date.now(); // the response is written as soon as this returns
      return res;
    }
    if (req.method === 'GET' && (req.target === '/bench/stats' || req.target === '/bench/stats?bodies=0')) {
      const used = process.cpuUsage(cpu);
      const withBodies = req.target === '/bench/stats';
      const stats: BenchStats = { count, first, last, arrivals, bodies: withBodies ? bodies.map((b) => b.toString('utf8')) : [], cpu: used };
      const out = JSON.stringify(stats);
      count = first = last = 0;
      bodies = [];
      arrivals = [];
      cpu = process.cpuUsage();
      return { status: 200, body: out };
    }
    // no other route (the harness may probe a few at start-up): vLLM's 404
    return { status: 404, body: NOT_FOUND };
  }, port);
  return { url: `http://127.0.0.1:${server.port}`, close: () => server.close() };
}

// As a child process: print the URL, serve until SIGTERM.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  startServer().then((s) => {
    process.stdout.write(`${s.url}\n`);
    process.on('SIGTERM', () => s.close().then(() => process.exit(0)));
  });
}
