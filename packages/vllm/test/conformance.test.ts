// The shared backend conformance suite (stories260K goldens) through the real worker process
// and the stand-in vllm (numpy float64 forward pass). See README.md for why two configurations.
import { afterAll, describe, expect, it } from 'vitest';
import { bundledModelDir, runBackendConformance } from '@lm-eval/core/testing';
import { VllmLM } from '../src/index.ts';
import { fakeEnv, pythonMissing } from './helpers.ts';

const skipReason = pythonMissing(['numpy']);
if (skipReason) console.log(`[vllm conformance] SKIPPED (stand-in vllm needs numpy): ${skipReason}`);

describe.skipIf(skipReason !== null)('vllm backend conformance (stand-in vllm)', () => {
  const open: VllmLM[] = [];
  afterAll(async () => {
    await Promise.all(open.map((lm) => lm.close()));
  });

  it('loglikelihood and greedy generation with the default arguments', async () => {
    const lm = await VllmLM.create({ pretrained: bundledModelDir() }, {}, { env: fakeEnv(), onLog: () => undefined });
    open.push(lm);
    const report = await runBackendConformance(lm, { parts: ['loglikelihood', 'greedy'] });
    expect(report.failures).toEqual([]);
    expect(report.checks).toBe(27);
    expect(report.maxAbsError).toBeLessThan(1e-9);
  });

  it('rolling loglikelihood: add_bos_token=False and max_length 514 (L = 514 − 2 = 512)', async () => {
    const lm = await VllmLM.create(
      { pretrained: bundledModelDir(), add_bos_token: false, max_length: 514 },
      {},
      { env: fakeEnv({ VLLM_ALLOW_LONG_MAX_MODEL_LEN: '1' }), onLog: () => undefined },
    );
    open.push(lm);
    const report = await runBackendConformance(lm, { parts: ['rolling'] });
    expect(report.failures).toEqual([]);
    expect(report.maxAbsError).toBeLessThan(1e-9);
  });
});
