// Real vLLM on a GPU machine (skipped elsewhere, with the reason printed). Runs the shared
// conformance suite on the bundled stories260K model through the real worker and real vLLM,
// and checks the chat template rendered here against vLLM's tokenizer. See README.md.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledModelDir, runBackendConformance } from '@lm-eval/core/testing';
import { VllmLM } from '../src/index.ts';
import { PYTHON } from './helpers.ts';

function gpuSkipReason(): string | null {
  const probe = spawnSync(
    PYTHON,
    ['-c', 'import vllm, torch, sys; sys.exit(0 if torch.cuda.is_available() else 7)'],
    { encoding: 'utf8', env: { ...process.env, PYTHONPATH: process.env.PYTHONPATH ?? '' }, timeout: 120_000 },
  );
  if (probe.error) return `${PYTHON} not runnable: ${probe.error.message}`;
  if (probe.status === 7) return `${PYTHON} imports vllm but torch sees no CUDA GPU`;
  if (probe.status !== 0) return `${PYTHON} cannot import vllm/torch: ${(probe.stderr ?? '').trim().split('\n').pop()}`;
  return null;
}

const skipReason = gpuSkipReason();
if (skipReason) console.log(`[vllm GPU test] SKIPPED: ${skipReason}`);

// vLLM start-up (model load, CUDA graphs disabled by enforce_eager) takes tens of seconds.
const common = { pretrained: bundledModelDir(), gpu_memory_utilization: 0.2, enforce_eager: true, dtype: 'float32' };
const options = { env: { VLLM_ALLOW_LONG_MAX_MODEL_LEN: '1' }, startupTimeoutMs: 600_000 };

describe.skipIf(skipReason !== null)('vllm backend on real vLLM + GPU', () => {
  const open: VllmLM[] = [];
  afterAll(async () => {
    for (const lm of open) await lm.close();
  });

  it('conformance: loglikelihood + greedy (defaults), chat template', { timeout: 600_000 }, async () => {
    const lm = await VllmLM.create(common, {}, options);
    open.push(lm);
    console.log(`[vllm GPU test] vLLM ${lm.hello.vllm_version}, python ${lm.hello.executable}`);
    const report = await runBackendConformance(lm, { parts: ['loglikelihood', 'greedy'] });
    console.log(`[vllm GPU test] max abs error ${report.maxAbsError}`);
    expect(report.failures).toEqual([]);
    const msgs = [
      { role: 'system', content: 'You tell short stories.' },
      { role: 'user', content: 'Tell me about a cat.' },
      { role: 'assistant', content: 'The cat ' },
    ];
    for (const addGenerationPrompt of [true, false]) {
      const m = addGenerationPrompt ? msgs.slice(0, 2) : msgs;
      expect(await lm.renderChatInWorker(m, { addGenerationPrompt })).toBe(lm.applyChatTemplate(m, { addGenerationPrompt }));
    }
  });

  it('conformance: rolling (add_bos_token=False, max_length 514)', { timeout: 600_000 }, async () => {
    await Promise.all(open.splice(0).map((lm) => lm.close()));
    const lm = await VllmLM.create({ ...common, add_bos_token: false, max_length: 514 }, {}, options);
    open.push(lm);
    const report = await runBackendConformance(lm, { parts: ['rolling'] });
    console.log(`[vllm GPU test] rolling max abs error ${report.maxAbsError}`);
    expect(report.failures).toEqual([]);
  });
});
