/**
 * One sliding window of in-flight work: a new job starts the moment one finishes (no lock-step
 * batches). The window size adapts to rate limiting: every 429 halves it (≥1), and each run of
 * `limit` successive successes widens it by one, back up to the configured `num_concurrent`.
 *
 * On the first fatal job error no further job starts; jobs already running finish (their results are
 * delivered by the jobs themselves) and the run then rejects with that error. An abort signal
 * rejects at once with its reason.
 */

export class AdaptiveLimit {
  private current: number;
  private streak = 0;
  /** Lowest limit reached (for reports). */
  lowest: number;
  constructor(readonly max: number) {
    this.current = max;
    this.lowest = max;
  }
  get value(): number {
    return this.current;
  }
  rateLimited(): void {
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.lowest = Math.min(this.lowest, this.current);
    this.streak = 0;
  }
  succeeded(): void {
    if (this.current >= this.max) return;
    this.streak += 1;
    if (this.streak >= this.current) {
      this.current += 1;
      this.streak = 0;
    }
  }
}

export interface WindowOptions {
  limit: AdaptiveLimit;
  signal?: AbortSignal;
}

export interface WindowControl {
  /** False once the run is stopping (a job failed fatally or the signal fired). */
  readonly running: boolean;
}

/**
 * Runs `job(i)` for i in [0, count) with at most `limit.value` jobs in flight. `count` may be a
 * function: the count as known so far (Infinity while the work is still being produced; a job
 * started past the final count finds nothing to do and returns).
 */
export function runWindow(count: number | (() => number), job: (i: number, control: WindowControl) => Promise<void>, options: WindowOptions): Promise<void> {
  const { limit, signal } = options;
  const total = typeof count === 'number' ? () => count : count;
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let active = 0;
    let failure: { error: unknown } | null = null;
    let finished = false;
    const control = {
      get running() {
        return failure === null && !signal?.aborted;
      },
    };
    const done = () => {
      if (finished) return;
      if (failure && active === 0) {
        finished = true;
        signal?.removeEventListener('abort', onAbort);
        reject(failure.error);
      } else if (!failure && next >= total() && active === 0) {
        finished = true;
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
    };
    const onAbort = () => {
      if (finished) return;
      finished = true;
      reject(signal?.reason ?? new Error('aborted'));
    };
    // One pair of settle handlers for all jobs (no closures per job on the hot path).
    const onSettled = () => {
      active -= 1;
      limit.succeeded();
      pump();
      done();
    };
    const onFailed = (e: unknown) => {
      active -= 1;
      if (!failure) failure = { error: e };
      done();
    };
    const pump = () => {
      while (!failure && !finished && next < total() && active < limit.value) {
        const i = next++;
        active += 1;
        job(i, control).then(onSettled, onFailed);
      }
      done();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    pump();
  });
}
