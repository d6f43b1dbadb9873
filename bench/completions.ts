/**
 * Throughput of the local-completions backend against an instant stand-in server, compared with a
 * raw HTTP load generator (plain node:http, keep-alive agent) at the same concurrency, against the
 * same server, in the same run.
 *
 *   node --import tsx bench/completions.ts [--requests 20000] [--concurrency 1,16,64,256] [--reps 2]
 *
 * Workload: N distinct loglikelihood requests (context, continuation) tokenised with the
 * stories260K tokenizer, scored on the echo route (lm-eval's exact payload). The stand-in server
 * runs in a child process and answers every /v1/completions call with a precomputed echo reply of
 * the right length (no model work), so the numbers measure the client side: request building,
 * scheduling, HTTP, parsing and scoring. The raw generator sends the very same request bodies
 * (pre-serialised) and parses each reply; the harness ratio = harness req/s ÷ raw req/s.
 * One untimed first pass warms the code paths (and prints its time). Each timed harness pass
 * includes its own batch tokenisation: a run's encodings are not cached beyond the call (they
 * would make memory grow with the number of requests).
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { rawReplay } from './raw-client.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODEL_DIR = path.join(ROOT, 'models/stories260k');

// ---------------------------------------------------------------------------------------------
// Stand-in server (child process): precomputed echo replies keyed by prompt length.
// ---------------------------------------------------------------------------------------------

function echoChoice(index: number, P: number): Record<string, unknown> {
  const tokens: string[] = [];
  const tl: Array<number | null> = [];
  const top: Array<Record<string, number> | null> = [];
  const offsets: number[] = [];
  for (let i = 0; i <= P; i++) {
    tokens.push(` t${i}`);
    offsets.push(i * 3);
    tl.push(i === 0 ? null : -0.25 - (i % 7) * 0.125);
    top.push(i === 0 ? null : { [` t${i}`]: -0.25 - (i % 7) * 0.125, ' x': -0.5 });
  }
  return {
    index,
    text: tokens.join(''),
    logprobs: { text_offset: offsets, token_logprobs: tl, tokens, top_logprobs: top },
    finish_reason: 'length',
    stop_reason: null,
    prompt_logprobs: null,
  };
}

function serve(): void {
  const cache = new Map<number, Buffer>();
  const reply = (P: number): Buffer => {
    let b = cache.get(P);
    if (!b) {
      b = Buffer.from(
        JSON.stringify({ id: 'cmpl-bench', object: 'text_completion', created: 0, model: 'bench', choices: [echoChoice(0, P)], usage: { prompt_tokens: P, total_tokens: P + 1, completion_tokens: 1 } }),
      );
      cache.set(P, b);
    }
    return b;
  };
  for (let P = 1; P <= 128; P++) reply(P);
  const server = http.createServer((req, res) => {
    // only completions are served: the backend's start-up questions (/v1/models, /props,
    // /tokenizer_info) get the 404 a server without those routes gives
    if (req.method !== 'POST' || !req.url?.endsWith('/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"not found"}}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { prompt: number[][] };
      let out: Buffer;
      if (body.prompt.length === 1) out = reply(body.prompt[0].length);
      else out = Buffer.from(JSON.stringify({ id: 'cmpl-bench', object: 'text_completion', created: 0, model: 'bench', choices: body.prompt.map((p, i) => echoChoice(i, p.length)) }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length });
      res.end(out);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------
// Raw load generator
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const WORDS = ['Once', 'upon', 'a', 'time', 'there', 'was', 'little', 'girl', 'named', 'Lily', 'she', 'loved', 'to', 'play', 'with', 'her', 'ball', 'in', 'the', 'park', 'Tom', 'dog', 'big', 'red', 'happy', 'sad'];

function workload(n: number): Array<{ context: string; continuation: string }> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const len = 6 + (i % 17);
    const ctx: string[] = [];
    for (let k = 0; k < len; k++) ctx.push(WORDS[(i * 7 + k * 3 + (i >> 4)) % WORDS.length]);
    out.push({ context: `${ctx.join(' ')} ${i}`, continuation: ` ${WORDS[(i * 5) % WORDS.length]}` });
  }
  return out;
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve')) return serve();
  const N = Number(arg('requests', '20000'));
  const concurrencies = arg('concurrency', '1,16,64,256').split(',').map(Number);
  const reps = Number(arg('reps', '2'));

  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', (l) => resolve(l.trim())));
  const url = `${base}/v1/completions`;
  try {
    // The package's public entry (bench/ is outside the workspace packages, so no package-name link).
    const { createApiModel, HuggingFaceTokenizer } = await import('../packages/openai/src/index.ts');
    const { encodePair } = await import('../packages/openai/src/token-requests.ts');
    const requests = workload(N);
    const mk = (c: number) => createApiModel('local-completions', { base_url: url, model: 'bench', tokenizer_backend: 'huggingface', tokenizer: MODEL_DIR, num_concurrent: c, scoring: 'echo', add_bos_token: true });

    // Warm the code paths (JIT, tokenizer load) with one untimed pass.
    const warm = await mk(64);
    const tw = performance.now();
    await warm.loglikelihood(requests);
    const warmMs = performance.now() - tw;
    await warm.close();

    // The raw generator's bodies: exactly what the harness sends (lm-eval echo payload, same ids).
    const tok = await HuggingFaceTokenizer.load(MODEL_DIR);
    const bodies = await Promise.all(
      requests.map(async (r) => {
        const p = await encodePair(tok, r.context, r.continuation, true, 1);
        return JSON.stringify({ model: 'bench', prompt: [p.context.concat(p.continuation)], temperature: 0, max_tokens: 1, logprobs: 1, seed: 1234, echo: true });
      }),
    );

    // Warm the raw generator's code paths too (JIT), so neither side is measured cold.
    await rawReplay(url, bodies.slice(0, Math.min(5000, N)), 16);

    console.log(`workload: ${N} loglikelihood requests, echo route, batch_size 1; stand-in server in a child process`);
    console.log(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other processes skew the figures)`);
    console.log(`first (untimed) pass at c=64: ${(warmMs / 1000).toFixed(2)} s`);
    console.log('concurrency | raw req/s | harness req/s | ratio | client CPU µs/req raw / harness');
    const rows: Array<{ c: number; raw: number; harness: number; ratio: number }> = [];
    const cpuUs = (u: NodeJS.CpuUsage) => (u.user + u.system) / N;
    const timeRaw = async (c: number) => {
      const u0 = process.cpuUsage();
      const ms = await rawReplay(url, bodies, c);
      return { rps: (N / ms) * 1000, cpu: cpuUs(process.cpuUsage(u0)) };
    };
    const timeHarness = async (c: number) => {
      const lm = await mk(c);
      await lm.loglikelihood(requests.slice(0, 1)); // preflight outside the timing
      const u0 = process.cpuUsage();
      const t0 = performance.now();
      const res = await lm.loglikelihood(requests);
      const ms = performance.now() - t0;
      const cpu = cpuUs(process.cpuUsage(u0));
      if (res.length !== N || res.some((x) => typeof x[0] !== 'number')) throw new Error('harness returned incomplete results');
      await lm.close();
      return { rps: (N / ms) * 1000, cpu };
    };
    for (const c of concurrencies) {
      let bestRaw = 0;
      let bestHarness = 0;
      let cpuRaw = Infinity;
      let cpuHarness = Infinity;
      for (let r = 0; r < reps; r++) {
        // Alternate which side goes first, so neither always inherits the other's after-effects.
        const first = r % 2 === 0 ? await timeRaw(c) : await timeHarness(c);
        const second = r % 2 === 0 ? await timeHarness(c) : await timeRaw(c);
        const [raw, harness] = r % 2 === 0 ? [first, second] : [second, first];
        bestRaw = Math.max(bestRaw, raw.rps);
        bestHarness = Math.max(bestHarness, harness.rps);
        cpuRaw = Math.min(cpuRaw, raw.cpu);
        cpuHarness = Math.min(cpuHarness, harness.cpu);
      }
      const ratio = bestHarness / bestRaw;
      rows.push({ c, raw: bestRaw, harness: bestHarness, ratio });
      console.log(`${String(c).padStart(11)} | ${bestRaw.toFixed(0).padStart(9)} | ${bestHarness.toFixed(0).padStart(13)} | ${ratio.toFixed(2).padStart(5)} | ${cpuRaw.toFixed(1).padStart(6)} / ${cpuHarness.toFixed(1)}`);
    }
    const worst = Math.min(...rows.map((r) => r.ratio));
    console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`lowest ratio ${worst.toFixed(2)} (target ≥ 0.90): ${worst >= 0.9 ? 'met' : 'NOT met'}`);
  } finally {
    if (child.pid) process.kill(child.pid, 'SIGTERM');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
