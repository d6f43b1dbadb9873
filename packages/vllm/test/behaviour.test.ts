// The shared behavioural suite (ordering, onResult once, abort, close, cache identity) through the
// real worker process and the stand-in vllm (test/fake_vllm, numpy forward pass of stories260K).
// The stand-in is slow on long inputs, so the 619-token story is left out of the rolling texts and
// max_length=130 (windows of 128 tokens) still splits the longer ones into several windows.
import { describe, expect, it } from 'vitest';
import { bundledModelDir, defaultBehaviourRequests, runBackendBehaviour } from '@lm-eval/core/testing';
import { VllmLM } from '../src/index.ts';
import { fakeEnv, pidAlive, pythonMissing } from './helpers.ts';

const skipReason = pythonMissing(['numpy']);
if (skipReason) console.log(`[vllm behaviour] SKIPPED (stand-in vllm needs numpy): ${skipReason}`);

const model = (args: Record<string, unknown> = {}) => VllmLM.create({ pretrained: bundledModelDir(), batch_size: 4, max_length: 130, ...args }, {}, { env: fakeEnv(), onLog: () => undefined });
const defaults = defaultBehaviourRequests();
const requests = { ...defaults, loglikelihood_rolling: defaults.loglikelihood_rolling.filter((r) => r.text.length < 600) };

describe.skipIf(skipReason !== null)('vllm backend behaviour (stand-in vllm)', () => {
  it('keeps the LM contract (batches of 4)', async () => {
    const workers: number[] = [];
    const report = await runBackendBehaviour(
      async () => {
        const lm = await model();
        workers.push(lm.workerPid!);
        return lm;
      },
      { requests, otherIdentity: () => model({ max_length: 120 }) },
    );
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
    // every worker the suite started has exited with its close()
    expect(workers.filter(pidAlive)).toEqual([]);
  }, 600_000);
});
