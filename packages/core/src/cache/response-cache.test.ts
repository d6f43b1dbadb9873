import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CachingLM } from './response-cache.ts';
import { lmEvalCacheKey, modelIdentity, responseCacheKey } from './response-key.ts';
import { ResponseStore, resolveResponseCacheFile } from './sqlite-store.ts';
import { pickleLoads } from './pickle.ts';
import { FakeLM } from './fixtures/fake-lm.ts';
import { JsonChatStr, type LoglikelihoodRequest } from '../model/types.ts';
import { PyFloat, floatRepr } from '../python/values.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-cache-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const ll = (n: number, prefix = 'Q'): LoglikelihoodRequest[] => Array.from({ length: n }, (_, i) => ({ context: `${prefix}${i}:`, continuation: ` A${i}` }));

function rows(file: string): Array<{ key: string; value: Buffer }> {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT key, value FROM unnamed').all() as Array<{ key: string; value: Buffer }>;
  } finally {
    db.close();
  }
}

describe('response cache keys', () => {
  it("reproduces lm-eval's key vectors", () => {
    expect(lmEvalCacheKey('loglikelihood', ['Question: 2+2=?\nAnswer:', ' 4'])).toBe('8c436aa8900091dc37fb53f45139d777b9b683d63adf3773c6a5a1238681057f');
    expect(lmEvalCacheKey('generate_until', ['Вопрос', { until: ['\n'], do_sample: false }])).toBe('0f2a995c0531a25696593e02f0d6e9584b2cf00bebf642eb82d186e1af196e95');
  });

  it('serialises a JSON chat wrapper as a one-element list and keeps Python float types', () => {
    expect(lmEvalCacheKey('loglikelihood', [JsonChatStr.of('[]'), ' x'])).toBe(lmEvalCacheKey('loglikelihood', [['[]'], ' x']));
    // temperature 0.0 (a Python float) and 0 (an int) are different JSON, hence different keys
    expect(lmEvalCacheKey('generate_until', ['q', { temperature: new PyFloat(0) }])).not.toBe(lmEvalCacheKey('generate_until', ['q', { temperature: 0 }]));
  });

  it('extends the key with the model identity and the repeat index, never with secrets', () => {
    const a = modelIdentity(new FakeLM({ salt: 'a' }));
    const a2 = modelIdentity(new FakeLM({ salt: 'a' })); // another random api_key
    const b = modelIdentity(new FakeLM({ salt: 'b' }));
    expect(a.identity).toEqual({ model: 'fake-a' });
    const args = ['ctx', ' c'];
    expect(responseCacheKey('loglikelihood', args, a, 0)).toBe(responseCacheKey('loglikelihood', args, a2, 0));
    expect(responseCacheKey('loglikelihood', args, a, 0)).not.toBe(responseCacheKey('loglikelihood', args, b, 0));
    expect(responseCacheKey('loglikelihood', args, a, 0)).not.toBe(responseCacheKey('loglikelihood', args, a, 1));
    expect(responseCacheKey('loglikelihood', args, a, 0)).not.toBe(lmEvalCacheKey('loglikelihood', args));
  });
});

