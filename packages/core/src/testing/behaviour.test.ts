import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CachingLM } from '../cache/response-cache.ts';
import { runBackendBehaviour, type BehaviourPart } from './behaviour.ts';
import { DummyLM } from '../model/dummy.ts';
import { LmEvalError } from '../errors.ts';
import type { GenerateRequest, LM, LoglikelihoodRequest, LoglikelihoodResult, RequestHooks, RollingRequest } from '../model/types.ts';

type Flaw = 'reverses' | 'double-on-result' | 'ignores-abort' | 'late-results' | 'close-twice-throws' | 'leaks-timer' | 'answers-after-close' | 'random-identity' | 'mutates-requests' | 'checks-abort-between-batches-only';

function h(s: string): number {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619) >>> 0;
  return x;
}

/**
 * A backend that behaves like the real ones (sorts requests longest first, answers in batches of 2
 * on later event-loop turns, holds a timer while open) — or breaks one rule of the contract.
 */
class ReferenceLM implements LM {
  readonly name = 'reference';
  private closed = false;
  private timer: NodeJS.Timeout | undefined = setInterval(() => undefined, 60_000);
  constructor(
    private readonly flaw?: Flaw,
    private readonly salt = 'a',
  ) {}

  cacheIdentity(): Record<string, unknown> {
    return { model: `ref-${this.salt}`, ...(this.flaw === 'random-identity' ? { started: Math.random() } : {}) };
  }

  private async run<R, V>(requests: R[], text: (r: R) => string, answer: (r: R) => V, hooks: RequestHooks = {}): Promise<V[]> {
    if (this.closed && this.flaw !== 'answers-after-close') throw new LmEvalError('reference: the model is closed');
    const signal = this.flaw === 'ignores-abort' || this.flaw === 'late-results' ? undefined : hooks.signal;
    signal?.throwIfAborted();
    const order = requests.map((_, i) => i).sort((a, b) => text(requests[b]).length - text(requests[a]).length || a - b);
    const out = new Array<V>(requests.length);
    for (let s = 0; s < order.length; s += 2) {
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      for (const i of order.slice(s, s + 2)) {
        out[i] = answer(requests[i]);
        hooks.onResult?.(i, out[i]);
        if (this.flaw === 'double-on-result') hooks.onResult?.(i, out[i]);
      }
    }
    if (this.flaw === 'late-results' && hooks.signal?.aborted) {
      setImmediate(() => hooks.onResult?.(0, out[0]));
      throw hooks.signal.reason;
    }
    if (this.flaw !== 'checks-abort-between-batches-only') signal?.throwIfAborted();
    return this.flaw === 'reverses' ? out.reverse() : out;
  }

  loglikelihood(requests: LoglikelihoodRequest[], hooks?: RequestHooks): Promise<LoglikelihoodResult[]> {
    const text = (r: LoglikelihoodRequest) => `${String(r.context)}|${r.continuation}`;
    return this.run(requests, text, (r) => [-(h(this.salt + text(r)) % 1000) / 100, h(text(r)) % 2 === 0] as LoglikelihoodResult, hooks);
  }

  loglikelihoodRolling(requests: RollingRequest[], hooks?: RequestHooks): Promise<number[]> {
    return this.run(requests, (r) => r.text, (r) => -(h(this.salt + r.text) % 1000) / 10, hooks);
  }

  generateUntil(requests: GenerateRequest[], hooks?: RequestHooks): Promise<string[]> {
    if (this.flaw === 'mutates-requests') for (const r of requests) delete r.genKwargs.do_sample;
    return this.run(requests, (r) => String(r.context), (r) => `${this.salt}:${String(r.context).slice(-5)}:${String(r.genKwargs.max_gen_toks)}`, hooks);
  }

  async close(): Promise<void> {
    if (this.closed && this.flaw === 'close-twice-throws') throw new Error('already closed');
    this.closed = true;
    if (this.flaw !== 'leaks-timer') clearInterval(this.timer);
    this.timer = undefined;
  }
}

const other = () => new ReferenceLM(undefined, 'b');

describe('runBackendBehaviour', () => {
  it('passes a backend that keeps the contract', async () => {
    const report = await runBackendBehaviour(() => new ReferenceLM(), { otherIdentity: other });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(report.checks).toBeGreaterThan(200);
  });

  it('passes the response cache wrapped around such a backend (answers from the cache included)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-behaviour-test-'));
    try {
      const prefix = path.join(dir, 'shared');
      const report = await runBackendBehaviour(() => CachingLM.open(new ReferenceLM(), prefix), { parts: ['ordering', 'on-result', 'abort', 'close'] });
      expect(report.failures).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('passes the dummy backend (which has no close())', async () => {
    const report = await runBackendBehaviour(() => new DummyLM());
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual(['close: the backend has no close()', 'cache: no otherIdentity given (another model must miss)']);
  });

  const cases: Array<[Flaw, BehaviourPart, RegExp]> = [
    ['reverses', 'ordering', /loglikelihood: answer 0 of the batch is .*, the request alone gives/],
    ['mutates-requests', 'ordering', /generate_until: the backend modified the request objects/],
    ['double-on-result', 'on-result', /onResult fired more than once for request 0 \(×2\)/],
    ['ignores-abort', 'abort', /with an already-aborted signal, the call resolved instead of rejecting/],
    ['late-results', 'abort', /hook calls came after the aborted calls had settled/],
    ['checks-abort-between-batches-only', 'abort', /with a signal aborted at the last onResult, the call resolved/],
    ['close-twice-throws', 'close', /close: a second close\(\) failed: Error: already closed/],
    ['answers-after-close', 'close', /call after close\(\) answered instead of failing/],
    ['leaks-timer', 'close', /still active after close\(\): Timeout ×1/],
    ['random-identity', 'cache', /the rerun sent 28 of 28 requests/],
  ];
  for (const [flaw, part, failure] of cases) {
    it(`reports a backend that breaks it (${flaw})`, async () => {
      const report = await runBackendBehaviour(() => new ReferenceLM(flaw), { parts: [part], otherIdentity: other, hangGuardMs: 2_000 });
      expect(report.failures.join('\n')).toMatch(failure);
    });
  }

  it('reports another model that reads the first one’s answers', async () => {
    const report = await runBackendBehaviour(() => new ReferenceLM(), { parts: ['cache'], otherIdentity: () => new ReferenceLM() });
    expect(report.failures).toContain('cache: the other model has the same identity {"lm": "reference", "identity": {"model": "ref-a"}}');
  });
});
