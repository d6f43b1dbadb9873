/** Pure pieces: rolling windows, pair encoding rules, error envelopes, backoff, reasoning, the window. */
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF, parseErrorBody, retryAfterMs } from '../src/http.ts';
import { rollingWindows, truncateForScoring, longestFirst } from '../src/token-requests.ts';
import { emptyReasoningStats, splitReasoning } from '../src/reasoning.ts';
import { AdaptiveLimit, runWindow } from '../src/window.ts';
import { scoreEchoChoice } from '../src/scoring.ts';
import { handleStopSequences, splitGenKwargs } from '../src/api-backend.ts';
import { parseFaults, faultApplies } from './server/faults.ts';

describe('rolling windows', () => {
  it('get_rolling_token_windows example t=0..9, L=4, prefix P', () => {
    const P = -1;
    expect(rollingWindows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], P, 4)).toEqual([
      { context: [P], continuation: [0, 1, 2, 3] },
      { context: [3], continuation: [4, 5, 6, 7] },
      { context: [5, 6, 7], continuation: [8, 9] },
    ]);
    expect(rollingWindows([], P, 4)).toEqual([]);
    expect(rollingWindows([7], P, 4)).toEqual([{ context: [P], continuation: [7] }]);
  });
  it('golden story: 619 tokens, L=512 → windows of 512 and 107 tokens, second with 406 context tokens', () => {
    const t = Array.from({ length: 619 }, (_, i) => i + 10);
    const w = rollingWindows(t, 1, 512);
    expect(w.map((x) => x.continuation.length)).toEqual([512, 107]);
    expect(w[1].context.length).toBe(406);
    expect(w[1].context.concat(w[1].continuation)).toEqual(t.slice(106, 619));
  });
});

describe('truncation and order', () => {
  it('left-truncates with ctxlen', () => {
    expect(truncateForScoring({ context: [1, 2, 3, 4], continuation: [5, 6] }, 4)).toEqual({ input: [3, 4, 5, 6], ctxlen: 2, truncated: true });
    expect(truncateForScoring({ context: [1], continuation: [5] }, 4)).toEqual({ input: [1, 5], ctxlen: 1, truncated: false });
  });
  it('sorts by (−len, tokens)', () => {
    expect(longestFirst([{ context: [2], continuation: [1] }, { context: [1, 1], continuation: [1] }, { context: [1], continuation: [1] }])).toEqual([1, 2, 0]);
  });
});

describe('echo scoring', () => {
  it('worked example of LocalCompletionsAPI.parse_logprobs: ctxlen 2 → −4.5, not greedy', () => {
    const choice = {
      logprobs: {
        token_logprobs: [null, -7.25, -4.5, -1.0],
        top_logprobs: [null, { ' cat': -7.25, ' first': -2.5 }, { ' sat': -4.5, ' was': -1.75 }, { ' on': -1.0 }],
      },
    };
    expect(scoreEchoChoice(choice, 3, 2, 'x')).toEqual([-4.5, false]);
    expect(() => scoreEchoChoice(choice, 4, 2, 'x')).toThrow(/echoed 4 token log-probs for a prompt of 4 tokens/);
  });
});

describe('gen_kwargs', () => {
  it('handle_stop_sequences', () => {
    expect(handleStopSequences(undefined, '</s>')).toEqual(['</s>']);
    expect(handleStopSequences('\n', '</s>')).toEqual(['\n', '</s>']);
    expect(handleStopSequences(['</s>'], '</s>')).toEqual(['</s>']);
    expect(handleStopSequences(['a'], null)).toEqual(['a']);
  });
  it('pops like _create_payload', () => {
    expect(splitGenKwargs({ until: ['x'], do_sample: false, temperature: 0.5, max_gen_toks: 7, top_p: 0.9 }, 256)).toEqual({ maxTokens: 7, temperature: 0.5, until: ['x'], rest: { top_p: 0.9 } });
    expect(splitGenKwargs({}, 256)).toEqual({ maxTokens: 256, temperature: 0, until: undefined, rest: {} });
  });
});

describe('error envelopes', () => {
  it('nested, flat, bare string, plain text', () => {
    expect(parseErrorBody('{"error":{"message":"m","type":"BadRequestError","param":"input_tokens","code":400}}')).toEqual({ message: 'm', type: 'BadRequestError', param: 'input_tokens', code: 400 });
    expect(parseErrorBody('{"object":"error","message":"m2","type":"NotFoundError","param":null,"code":404}')).toEqual({ message: 'm2', type: 'NotFoundError', param: null, code: 404 });
    expect(parseErrorBody('{"error":"Unauthorized"}').message).toBe('Unauthorized');
    expect(parseErrorBody('{"error":{"message":"q","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}').code).toBe('insufficient_quota');
    expect(parseErrorBody('Bad Gateway').message).toBe('Bad Gateway');
  });
});

