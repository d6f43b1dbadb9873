/**
 * Next-token selection for generate_until: greedy argmax or HF-style sampling (temperature, then
 * top-k, then top-p — the order of transformers' logits warpers), drawn from a seeded RNG.
 */
import { topPCount } from '@lm-eval/core/models';
import { argmax, type FloatRow } from './logprobs.ts';

export interface SamplingParams {
  doSample: boolean;
  /** > 0; 1 = unchanged. */
  temperature: number;
  /** 0 = disabled. */
  topK: number;
  /** (0, 1]; 1 = disabled. */
  topP: number;
}

/** A uniform [0, 1) source (seedrandom's PRNG). */
export type Rng = () => number;

export function pickToken(row: FloatRow, params: SamplingParams, rng: Rng): number {
  if (!params.doSample) return argmax(row);
  const v = row.length;
  const scaled = new Float64Array(v);
  for (let i = 0; i < v; i++) scaled[i] = row[i] / params.temperature;
  // Candidate indices sorted by score, descending (stable: lower id first on ties).
  let order = Array.from({ length: v }, (_, i) => i).sort((a, b) => scaled[b] - scaled[a] || a - b);
  if (params.topK > 0 && params.topK < v) {
    // transformers' TopKLogitsWarper keeps every token scoring at least the k-th best score.
    const kth = scaled[order[params.topK - 1]];
    order = order.filter((i) => scaled[i] >= kth);
  }
  const max = scaled[order[0]];
  let probs = order.map((i) => Math.exp(scaled[i] - max));
  let total = probs.reduce((a, b) => a + b, 0);
  if (params.topP < 1) {
    const keep = topPCount(probs, total, params.topP);
    order = order.slice(0, keep);
    probs = probs.slice(0, keep);
    total = probs.reduce((a, b) => a + b, 0);
  }
  let r = rng() * total;
  for (let j = 0; j < order.length; j++) {
    r -= probs[j];
    if (r < 0) return order[j];
  }
  return order[order.length - 1];
}
