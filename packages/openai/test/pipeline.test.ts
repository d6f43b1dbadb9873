/**
 * Tokenisation overlapped with sending (completions.ts, chunk-feed.ts): with one prompt per
 * request the window sends the first requests while later chunks are still being encoded, with
 * the same numbers as the Collator-ordered path; generation contexts are encoded in batch order
 * the same way. The tokenizer's encodeMany is held after its first call until the first answer
 * has come back from the 127.0.0.1 test server, so the order of events is fixed, not timed. The
 * server answers from cheap deterministic log-prob rows instead of running the model (hundreds of
 * requests per test): the numbers only have to agree between the two paths.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestTooLargeError } from '@lm-eval/core/models';
import type { LM, LoglikelihoodRequest } from '@lm-eval/core';
import { HuggingFaceTokenizer, type ApiTokenizer } from '../src/tokenizers.ts';
import { ChunkFeed, FeedError } from '../src/chunk-feed.ts';
import { startTestServer, type TestServer } from './server/server.ts';
import { StoriesModel } from './server/stories-model.ts';
import { runBackendBehaviour } from '@lm-eval/core/testing';
import { completionsArgs, makeLM, MODEL_DIR } from './helpers.ts';

let server: TestServer;
let tok: HuggingFaceTokenizer;
/** Log-prob rows that depend on every id so far (a different distribution per prefix), without the model. */
function cheapRows(ids: number[], V: number): Float64Array[] {
  const rows: Float64Array[] = [];
  let h = 17;
  for (let i = 0; i < ids.length; i++) {
    h = (Math.imul(h, 31) + ids[i] + 1) >>> 0;
    const favourite = h % V;
    const row = new Float64Array(V).fill(Math.log(0.5 / (V - 1)));
    row[favourite] = Math.log(0.5);
    rows.push(row);
  }
  return rows;
}