describe('backoff', () => {
  it('honours Retry-After (seconds, ms, HTTP date) up to 60 s', () => {
    expect(retryAfterMs({ 'retry-after': '2' })).toBe(2000);
    expect(retryAfterMs({ 'retry-after-ms': '150', 'retry-after': '2' })).toBe(150);
    expect(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 7_000)).toBe(3000);
    expect(backoffDelayMs(1, DEFAULT_BACKOFF, 2000)).toBe(2000);
    expect(backoffDelayMs(1, DEFAULT_BACKOFF, 120_000, () => 0)).toBe(1000);
  });
  it('exponential 0.5·2^(n−1) s clamped to [1, 10] s with jitter in (0.75, 1]', () => {
    expect(backoffDelayMs(1, DEFAULT_BACKOFF, null, () => 0)).toBe(1000);
    expect(backoffDelayMs(3, DEFAULT_BACKOFF, null, () => 0)).toBe(2000);
    expect(backoffDelayMs(9, DEFAULT_BACKOFF, null, () => 0)).toBe(10_000);
    expect(backoffDelayMs(3, DEFAULT_BACKOFF, null, () => 0.999)).toBeGreaterThan(1500);
  });
});

describe('reasoning', () => {
  it('strips think blocks, a lone close tag, unterminated thoughts, think_end_token', () => {
    const st = emptyReasoningStats();
    expect(splitReasoning({ content: '<think>abc</think>\n\nAnswer' }, null, st).answer).toBe('Answer');
    expect(splitReasoning({ content: 'hidden</think> B' }, null, st).answer).toBe('B');
    expect(splitReasoning({ content: 'A <think>never closed' }, null, st).answer).toBe('A ');
    expect(splitReasoning({ content: 'x [END] y', reasoning_content: 'r' }, '[END]', st).answer).toBe('y');
    expect(splitReasoning({ content: 'plain' }, null, st).answer).toBe('plain');
    expect(splitReasoning({ content: null }, null, st).answer).toBe(null);
    expect(st).toEqual({ responses: 6, with_reasoning: 4, from_field: 1, from_tags: 4, unterminated: 1, reasoning_chars: 3 + 6 + 12 + 1 + 2 });
  });
});

describe('sliding window', () => {
  it('starts the next job as soon as one finishes (no lock-step batches)', async () => {
    // Job 0 only finishes once job 5 has started: a lock-step window of 2 would never get there.
    let release!: () => void;
    const job5Started = new Promise<void>((r) => (release = r));
    let maxActive = 0;
    let active = 0;
    await runWindow(6, async (i) => {
      active++;
      maxActive = Math.max(maxActive, active);
      if (i === 5) release();
      if (i === 0) await job5Started;
      else await new Promise((r) => setTimeout(r, 1));
      active--;
    }, { limit: new AdaptiveLimit(2) });
    expect(maxActive).toBe(2);
  });
  it('halves on rate limiting and recovers', () => {
    const l = new AdaptiveLimit(8);
    l.rateLimited();
    l.rateLimited();
    expect(l.value).toBe(2);
    for (let i = 0; i < 2 + 3 + 4 + 5 + 6 + 7; i++) l.succeeded();
    expect(l.value).toBe(8);
    expect(l.lowest).toBe(2);
  });
  it('stops starting jobs after a failure and rejects with it', async () => {
    const ran: number[] = [];
    const p = runWindow(10, async (i) => {
      ran.push(i);
      if (i === 2) throw new Error('boom');
      await new Promise((r) => setTimeout(r, 5));
    }, { limit: new AdaptiveLimit(2) });
    await expect(p).rejects.toThrow('boom');
    expect(ran).toEqual([0, 1, 2]);
  });
});

describe('test-server fault specs', () => {
  it('parses and selects', () => {
    const [a, b] = parseFaults('429:first=2:retry_after=1,500:every=3');
    expect(a).toEqual({ kind: '429', first: 2, retryAfter: 1 });
    expect([1, 2, 3].map((n) => faultApplies(a, n, Math.random))).toEqual([true, true, false]);
    expect([1, 2, 3, 6].map((n) => faultApplies(b, n, Math.random))).toEqual([false, false, true, true]);
    expect(() => parseFaults('teapot')).toThrow(/unknown fault kind/);
  });
});
