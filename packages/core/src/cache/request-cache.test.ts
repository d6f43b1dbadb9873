import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deleteRequestCache,
  loadCachedRequests,
  requestCacheDir,
  requestCacheFile,
  requestCacheKey,
  saveCachedRequests,
  taskConfigHash,
  type SerializedDocRequests,
} from './request-cache.ts';
import { JsonChatStr } from '../model/types.ts';
import { PyFloat, PyTuple, tuple } from '../python/values.ts';
import { sha256Hex } from '../python/hash.ts';
import type { Instance } from '../request/instance.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-reqcache-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env.LM_HARNESS_CACHE_PATH;
});

function inst(doc: Record<string, unknown>, docId: number, idx: number, args: Instance['arguments'], requestType: Instance['requestType'] = 'loglikelihood'): Instance {
  return { requestType, doc, arguments: args, idx, taskName: 'demo', docId, repeats: 1, resps: [], filteredResps: {} };
}

describe('request cache key', () => {
  it("follows lm-eval's key and appends the config hash", () => {
    const base = { taskName: 'arc_easy', numFewshot: 5, configHash: 'abc' };
    expect(requestCacheKey(base)).toBe('requests-arc_easy-5shot-rank0-world_size1-configabc');
    expect(
      requestCacheKey({ ...base, chatTemplate: true, fewshotAsMultiturn: true, systemInstruction: 'Be brief.', tokenizerName: 'org/model' }),
    ).toBe(`requests-arc_easy-5shot-rank0-world_size1-chat_template-fewshot_as_multiturn-system_prompt_hash${sha256Hex('Be brief.')}-tokenizerorg__model-configabc`);
    // the tokenizer only matters with a chat template (as lm-eval)
    expect(requestCacheKey({ ...base, tokenizerName: 'org/model' })).toBe(requestCacheKey(base));
  });

  it('hashes task configs stably and sensitively', () => {
    expect(taskConfigHash({ a: 1, b: [1, 2] })).toBe(taskConfigHash({ b: [1, 2], a: 1 }));
    expect(taskConfigHash({ a: 1 })).not.toBe(taskConfigHash({ a: new PyFloat(1) }));
    expect(taskConfigHash({ a: 'x' })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('names files after the key, shortening long names with a hash', () => {
    const suffix = `.${sha256Hex('EleutherAI-lm-evaluation-harness')}.json`;
    expect(requestCacheFile('requests-a/b\\c', dir)).toBe(path.join(dir, `requests-a_b_c${suffix}`));
    const long = requestCacheFile(`requests-${'ж'.repeat(300)}`, dir);
    expect(Buffer.byteLength(path.basename(long))).toBeLessThanOrEqual(240);
    expect(long.endsWith(`-${sha256Hex(`requests-${'ж'.repeat(300)}`).slice(0, 16)}${suffix}`)).toBe(true);
    expect(requestCacheFile(`requests-${'ж'.repeat(300)}x`, dir)).not.toBe(long);
  });

  it('lives in LM_HARNESS_CACHE_PATH or <cwd>/.lm-eval-cache/requests', () => {
    expect(requestCacheDir()).toBe(path.join(process.cwd(), '.lm-eval-cache', 'requests'));
    process.env.LM_HARNESS_CACHE_PATH = dir;
    expect(requestCacheDir()).toBe(dir);
  });
});

describe('request cache files', () => {
  it('round-trips instances with Python value types, tuples and chat wrappers', () => {
    const doc0 = { question: 'Сколько?', score: new PyFloat(1), n: 3, big: 2n ** 70n, pair: tuple<unknown>('a', 1), tagged: { $tuple: [1] }, none: null };
    const doc1 = { question: 'x', weird: NaN };
    const data: SerializedDocRequests = [
      [inst(doc0, 0, 0, ['Q: Сколько?\nA:', ' 1']), inst(doc0, 0, 1, ['Q: Сколько?\nA:', ' 2'])],
      [inst(doc1, 1, 0, [JsonChatStr.of('[{"role": "user", "content": "x"}]'), { until: ['\n'], temperature: new PyFloat(0), do_sample: false }], 'generate_until')],
    ];
    data[1][0].repeats = 3;
    const key = requestCacheKey({ taskName: 'demo', numFewshot: 0, configHash: taskConfigHash({}) });
    const file = saveCachedRequests(key, data, dir);
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([path.basename(file)]); // no temp file left behind

    const back = loadCachedRequests(key, dir)!;
    expect(back).toHaveLength(2);
    const [a, b] = back[0];
    expect(a.doc).toBe(b.doc); // one doc object per doc, as when built
    expect(a.doc.score).toBeInstanceOf(PyFloat);
    expect((a.doc.score as PyFloat).value).toBe(1);
    expect(a.doc.big).toBe(2n ** 70n);
    expect(a.doc.pair).toBeInstanceOf(PyTuple);
    expect([...(a.doc.pair as PyTuple)]).toEqual(['a', 1]);
    expect(a.doc.tagged).toEqual({ $tuple: [1] });
    expect(a.doc.tagged).not.toBeInstanceOf(PyTuple);
    expect(a.arguments).toEqual(['Q: Сколько?\nA:', ' 1']);
    expect(b.idx).toBe(1);
    const g = back[1][0];
    expect(g.requestType).toBe('generate_until');
    expect(g.repeats).toBe(3);
    expect(g.arguments[0]).toBeInstanceOf(JsonChatStr);
    expect((g.arguments[0] as JsonChatStr).prompt).toBe('[{"role": "user", "content": "x"}]');
    expect((g.arguments[1] as Record<string, unknown>).temperature).toBeInstanceOf(PyFloat);
    expect(g.doc.weird).toBeNaN();
    expect(g).toMatchObject({ taskName: 'demo', docId: 1, resps: [], filteredResps: {} });
  });

  it('misses when absent, damaged or written for another key', () => {
    const key = 'requests-demo-0shot-rank0-world_size1-config0';
    expect(loadCachedRequests(key, dir)).toBeUndefined();
    fs.writeFileSync(requestCacheFile(key, dir), '{"format": "lm-eval-ts/request-cache/1", "key": "requ');
    expect(loadCachedRequests(key, dir)).toBeUndefined();
    saveCachedRequests(key, [[inst({ q: 1 }, 0, 0, ['a', 'b'])]], dir);
    fs.renameSync(requestCacheFile(key, dir), requestCacheFile(`${key}x`, dir));
    expect(loadCachedRequests(`${key}x`, dir)).toBeUndefined();
  });

  it('refuses values it cannot store faithfully', () => {
    expect(() => saveCachedRequests('k', [[inst({ when: new Date(0) }, 0, 0, ['a', 'b'])]], dir)).toThrow(/doc 0\.when is a Date/);
  });

  it('deletes every cache file and nothing else', () => {
    saveCachedRequests('requests-a', [], dir);
    saveCachedRequests('requests-b', [], dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'keep');
    expect(deleteRequestCache(dir)).toBe(2);
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
    expect(deleteRequestCache(path.join(dir, 'absent'))).toBe(0);
  });
});
