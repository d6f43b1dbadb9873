/**
 * Robustness against the test server's fault modes: every transient fault completes with the
 * right numbers, permanent ones stop the run cleanly with the reason, and answers delivered before
 * a stop stay delivered.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LmEvalError } from '@lm-eval/core';
import { startTestServer, type TestServer } from './server/server.ts';
import { completionsArgs, goldenPairs, makeLM, MODEL_DIR } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ model: MODEL_DIR });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  server.setFaults('');
  server.resetStats();
});

const golden = goldenPairs();
const requests = golden.map((g) => ({ context: g.context, continuation: g.continuation }));

function expectGolden(res: Array<[number, boolean]>) {
  res.forEach(([lp, greedy], i) => {
    expect(Math.abs(lp - golden[i].logprob)).toBeLessThan(1e-3);
    expect(greedy).toBe(golden[i].is_greedy);
  });
}

describe('transient faults complete', () => {
  const cases: Array<[string, string, Record<string, unknown>, boolean]> = [
    ['429 with Retry-After', '429:first=2:retry_after=0', { num_concurrent: 4 }, true],
    ['500 every fifth request', '500:every=5', { num_concurrent: 2 }, true],
    ['503', '503:first=2', {}, true],
    ['slow responses', 'slow:ms=30', { num_concurrent: 4 }, false],
    ['dropped connections', 'drop:first=2', { num_concurrent: 2 }, true],
    ['malformed JSON', 'malformed:first=2', {}, true],
    ['hang past the timeout', 'hang:first=1:ms=5000', { timeout: 0.3 }, true],
  ];
  for (const [name, spec, extra, retries] of cases) {
    it(name, async () => {
      server.setFaults(spec);
      const lm = await makeLM('local-completions', completionsArgs(server.url, extra));
      const res = await lm.loglikelihood(requests);
      expectGolden(res);
      const info = lm.resultsInfo().api_requests as { retries: number };
      if (retries) expect(info.retries).toBeGreaterThan(0);
      expect(Object.values(server.stats.faultsInjected).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      await lm.close();
    });
  }

  it('repeated 429s lower the concurrency window, which recovers', async () => {
    const lm = await makeLM('local-completions', completionsArgs(server.url, { num_concurrent: 8, max_retries: 5 }));
    await lm.loglikelihood(requests.slice(0, 1)); // preflight outside the faults
    server.setFaults('429:first=6:retry_after=0,slow:ms=5');
    const many = Array.from({ length: 4 }, () => requests).flat();
    expectGolden((await lm.loglikelihood(many)).slice(0, 12));
    let stats = lm.resultsInfo().api_requests as { rate_limited: number; lowest_concurrency: number; concurrency: number };
    expect(stats.rate_limited).toBe(6);
    expect(stats.lowest_concurrency).toBeLessThanOrEqual(2);
    server.setFaults('');
    await lm.loglikelihood(many);
    stats = lm.resultsInfo().api_requests as typeof stats;
    expect(stats.concurrency).toBe(8);
    await lm.close();
  });
});

describe('permanent failures stop cleanly', () => {
  it('after max_retries the run stops with the reason; delivered answers stay delivered', async () => {
    // Preflight + 4 batches succeed, every later request fails.
    server.setFaults('500:after=5');
    const lm = await makeLM('local-completions', completionsArgs(server.url, { max_retries: 2 }));
    const delivered = new Map<number, unknown>();
    const err = await lm.loglikelihood(requests, { onResult: (i, v) => delivered.set(i, v) }).catch((e) => e);
    expect(err).toBeInstanceOf(LmEvalError);
    expect(String(err.message)).toMatch(/HTTP 500/);
    expect(String(err.message)).toMatch(/gave up after 2 attempts/);
    expect(delivered.size).toBe(5);
    for (const [i, v] of delivered) {
      const [lp, greedy] = v as [number, boolean];
      expect(Math.abs(lp - golden[i].logprob)).toBeLessThan(1e-3);
      expect(greedy).toBe(golden[i].is_greedy);
    }
    // 5 successes + 2 attempts of the failing request; nothing was started after the failure.
    expect(server.stats.scoringRequests).toBe(7);
    await lm.close();
  });

  it('x-should-retry: false is not retried', async () => {
    server.setFaults('500:after=1:no_retry');
    const lm = await makeLM('local-completions', completionsArgs(server.url, { max_retries: 5 }));
    await expect(lm.loglikelihood(requests)).rejects.toThrow(LmEvalError);
    expect(server.stats.scoringRequests).toBe(2);
    await lm.close();
  });

  it('insufficient_quota 429 is permanent', async () => {
    server.setFaults('quota:after=1');
    const lm = await makeLM('local-completions', completionsArgs(server.url, { max_retries: 5 }));
    await expect(lm.loglikelihood(requests)).rejects.toThrow(/quota/);
    expect(server.stats.scoringRequests).toBe(2);
    await lm.close();
  });

  it('an abort signal stops the run; results already delivered are kept', async () => {
    server.setFaults('slow:ms=50');
    const lm = await makeLM('local-completions', completionsArgs(server.url));
    const ac = new AbortController();
    const delivered: number[] = [];
    const p = lm.loglikelihood(requests, {
      signal: ac.signal,
      onResult: (i) => {
        delivered.push(i);
        if (delivered.length === 3) ac.abort(new Error('interrupted'));
      },
    });
    await expect(p).rejects.toThrow('interrupted');
    expect(delivered.length).toBe(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.stats.scoringRequests).toBeLessThanOrEqual(4);
    await lm.close();
  });

  it('context-length errors are explained', async () => {
    const small = await startTestServer({ model: server.model, maxModelLen: 16 });
    try {
      const lm = await makeLM('local-completions', completionsArgs(small.url, { max_length: 2048 }));
      const err = await lm.loglikelihood(requests).catch((e) => e);
      expect(err).toBeInstanceOf(LmEvalError);
      expect(err.message).toMatch(/context window/);
      expect(err.message).toMatch(/maximum context length is 16 tokens/);
      expect(err.hint).toMatch(/max_length/);
      await lm.close();
    } finally {
      await small.close();
    }
  });

  for (const envelope of ['flat', 'nested'] as const) {
    it(`${envelope} vLLM error envelope is read`, async () => {
      const s = await startTestServer({ model: server.model, errorEnvelope: envelope });
      try {
        const lm = await makeLM('local-completions', completionsArgs(s.url, { model: 'no-such-model' }));
        const err = await lm.loglikelihood(requests.slice(0, 2)).catch((e) => e);
        expect(err).toBeInstanceOf(LmEvalError);
        expect(err.message).toContain('The model `no-such-model` does not exist.');
        expect(err.hint).toMatch(/model=/);
        await lm.close();
      } finally {
        await s.close();
      }
    });
  }
});

describe('retries and silence are reported as they happen', () => {
  it('a retry is noted once (with the reason and the count), later retries within 10 s are counted into the next note', async () => {
    const { lmEvalEvents } = await import('@lm-eval/core');
    const notes: string[] = [];
    const stop = lmEvalEvents.subscribe((e) => {
      if (e.type === 'log' && e.source === 'openai' && /retrying after/.test(e.message)) notes.push(e.message);
    });
    try {
      server.setFaults('503:first=3');
      const lm = await makeLM('local-completions', completionsArgs(server.url, { num_concurrent: 1, max_retries: 5 }));
      expectGolden(await lm.loglikelihood(requests));
      await lm.close();
    } finally {
      stop();
    }
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^retrying after: .*HTTP 503.* — attempt 2 of 5 in [\d.]+ s; 1 retries so far$/);
  });
});
