/**
 * Batched decoding with a KV cache for generate_until: left-padded prefill, then one token per
 * step fed with the cache, until every row hit a stop token, a stop string or `maxNewTokens`.
 */
import type { PreTrainedModel } from '@huggingface/transformers';
import { runDecoder, logitsRow } from './forward.ts';
import { pickToken, type Rng, type SamplingParams } from './sampling.ts';
import type { HfTokenizer } from './tokenization.ts';

export interface GenerationSpec {
  maxNewTokens: number;
  /** Token ids that end a row (not included in the output). */
  stopTokenIds: ReadonlySet<number>;
  /** `until` strings (incl. the EOS text); the output is cut at the first occurrence of any. */
  stopStrings: readonly string[];
  sampling: SamplingParams;
}

/** Cuts `text` at the earliest occurrence of any non-empty stop string (lm-eval's split loop). */
export function cutAtStop(text: string, stops: readonly string[]): string {
  let cut = text.length;
  for (const s of stops) {
    if (s.length === 0) continue;
    const at = text.indexOf(s);
    if (at >= 0 && at < cut) cut = at;
  }
  return text.slice(0, cut);
}

function containsStop(text: string, stops: readonly string[]): boolean {
  return stops.some((s) => s.length > 0 && text.includes(s));
}

/**
 * Generates a continuation for each context (token ids, already truncated); returns the decoded
 * texts (special tokens skipped), cut at the first stop string.
 */
export async function generateBatch(
  model: PreTrainedModel,
  tokenizer: HfTokenizer,
  contexts: readonly number[][],
  spec: GenerationSpec,
  padTokenId: number,
  rng: Rng,
  signal?: AbortSignal,
): Promise<string[]> {
  const rows = contexts.length;
  const width = Math.max(...contexts.map((c) => c.length));
  const ids = contexts.map((c) => [...new Array<number>(width - c.length).fill(padTokenId), ...c]);
  const mask = contexts.map((c) => Array.from({ length: width }, (_, j) => (j >= width - c.length ? 1 : 0)));
  // Real tokens are numbered from 0 after the padding; pads get position 1 (as transformers does).
  const positions = contexts.map((c) => Array.from({ length: width }, (_, j) => (j >= width - c.length ? j - (width - c.length) : 1)));
  const nextPos = contexts.map((c) => c.length);
  const generated: number[][] = contexts.map(() => []);
  const done = contexts.map(() => false);
  const maxStop = Math.max(0, ...spec.stopStrings.map((s) => s.length));

  let out = await runDecoder(model, ids, mask, positions);
  let lastPos = width - 1;
  for (let step = 0; step < spec.maxNewTokens; step++) {
    signal?.throwIfAborted();
    const feed: number[] = [];
    for (let b = 0; b < rows; b++) {
      if (done[b]) {
        feed.push(padTokenId);
        continue;
      }
      const tok = pickToken(logitsRow(out, b, lastPos), spec.sampling, rng);
      if (spec.stopTokenIds.has(tok)) {
        done[b] = true;
        feed.push(padTokenId);
        continue;
      }
      generated[b].push(tok);
      feed.push(tok);
      if (maxStop > 0) {
        // Cheap check on the tail (each token decodes to at least one character, or a byte of
        // one); confirmed on the full text so a partial decode never stops a row wrongly.
        const tail = tokenizer.decode(generated[b].slice(-(maxStop + 4)));
        if (containsStop(tail, spec.stopStrings) && containsStop(tokenizer.decode(generated[b]), spec.stopStrings)) done[b] = true;
      }
    }
    if (done.every(Boolean) || step === spec.maxNewTokens - 1) break;
    for (let b = 0; b < rows; b++) mask[b].push(done[b] ? 0 : 1);
    out = await runDecoder(
      model,
      feed.map((t) => [t]),
      mask,
      nextPos.map((p, b) => [done[b] ? 1 : p]),
      out.present,
    );
    for (let b = 0; b < rows; b++) nextPos[b] += 1;
    lastPos = 0;
  }
  return generated.map((g) => cutAtStop(tokenizer.decode(g), spec.stopStrings));
}
