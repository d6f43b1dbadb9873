/**
 * The shared backend conformance suite (stories260K golden numbers) through local-completions
 * against the vLLM-flavoured test server, on both scoring routes.
 *
 * Two configurations, as lm-eval's own arguments dictate: the golden loglikelihood/greedy numbers
 * encode contexts with BOS (add_bos_token=True); the golden rolling numbers score the text without
 * BOS inside it (prefix token BOS), i.e. add_bos_token=False. max_length=514 gives rolling windows
 * of 514 − 1 − 1 = 512 tokens, the golden max_seq_len.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackendConformance } from '@lm-eval/core/testing';
import { startTestServer, type TestServer } from './server/server.ts';
import { completionsArgs, makeLM, MODEL_DIR } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ model: MODEL_DIR });
});
afterAll(async () => {
  await server?.close();
});

describe('local-completions conformance (stories260K)', () => {
  for (const scoring of ['auto', 'echo'] as const) {
    it(`loglikelihood + greedy within 1e-3 (scoring=${scoring})`, async () => {
      const lm = await makeLM('local-completions', completionsArgs(server.url, { scoring }));
      const report = await runBackendConformance(lm, { parts: ['loglikelihood', 'greedy'] });
      expect(report.failures).toEqual([]);
      expect(report.maxAbsError).toBeLessThan(1e-3);
      expect(lm.resultsInfo().scoring_path).toBe(scoring === 'auto' ? 'prompt_logprobs' : 'echo');
      await lm.close();
    });
  }

  it('rolling total within tolerance (windows of 512)', async () => {
    const lm = await makeLM('local-completions', completionsArgs(server.url, { add_bos_token: false }));
    const report = await runBackendConformance(lm, { parts: ['rolling'] });
    expect(report.failures).toEqual([]);
    await lm.close();
  });

  it('batched and concurrent requests give the same answers', async () => {
    const lm = await makeLM('local-completions', completionsArgs(server.url, { batch_size: 4, num_concurrent: 3, scoring: 'echo' }));
    const report = await runBackendConformance(lm, { parts: ['loglikelihood', 'greedy'] });
    expect(report.failures).toEqual([]);
    await lm.close();
  });
});