describe('CachingLM', () => {
  it('stores answers in <prefix>_rank0.db (folders created) in sqlitedict layout, pickled', async () => {
    const prefix = path.join(dir, 'nested', 'deeper', 'run');
    const lm = CachingLM.open(new FakeLM(), prefix);
    const res = await lm.loglikelihood(ll(3));
    await lm.loglikelihoodRolling([{ text: 'hello' }]);
    await lm.generateUntil([{ context: 'hi', genKwargs: { until: ['\n'] } }]);
    await lm.close();
    const file = `${prefix}_rank0.db`;
    expect(fs.existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    const schema = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'unnamed'").get() as { sql: string };
    expect(schema.sql).toBe('CREATE TABLE "unnamed" (key TEXT PRIMARY KEY, value BLOB)');
    expect((db.pragma('journal_mode') as Array<{ journal_mode: string }>)[0].journal_mode).toBe('wal');
    db.close();
    const stored = rows(file);
    expect(stored).toHaveLength(5);
    const model = modelIdentity(new FakeLM());
    const first = stored.find((r) => r.key === responseCacheKey('loglikelihood', ['Q0:', ' A0'], model, 0));
    expect([...(pickleLoads(first!.value) as unknown[])]).toEqual(res[0]);
  });

  it('answers repeated requests from the cache and sends only misses, in one call, in order', async () => {
    const prefix = path.join(dir, 'c');
    const first = new FakeLM();
    const lm1 = CachingLM.open(first, prefix);
    const reqs = ll(6);
    const expected = await lm1.loglikelihood(reqs.slice(0, 4));
    await lm1.close();
    expect(first.sent).toHaveLength(4);

    const second = new FakeLM();
    let calls = 0;
    const origLl = second.loglikelihood.bind(second);
    second.loglikelihood = (r, h) => {
      calls++;
      return origLl(r, h);
    };
    const lm2 = CachingLM.open(second, prefix);
    const seen: Array<[number, unknown]> = [];
    const out = await lm2.loglikelihood(reqs, { onResult: (i, v) => seen.push([i, v]) });
    await lm2.close();
    expect(calls).toBe(1);
    expect(second.sent).toEqual(['loglikelihood|Q4:| A4', 'loglikelihood|Q5:| A5']);
    expect(out.slice(0, 4)).toEqual(expected);
    expect(out).toEqual(await new FakeLM().loglikelihood(reqs));
    // onResult fires once per request, hits included
    expect(seen.map(([i]) => i).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const [i, v] of seen) expect(v).toEqual(out[i]);
    expect(lm2.stats).toEqual({ hits: 4, misses: 2 });
  });

  it('never mixes answers of two models sharing one file', async () => {
    const prefix = path.join(dir, 'shared');
    const a = CachingLM.open(new FakeLM({ salt: 'a' }), prefix);
    const ra = await a.generateUntil([{ context: 'x', genKwargs: {} }]);
    await a.close();
    const bInner = new FakeLM({ salt: 'b' });
    const b = CachingLM.open(bInner, prefix);
    const rb = await b.generateUntil([{ context: 'x', genKwargs: {} }]);
    await b.close();
    expect(ra).toEqual(['a:X']);
    expect(rb).toEqual(['b:X']);
    expect(bInner.sent).toHaveLength(1);
    expect(rows(`${prefix}_rank0.db`)).toHaveLength(2);
  });

  it('keeps answers delivered before a failure; the rerun sends only the rest', async () => {
    const prefix = path.join(dir, 'partial');
    const reqs = ll(10);
    const failing = CachingLM.open(new FakeLM({ failAfter: 6 }), prefix);
    const delivered: number[] = [];
    await expect(failing.loglikelihood(reqs, { onResult: (i) => delivered.push(i) })).rejects.toThrow('model failed');
    expect(delivered).toEqual([0, 1, 2, 3, 4, 5]);
    // committed before close: the failing call flushed what had arrived
    expect(rows(`${prefix}_rank0.db`)).toHaveLength(6);
    await failing.close();

    const inner = new FakeLM();
    const lm = CachingLM.open(inner, prefix);
    const out = await lm.loglikelihood(reqs);
    await lm.close();
    expect(inner.sent).toEqual([6, 7, 8, 9].map((i) => `loglikelihood|Q${i}:| A${i}`));
    expect(out).toEqual(await new FakeLM().loglikelihood(reqs));
  });

  it('caches repeats and sampled generations per repeat index', async () => {
    const prefix = path.join(dir, 'rep');
    const gk = { until: ['\n'], do_sample: true, temperature: 0.7 };
    // an instance with repeats=3 arrives as 3 consecutive identical requests, then another doc
    const reqs = [0, 1, 2].map(() => ({ context: 'q', genKwargs: gk })).concat([{ context: 'r', genKwargs: gk }]);
    const inner1 = new FakeLM({ sampling: true });
    const lm1 = CachingLM.open(inner1, prefix);
    const out1 = await lm1.generateUntil(reqs);
    await lm1.close();
    expect(out1).toEqual([':Q#0', ':Q#1', ':Q#2', ':R#3']);
    expect(rows(`${prefix}_rank0.db`)).toHaveLength(4);

    // rerun: every sample comes back, in its place; nothing is resampled
    const inner2 = new FakeLM({ sampling: true });
    const lm2 = CachingLM.open(inner2, prefix);
    expect(await lm2.generateUntil(reqs)).toEqual(out1);
    expect(inner2.sent).toEqual([]);
    // more repeats: only the new repeat indexes are sampled
    const more = [0, 1, 2, 3, 4].map(() => ({ context: 'q', genKwargs: gk }));
    expect(await lm2.generateUntil(more)).toEqual([':Q#0', ':Q#1', ':Q#2', ':Q#0', ':Q#1']);
    expect(inner2.sent).toEqual(['generate_until|q', 'generate_until|q']);
    await lm2.close();
  });

  it('does not cache values that are not answers', async () => {
    const prefix = path.join(dir, 'bad');
    const inner = new FakeLM();
    inner.generateUntil = async (reqs, hooks) => {
      const out = reqs.map((_, i) => (i === 1 ? (null as unknown as string) : 'ok'));
      out.forEach((v, i) => hooks?.onResult?.(i, v));
      return out;
    };
    const lm = CachingLM.open(inner, prefix);
    await lm.generateUntil([{ context: 'a', genKwargs: {} }, { context: 'b', genKwargs: {} }]);
    await lm.close();
    expect(rows(`${prefix}_rank0.db`).map((r) => pickleLoads(r.value))).toEqual(['ok']);
  });

  it('writes answers that a model returns without calling onResult', async () => {
    const prefix = path.join(dir, 'silent');
    const inner = new FakeLM();
    inner.loglikelihoodRolling = async (reqs) => reqs.map(() => -2);
    const lm = CachingLM.open(inner, prefix);
    const seen: number[] = [];
    await lm.loglikelihoodRolling([{ text: 'a' }, { text: 'b' }], { onResult: (i) => seen.push(i) });
    await lm.close();
    expect(seen).toEqual([0, 1]);
    expect(rows(`${prefix}_rank0.db`).map((r) => pickleLoads(r.value))).toEqual([-2, -2]);
  });

  it('flushes on abort and forwards the optional LM members', async () => {
    const prefix = path.join(dir, 'abort');
    const ac = new AbortController();
    const inner = new FakeLM({ delayMs: 2, afterResult: (n) => n === 3 && ac.abort() });
    const lm = CachingLM.open(inner, prefix, { flushIntervalMs: 60_000, flushRows: 1000 });
    await expect(lm.loglikelihood(ll(8), { signal: ac.signal })).rejects.toThrow('aborted');
    expect(rows(`${prefix}_rank0.db`)).toHaveLength(3);
    expect(lm.cacheIdentity?.()).toMatchObject({ model: 'fake-' });
    expect(lm.applyChatTemplate).toBeUndefined();
    expect(lm.name).toBe('fake');
    await lm.close();
  });

  it.skipIf(!hasPython())('is readable by Python (sqlite3 + pickle)', async () => {
    const prefix = path.join(dir, 'py');
    const lm = CachingLM.open(new FakeLM(), prefix);
    await lm.loglikelihood([{ context: 'c', continuation: ' d' }]);
    await lm.loglikelihoodRolling([{ text: 'Привет' }]);
    await lm.generateUntil([{ context: 'é', genKwargs: {} }]);
    await lm.close();
    const script = `import sqlite3, pickle, sys, json
db = sqlite3.connect(sys.argv[1])
print(json.dumps(sorted(repr(pickle.loads(v)) for (v,) in db.execute('SELECT value FROM unnamed'))))`;
    const out = JSON.parse(execFileSync('python3', ['-c', script, `${prefix}_rank0.db`], { encoding: 'utf8' })) as string[];
    const [lp, greedy] = (await new FakeLM().loglikelihood([{ context: 'c', continuation: ' d' }]))[0];
    const roll = (await new FakeLM().loglikelihoodRolling([{ text: 'Привет' }]))[0];
    const expected = [`(${floatRepr(lp)}, ${greedy ? 'True' : 'False'})`, floatRepr(roll), "':É'"].sort();
    expect(out).toEqual(expected);
  });

  it('resolves a typed path: the prefix or the .db file', () => {
    const store = ResponseStore.open(path.join(dir, 'p_rank0.db'));
    store.close();
    expect(resolveResponseCacheFile(path.join(dir, 'p'))).toBe(path.join(dir, 'p_rank0.db'));
    expect(resolveResponseCacheFile(path.join(dir, 'p_rank0.db'))).toBe(path.join(dir, 'p_rank0.db'));
  });
});

function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', 'import sqlite3, pickle'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
