/**
 * The response cache file (lm_eval/api/model.py `CachingLM`): an SQLite database laid out like Python
 * sqlitedict's — table `"unnamed"` `(key TEXT PRIMARY KEY, value BLOB)`, values pickled — so
 * lm-eval's tooling can open it. Unlike sqlitedict we use WAL mode and a busy timeout, and
 * buffer writes into short transactions, so several processes can share one file and a killed
 * process loses at most the answers of its last few milliseconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { LmEvalError } from '../errors.ts';
import { pickleLoads } from './pickle.ts';
import { PyTuple } from '../python/values.ts';

/** better-sqlite3 (a native addon) loads with the first store: runs without a cache never load it. */
let sqlite: typeof Database | undefined;
const openDatabase = (file: string, options: Database.Options): Database.Database => new (sqlite ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database)(file, options);

export interface ResponseStoreOptions {
  /** Pending writes are committed after this many milliseconds (default 50; 0 = every write). */
  flushIntervalMs?: number;
  /** ... or as soon as this many are pending (default 64). */
  flushRows?: number;
  /** How long to wait for another process's write lock (default 30 s). */
  busyTimeoutMs?: number;
  /** Open an existing cache file (for `cache stats|clear`): fail if it is missing or not a cache. */
  existing?: boolean;
}

/** `<prefix>_rank<rank>.db`, lm-eval's file name for `--use_cache <prefix>`. */
export function responseCacheFile(prefix: string, rank = 0): string {
  return `${prefix}_rank${rank}.db`;
}

/**
 * The db file for a path a user typed: the `.db` file itself, or the `--use_cache` prefix
 * (then `<prefix>_rank0.db`).
 */
export function resolveResponseCacheFile(pathOrPrefix: string): string {
  if (!pathOrPrefix.endsWith('.db')) return responseCacheFile(pathOrPrefix);
  if (fs.existsSync(pathOrPrefix)) return pathOrPrefix;
  const prefixed = responseCacheFile(pathOrPrefix); // `--use_cache run.db` writes run.db_rank0.db
  return fs.existsSync(prefixed) ? prefixed : pathOrPrefix;
}

const TABLE = 'unnamed';

/**
 * Stores opened for writing; flushed and closed synchronously when the process exits (also on
 * `process.exit()`, e.g. a second Ctrl-C): pending rows are committed in one transaction or not
 * at all, and the file is closed (WAL checkpointed), so a rerun finds a consistent cache.
 */
const openStores = new Set<ResponseStore>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const s of [...openStores]) s.closeAtExit();
  });
}

export type CachedShape = 'loglikelihood' | 'loglikelihood_rolling' | 'generate_until' | 'other';

/** Which request type a stored value answers, from its shape (keys are hashes). */
export function shapeOf(value: unknown): CachedShape {
  if (value instanceof PyTuple && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'boolean') return 'loglikelihood';
  if (typeof value === 'number') return 'loglikelihood_rolling';
  if (typeof value === 'string') return 'generate_until';
  return 'other';
}

export class ResponseStore {
  private readonly db: Database.Database;
  private readonly pending = new Map<string, Buffer>();
  private timer: NodeJS.Timeout | undefined;
  private readonly flushIntervalMs: number;
  private readonly flushRows: number;
  private readonly selectStmt: Database.Statement<[string], { value: Buffer }>;
  private readonly insertMany: (rows: Array<[string, Buffer]>) => void;
  private closed = false;
  /** rows committed by this process */
  written = 0;

  private constructor(
    readonly file: string,
    options: ResponseStoreOptions,
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.flushRows = options.flushRows ?? 64;
    const timeout = options.busyTimeoutMs ?? 30_000;
    if (options.existing) {
      // read-write, so that closing the last connection removes the -wal/-shm companions
      this.db = openDatabase(file, { fileMustExist: true, timeout });
      const table = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(TABLE);
      if (!table) {
        this.db.close();
        throw new LmEvalError(`${file} is not a response cache (it has no table "${TABLE}")`, 'pass the --use_cache prefix or the path of its _rank0.db file');
      }
    } else {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      this.db = openDatabase(file, { timeout });
      this.db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a commit survives the process being killed (not a power cut), without fsync.
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(`CREATE TABLE IF NOT EXISTS "${TABLE}" (key TEXT PRIMARY KEY, value BLOB)`);
    }
    this.selectStmt = this.db.prepare(`SELECT value FROM "${TABLE}" WHERE key = ?`) as Database.Statement<[string], { value: Buffer }>;
    {
      const insert = this.db.prepare(`INSERT OR REPLACE INTO "${TABLE}" (key, value) VALUES (?, ?)`);
      // IMMEDIATE: take the write lock up front, so a busy peer makes us wait, never fail mid-way.
      this.insertMany = this.db.transaction((rows: Array<[string, Buffer]>) => {
        for (const [k, v] of rows) insert.run(k, v);
      }).immediate;
      openStores.add(this);
      installExitHook();
    }
  }

