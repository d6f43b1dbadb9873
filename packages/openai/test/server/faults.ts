/**
 * Fault injection for the test server. A fault spec is a comma-separated list of faults, each
 * `kind[:key=value]...`:
 *
 *   kinds     429 | 500 | 503 | slow | hang | drop | malformed | quota
 *   selection first=N (the first N scoring requests), every=N (requests N, 2N, ...),
 *             after=N (every request after the N-th), rate=P (seeded, probability P),
 *             nth=K (only request K); none given = always
 *   params    retry_after=S (429/503: Retry-After seconds), ms=N (slow: delay; hang: default 1h),
 *             no_retry (500: `x-should-retry: false`)
 *
 * Example: `429:first=2:retry_after=0,slow:ms=20` — the first two scoring requests get a 429 with
 * `Retry-After: 0`; every request is delayed 20 ms. Faults apply to POST /v1/completions and
 * /v1/chat/completions only (the scoring endpoints); request numbers count those from 1.
 */

export type FaultKind = '429' | '500' | '503' | 'slow' | 'hang' | 'drop' | 'malformed' | 'quota';

export interface Fault {
  kind: FaultKind;
  first?: number;
  every?: number;
  rate?: number;
  nth?: number;
  after?: number;
  retryAfter?: number;
  ms?: number;
  noRetry?: boolean;
}

const KINDS: FaultKind[] = ['429', '500', '503', 'slow', 'hang', 'drop', 'malformed', 'quota'];

export function parseFaults(spec: string | undefined | null): Fault[] {
  if (!spec) return [];
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const [kind, ...params] = part.split(':');
      if (!KINDS.includes(kind as FaultKind)) {
        throw new Error(`unknown fault kind '${kind}' (known: ${KINDS.join(', ')})`);
      }
      const f: Fault = { kind: kind as FaultKind };
      for (const p of params) {
        const [k, v] = p.split('=');
        const num = Number(v);
        switch (k) {
          case 'first': f.first = num; break;
          case 'every': f.every = num; break;
          case 'rate': f.rate = num; break;
          case 'nth': f.nth = num; break;
          case 'after': f.after = num; break;
          case 'retry_after': f.retryAfter = num; break;
          case 'ms': f.ms = num; break;
          case 'no_retry': f.noRetry = true; break;
          default: throw new Error(`unknown fault parameter '${k}' in '${part}'`);
        }
      }
      return f;
    });
}

/** Deterministic PRNG (mulberry32) for `rate=` selection. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function faultApplies(f: Fault, requestNumber: number, rand: () => number): boolean {
  if (f.first !== undefined) return requestNumber <= f.first;
  if (f.every !== undefined) return f.every > 0 && requestNumber % f.every === 0;
  if (f.nth !== undefined) return requestNumber === f.nth;
  if (f.after !== undefined) return requestNumber > f.after;
  if (f.rate !== undefined) return rand() < f.rate;
  return true;
}
