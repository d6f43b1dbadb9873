/**
 * The shared backend conformance suite: every backend must reproduce the stories260K golden
 * numbers of `models/stories260k/expected.json` (continuation log-probs within 1e-3, equal
 * greedy flags, equal greedy generations, the rolling-window total).
 *
 * Usage in a backend's test:
 *   const report = await runBackendConformance(lm, { expectedPath });
 *   expect(report.failures).toEqual([]);
 */
import { bundledModelDir } from '../bundled.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LM } from '../model/types.ts';

export interface ConformanceOptions {
  /** Path of expected.json (default: the bundled models/stories260k/expected.json). */
  expectedPath?: string;
  /** Absolute tolerance on summed log-probs (default 1e-3). */
  tolerance?: number;
  /** Parts to run (default: all). */
  parts?: Array<'loglikelihood' | 'greedy' | 'rolling'>;
}

export interface ConformanceReport {
  checks: number;
  failures: string[];
  maxAbsError: number;
}

interface Expected {
  loglikelihood: Array<{ context: string; continuation: string; logprob: number; is_greedy: boolean }>;
  greedy: Array<{ prompt: string; max_new_tokens: number; generated_text: string }>;
  rolling: { text: string; total_logprob: number; max_seq_len: number };
}

export { bundledModelDir };

export async function runBackendConformance(lm: LM, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const expectedPath = options.expectedPath ?? path.join(bundledModelDir(), 'expected.json');
  const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as Expected;
  const tol = options.tolerance ?? 1e-3;
  const parts = new Set(options.parts ?? ['loglikelihood', 'greedy', 'rolling']);
  const failures: string[] = [];
  let checks = 0;
  let maxAbsError = 0;

  if (parts.has('loglikelihood')) {
    const res = await lm.loglikelihood(
      expected.loglikelihood.map((c) => ({ context: c.context, continuation: c.continuation })),
    );
    expected.loglikelihood.forEach((c, i) => {
      const [lp, greedy] = res[i];
      const err = Math.abs(lp - c.logprob);
      maxAbsError = Math.max(maxAbsError, err);
      checks += 2;
      if (!(err <= tol)) {
        failures.push(`loglikelihood(${JSON.stringify(c.context)}, ${JSON.stringify(c.continuation)}) = ${lp}, expected ${c.logprob}`);
      }
      if (greedy !== c.is_greedy) {
        failures.push(`is_greedy(${JSON.stringify(c.context)}, ${JSON.stringify(c.continuation)}) = ${greedy}, expected ${c.is_greedy}`);
      }
    });
  }

  if (parts.has('greedy')) {
    const res = await lm.generateUntil(
      expected.greedy.map((g) => ({
        context: g.prompt,
        genKwargs: { until: [], do_sample: false, temperature: 0.0, max_gen_toks: g.max_new_tokens },
      })),
    );
    expected.greedy.forEach((g, i) => {
      checks += 1;
      // Llama tokenizers drop one leading space when a continuation is decoded on its own
      // (lm-eval's HF backend) while servers stream it; both are correct, so compare without it.
      if (res[i].replace(/^ /, '') !== g.generated_text.replace(/^ /, '')) {
        failures.push(`generate(${JSON.stringify(g.prompt)}) = ${JSON.stringify(res[i])}, expected ${JSON.stringify(g.generated_text)}`);
      }
    });
  }

  if (parts.has('rolling')) {
    const [total] = await lm.loglikelihoodRolling([{ text: expected.rolling.text }]);
    const err = Math.abs(total - expected.rolling.total_logprob);
    maxAbsError = Math.max(maxAbsError, err);
    checks += 1;
    if (!(err <= tol * 10)) {
      failures.push(`loglikelihood_rolling(619-token story) = ${total}, expected ${expected.rolling.total_logprob}`);
    }
  }
  return { checks, failures, maxAbsError };
}