  /** Opens (creating folders, file and table as needed) a cache file. */
  static open(file: string, options: ResponseStoreOptions = {}): ResponseStore {
    if (options.existing && !fs.existsSync(file)) {
      throw new LmEvalError(`response cache ${file} does not exist`, 'pass the --use_cache prefix or the path of its _rank0.db file');
    }
    try {
      return new ResponseStore(file, options);
    } catch (e) {
      if (e instanceof LmEvalError) throw e;
      throw new LmEvalError(`cannot open response cache ${file}: ${(e as Error).message}`, 'check the --use_cache path (a writable folder on a local disk)');
    }
  }

  /** The stored pickle bytes for `key` (pending writes included). */
  get(key: string): Buffer | undefined {
    const p = this.pending.get(key);
    if (p) return p;
    return this.selectStmt.get(key)?.value;
  }

  /** Queues a write; it is committed within `flushIntervalMs` or when `flushRows` are pending. */
  put(key: string, value: Buffer): void {
    if (this.closed) throw new Error(`response cache ${this.file} is closed`);
    this.pending.delete(key); // keep arrival order for the re-inserted key
    this.pending.set(key, value);
    if (this.pending.size >= this.flushRows || this.flushIntervalMs <= 0) {
      try {
        this.flush();
        return;
      } catch {
        // locked past the busy timeout: keep the rows pending (put is called from model
        // callbacks, which must not fail); the timer, the end of the call or close() retries
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.flush();
      } catch {
        // e.g. a peer held the lock past the busy timeout: the rows stay pending; retry
        if (this.pending.size > 0) this.schedule();
      }
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  /** Commits pending writes in one transaction. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.size === 0 || this.closed) return;
    const rows = [...this.pending];
    this.insertMany(rows);
    this.pending.clear();
    this.written += rows.length;
  }

  count(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM "${TABLE}"`).get() as { n: number }).n;
  }

  /** Entry counts per request type, recognised from the stored value shapes. */
  countByShape(): Record<CachedShape, number> {
    const out: Record<CachedShape, number> = { loglikelihood: 0, loglikelihood_rolling: 0, generate_until: 0, other: 0 };
    for (const row of this.db.prepare(`SELECT key, value FROM "${TABLE}"`).iterate() as IterableIterator<{ key: string; value: Buffer }>) {
      let shape: CachedShape = 'other';
      try {
        // `detail:` rows hold generation details next to an answer (response-cache.ts)
        if (!row.key.startsWith('detail:')) shape = shapeOf(pickleLoads(row.value));
      } catch {
        // not one of our value shapes
      }
      out[shape]++;
    }
    return out;
  }

  /** Deletes every entry; returns how many there were. */
  clear(): number {
    this.flush();
    const n = this.db.prepare(`DELETE FROM "${TABLE}"`).run().changes;
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return n;
  }

  /** close(), and when the last rows cannot be committed (locked), closes without them. */
  closeAtExit(): void {
    try {
      this.close();
    } catch {
      // exiting anyway: an uncommitted transaction is rolled back by closing
      this.closed = true;
      openStores.delete(this);
      try {
        this.db.close();
      } catch {
        // nothing more to do
      }
    }
  }

  /** Flushes and closes the file. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    openStores.delete(this);
    this.db.close();
  }
}

/** Bytes on disk of a cache file and its WAL companions. */
export function cacheFileSize(file: string): number {
  let total = 0;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      total += fs.statSync(f).size;
    } catch {
      // companion absent
    }
  }
  return total;
}
