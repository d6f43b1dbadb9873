/**
 * What a generate_until answer reports besides its text (core `GenerationDetail`): finish reason,
 * token counts from `usage`, the request's wall-clock latency and, for chat, the reasoning kept
 * apart from the answer.
 */
import type { GenerationDetail } from '@lm-eval/core';

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The detail of choice `k` of a response that answered `batch` prompts. `usage` sums the whole
 * batch, so token counts are only given for single-prompt requests (chat always is).
 */
export function generationDetail(resp: unknown, choice: unknown, batch: number, latencyS: number, reasoning?: string): GenerationDetail {
  const usage = batch === 1 ? ((resp as { usage?: Record<string, unknown> } | null)?.usage ?? null) : null;
  const finish = (choice as { finish_reason?: unknown } | null)?.finish_reason;
  const detail: GenerationDetail = {
    finish_reason: typeof finish === 'string' ? finish : null,
    prompt_tokens: count(usage?.prompt_tokens),
    completion_tokens: count(usage?.completion_tokens),
    latency_s: latencyS,
  };
  if (reasoning !== undefined) detail.reasoning = reasoning;
  return detail;
}
