import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEvaluation, type EvaluationRequest } from '../src/engine.ts';
import { buildMirror } from './oracle-harness.ts';

describe('--cache_requests', () => {
  it('writes all docs once, then reuses the built requests (cut to the limit)', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'rq-'));
    buildMirror('arc_easy', path.join(tmp, 'mirror'));
    const env = { ...process.env, LM_EVAL_DATASETS_DIR: path.join(tmp, 'mirror') };
    const prev = process.env.LM_HARNESS_CACHE_PATH;
    process.env.LM_HARNESS_CACHE_PATH = path.join(tmp, 'rq');
    try {
      const base: EvaluationRequest = { model: 'dummy', tasks: ['arc_easy'], numFewshot: 2, env, logSamples: true };
      const plain = await runEvaluation({ ...base, limit: 3 });
      const first = await runEvaluation({ ...base, limit: 3, cacheRequests: 'true' });
      expect(readdirSync(path.join(tmp, 'rq')).length).toBe(1);
      const second = await runEvaluation({ ...base, limit: 3, cacheRequests: 'true' });
      const args = (o: typeof plain) => o.samples.arc_easy.map((s) => s.arguments);
      expect(args(first)).toEqual(args(plain));
      expect(args(second)).toEqual(args(plain));
      expect(second.results.results).toEqual(plain.results.results);
      const del = await runEvaluation({ ...base, limit: 3, cacheRequests: 'delete' });
      expect(readdirSync(path.join(tmp, 'rq')).length).toBe(0);
      expect(args(del)).toEqual(args(plain));
    } finally {
      if (prev === undefined) delete process.env.LM_HARNESS_CACHE_PATH;
      else process.env.LM_HARNESS_CACHE_PATH = prev;
    }
  });
});
