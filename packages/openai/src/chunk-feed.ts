/**
 * Work produced chunk by chunk ahead of the sliding window that consumes it (tokenisation
 * overlapped with sending): the window's k-th job takes item k and waits only while that item's
 * chunk is not ready, so the first requests go out while later chunks are still being encoded.
 *
 * Chunks are produced one at a time, in order, and a new one starts only while fewer than `ahead`
 * items wait beyond the furthest item asked for, so what is held ahead of the window stays bounded;
 * an item is released once taken. A chunk that fails fails every item not yet taken (with a
 * {@link FeedError} around the producer's error); `stop()` ends production and answers every
 * waiting take with `undefined`.
 */

/** A take's rejection when producing failed; `cause` is the producer's error. */
export class FeedError extends Error {
  constructor(cause: unknown) {
    super('producing the work failed', { cause });
    this.name = 'FeedError';
  }
}

export interface ChunkFeedOptions {
  /** sources per produce call */
  chunk: number;
  /** items produced at most beyond the furthest item asked for before production pauses */
  ahead: number;
  /** each source gives exactly one item (the total is then known from the start) */
  oneEach?: boolean;
}

interface Waiter<T> {
  resolve(v: T | undefined): void;
  reject(e: unknown): void;
}

export class ChunkFeed<T> {
  private readonly items: Array<T | undefined> = [];
  /** items produced so far */
  private produced = 0;
  /** the next source to produce */
  private nextSource = 0;
  /** the furthest item asked for */
  private wanted = -1;
  private busy = false;
  private stopped = false;
  private failure: { error: unknown } | null = null;
  private readonly waiters = new Map<number, Waiter<T>>();
  private known: number;

  /** `produce(from, to)`: the items of sources [from, to), in order (any number per source unless `oneEach`). */
  constructor(
    private readonly sources: number,
    private readonly produce: (from: number, to: number) => Promise<T[]>,
    private readonly options: ChunkFeedOptions,
  ) {
    this.known = options.oneEach ? sources : Infinity;
    if (sources === 0) this.known = 0;
    this.pump();
  }

  /** The number of items: Infinity until every source is produced (unless one each). */
  get total(): number {
    return this.known;
  }

  /** Item k (each taken once), or undefined once the feed has stopped or k is past the end. */
  take(k: number): Promise<T | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    if (this.failure) return Promise.reject(this.failure.error);
    if (k > this.wanted) {
      this.wanted = k;
      this.pump();
    }
    if (k < this.produced) {
      const v = this.items[k];
      this.items[k] = undefined;
      return Promise.resolve(v);
    }
    if (k >= this.known) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve, reject) => this.waiters.set(k, { resolve, reject }));
  }

  /** Ends production; waiting and later takes get undefined, held items are dropped. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.items.length = 0;
    for (const w of this.waiters.values()) w.resolve(undefined);
    this.waiters.clear();
  }

  private pump(): void {
    if (this.busy || this.stopped || this.failure || this.nextSource >= this.sources) return;
    if (this.produced > this.wanted + this.options.ahead) return;
    this.busy = true;
    const from = this.nextSource;
    const to = Math.min(this.sources, from + this.options.chunk);
    this.nextSource = to;
    this.produce(from, to).then(
      (got) => this.add(got),
      (e) => this.fail(e),
    );
  }

  private add(got: T[]): void {
    this.busy = false;
    if (this.stopped) return;
    const start = this.produced;
    for (let k = 0; k < got.length; k++) this.items.push(got[k]);
    this.produced += got.length;
    if (this.nextSource >= this.sources) this.known = this.produced;
    for (const [k, w] of this.waiters) {
      if (k < start) continue;
      if (k < this.produced) {
        const v = this.items[k];
        this.items[k] = undefined;
        this.waiters.delete(k);
        w.resolve(v);
      } else if (k >= this.known) {
        this.waiters.delete(k);
        w.resolve(undefined);
      }
    }
    this.pump();
  }

  private fail(cause: unknown): void {
    this.busy = false;
    if (this.stopped) return;
    const error = new FeedError(cause);
    this.failure = { error };
    this.items.length = 0;
    for (const w of this.waiters.values()) w.reject(error);
    this.waiters.clear();
  }
}
