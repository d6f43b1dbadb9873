// The shared behavioural suite (ordering, onResult once, abort, close, cache identity) on the
// bundled stories260K model, batched so that requests are reordered across batches.
import { describe, expect, it } from 'vitest';
import { bundledModelDir, runBackendBehaviour } from '@lm-eval/core/testing';
import { createHfModel } from '../src/index.ts';

const model = (args: Record<string, unknown> = {}) => createHfModel({ pretrained: bundledModelDir(), batch_size: 4, ...args }, {});

describe('hf backend behaviour', () => {
  it('keeps the LM contract', async () => {
    const report = await runBackendBehaviour(() => model(), { otherIdentity: () => model({ max_length: 256 }) });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([]);
  });
});