beforeAll(async () => {
  const model = await StoriesModel.load(MODEL_DIR);
  model.logprobRows = async (ids: number[]) => cheapRows(ids, model.vocabSize);
  server = await startTestServer({ model });
  tok = await HuggingFaceTokenizer.load(MODEL_DIR);
});
afterAll(async () => {
  await server?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const NAMES = ['Lily', 'Tom', 'Sam', 'Mia', 'Ben'];
const THINGS = [' ball', ' cat', ' dog', ' tree'];

/** Requests per tokenizer call in these tests (the default is 256). */
const CHUNK = 16;
const lmOf = (extra: Record<string, unknown> = {}) => makeLM('local-completions', completionsArgs(server.url, { num_concurrent: 4, ...extra }), {}, { encodeChunk: CHUNK });

/** 20 questions × 4 choices: 80 requests, five chunks of encoding. */
function mcRequests(): LoglikelihoodRequest[] {
  const out: LoglikelihoodRequest[] = [];
  for (let q = 0; q < 20; q++) {
    const context = `${NAMES[q % 5]} went to the park ${q} times. Then ${NAMES[(q + 2) % 5]} saw a`;
    for (const continuation of THINGS) out.push({ context, continuation });
  }
  return out;
}

/**
 * Holds every encodeMany call after the first until release(); counts calls and finished ones.
 * The LM's tokenizer is this process-wide instance (HuggingFaceTokenizer.load caches per folder).
 */
function holdEncoding(t: ApiTokenizer) {
  const original = t.encodeMany.bind(t);
  const held: Array<() => void> = [];
  let open = false;
  const state = { calls: 0, finished: 0 };
  vi.spyOn(t, 'encodeMany').mockImplementation(async (texts, add) => {
    state.calls += 1;
    if (state.calls > 1 && !open) await new Promise<void>((resolve) => held.push(resolve));
    const ids = await original(texts, add);
    state.finished += 1;
    return ids;
  });
  return {
    state,
    release() {
      open = true;
      for (const r of held.splice(0)) r();
    },
  };
}

/** Runs `call` with encoding held; at the first answer records how many encodeMany calls had finished, then releases them. */
async function firstAnswerDuringEncoding<T>(call: (onResult: () => void) => Promise<T>): Promise<{ result: T; finishedAtFirstAnswer: number; calls: number }> {
  const gate = holdEncoding(tok);
  let finishedAtFirstAnswer = -1;
  const result = await call(() => {
    if (finishedAtFirstAnswer >= 0) return;
    finishedAtFirstAnswer = gate.state.finished;
    gate.release();
  });
  return { result, finishedAtFirstAnswer, calls: gate.state.calls };
}

async function preflighted(type: 'loglikelihood' | 'loglikelihood_rolling', sample: unknown[], extra: Record<string, unknown> = {}) {
  const lm = await lmOf(extra);
  const problem = await lm.preflight!({ type, task: 't', sample } as Parameters<NonNullable<LM['preflight']>>[0]);
  expect(problem).toBeNull();
  return lm;
}

describe('tokenisation overlapped with sending (batch_size 1)', () => {
  it('loglikelihood: the first request is answered before the last chunk is encoded; the numbers are the Collator path\'s, the probe answer is reused', async () => {
    const requests = mcRequests();
    // reference: no preflight, so the route is probed first and every request is encoded and sorted before sending
    const reference = await lmOf();
    const want = await reference.loglikelihood(requests);
    await reference.close();

    const lm = await preflighted('loglikelihood', [requests[0]]);
    server.resetStats();
    const got = await firstAnswerDuringEncoding((onResult) => lm.loglikelihood(requests, { onResult }));
    expect(got.calls).toBeGreaterThanOrEqual(3);
    expect(got.finishedAtFirstAnswer).toBe(1);
    expect(got.result).toEqual(want);
    // the preflight's probe of request 0 is its answer: one request fewer
    expect(server.stats.scoringRequests).toBe(requests.length - 1);
    await lm.close();
  });

  it('loglikelihood_rolling: windows are sent as their texts are encoded, summed per text as before', async () => {
    const texts = mcRequests().map((r, i) => ({ text: `${r.context}${r.continuation}. ${'The end. '.repeat(i % 7)}` }));
    const reference = await lmOf({ max_length: 24 });
    const want = await reference.loglikelihoodRolling(texts);
    await reference.close();

    const lm = await preflighted('loglikelihood_rolling', [texts[0]], { max_length: 24 });
    const got = await firstAnswerDuringEncoding((onResult) => lm.loglikelihoodRolling(texts, { onResult }));
    expect(got.calls).toBeGreaterThanOrEqual(3);
    expect(got.finishedAtFirstAnswer).toBe(1);
    expect(got.result).toEqual(want);
    await lm.close();
  });

  it('a request that cannot fit max_length is refused with its index before any request of its chunk is sent', async () => {
    const requests = mcRequests();
    const last = requests.length - 1;
    requests[last] = { context: 'Once', continuation: ' and then the little girl went home to her mother and they had tea'.repeat(2) };
    const lm = await preflighted('loglikelihood', [requests[0]], { max_length: 30 });
    server.resetStats();
    const err = await lm.loglikelihood(requests).catch((e) => e);
    expect(err).toBeInstanceOf(RequestTooLargeError);
    expect(err.index).toBe(last);
    // the last chunk (requests 64..79) never reached the server
    expect(server.stats.scoringRequests).toBeLessThanOrEqual(64);
    await lm.close();
  });
});

describe('the LM contract with requests fed as they are encoded', () => {
  it('ordering, onResult once, abort and close hold with batch_size 1 and chunks of 2', async () => {
    const factory = () => makeLM('local-completions', completionsArgs(server.url, { num_concurrent: 3 }), {}, { encodeChunk: 2 });
    const report = await runBackendBehaviour(factory, { parts: ['ordering', 'on-result', 'abort', 'close'], releaseGuardMs: 15_000 });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
  });
});

describe('generate_until: contexts encoded in batch order, overlapped with sending', () => {
  for (const batchSize of [1, 2]) {
    it(`batch_size ${batchSize}: the first generation returns before the last chunk is encoded; same texts`, async () => {
      const requests = mcRequests().map((r) => ({ context: r.context + r.continuation, genKwargs: { until: ['.'], max_gen_toks: 2 } }));
      const lm = await lmOf({ batch_size: batchSize });
      const want = await lm.generateUntil(requests);
      const got = await firstAnswerDuringEncoding((onResult) => lm.generateUntil(requests, { onResult }));
      expect(got.calls).toBeGreaterThanOrEqual(3);
      expect(got.finishedAtFirstAnswer).toBe(1);
      expect(got.result).toEqual(want);
      await lm.close();
    });
  }
});

describe('ChunkFeed', () => {
  /** A producer whose calls resolve when the test says so. */
  function manualProducer() {
    const calls: Array<{ from: number; to: number; resolve: (v: number[]) => void; reject: (e: unknown) => void }> = [];
    const produce = (from: number, to: number) => new Promise<number[]>((resolve, reject) => calls.push({ from, to, resolve, reject }));
    const finish = (k: number, perSource = 1) => {
      const c = calls[k];
      const out: number[] = [];
      for (let s = c.from; s < c.to; s++) for (let j = 0; j < perSource; j++) out.push(s * 10 + j);
      c.resolve(out);
    };
    return { calls, produce, finish };
  }
  const settle = () => new Promise((r) => setImmediate(r));

  it('produces chunks in order, at most `ahead` items beyond the furthest taken, and hands each item out once', async () => {
    const p = manualProducer();
    const feed = new ChunkFeed(10, p.produce, { chunk: 3, ahead: 2, oneEach: true });
    expect(feed.total).toBe(10);
    expect(p.calls.map((c) => [c.from, c.to])).toEqual([[0, 3]]);
    const first = feed.take(0);
    p.finish(0);
    expect(await first).toBe(0);
    await settle();
    // 3 produced, item 0 taken: 2 wait beyond it, so production pauses
    expect(p.calls.length).toBe(1);
    expect(await feed.take(1)).toBe(10);
    await settle();
    expect(p.calls.map((c) => [c.from, c.to])).toEqual([[0, 3], [3, 6]]);
    const later = feed.take(4);
    p.finish(1);
    expect(await later).toBe(40);
    feed.stop();
    expect(await feed.take(2)).toBeUndefined();
  });

  it('an unknown count becomes known once every source is produced; takes past it get undefined', async () => {
    const p = manualProducer();
    const feed = new ChunkFeed(2, p.produce, { chunk: 1, ahead: 100 });
    expect(feed.total).toBe(Infinity);
    const past = feed.take(5);
    p.finish(0, 3);
    await settle();
    p.finish(1, 2);
    expect(await past).toBeUndefined();
    expect(feed.total).toBe(5);
    expect(await feed.take(3)).toBe(10);
  });

  it("a producer's failure rejects waiting and later takes with a FeedError carrying it", async () => {
    const p = manualProducer();
    const feed = new ChunkFeed(4, p.produce, { chunk: 2, ahead: 10, oneEach: true });
    const waiting = feed.take(3);
    p.finish(0);
    await settle();
    const boom = new Error('boom');
    p.calls[1].reject(boom);
    const e = await waiting.catch((x) => x);
    expect(e).toBeInstanceOf(FeedError);
    expect(e.cause).toBe(boom);
    await expect(feed.take(0)).rejects.toBeInstanceOf(FeedError);
  });
});
