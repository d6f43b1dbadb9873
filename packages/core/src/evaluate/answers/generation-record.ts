/**
 * One generation as answer metrics, judges, sample records and the answers files see it: the
 * answer text and what the backend reported about the request (core `GenerationDetail`).
 */
import type { GenerationDetail } from '../../model/types.ts';
import { pyStr } from '../../python/values.ts';

export interface GenerationRecord {
  output: string;
  /** reasoning returned apart from the answer; null when the backend reported none */
  reasoning: string | null;
  finish_reason: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  /** seconds; null when the backend does not measure it */
  latency_s: number | null;
}

/** The record of one repeat from its raw response and the backend's detail (if any). */
export function generationRecord(resp: unknown, detail: GenerationDetail | undefined): GenerationRecord {
  return {
    output: typeof resp === 'string' ? resp : pyStr(resp),
    reasoning: detail?.reasoning ? detail.reasoning : null,
    finish_reason: detail?.finish_reason ?? null,
    prompt_tokens: detail?.prompt_tokens ?? null,
    completion_tokens: detail?.completion_tokens ?? null,
    latency_s: detail?.latency_s ?? null,
  };
}
