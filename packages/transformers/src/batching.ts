/**
 * Batch sizes for `--model hf`. Fixed sizes are used as given. `auto` / `auto:N` follow lm-eval's
 * schedule (the sorted requests are cut into N parts, one size per part, remembered across calls
 * and recorded in `config.batch_sizes`) but, instead of halving on out-of-memory, the size comes
 * from a memory rule: a quarter of the free system memory divided by an estimate of one sequence's
 * working set (its logits, KV cache and activations), capped by `max_batch_size` and rounded down
 * to a power of two.
 */
import os from 'node:os';
import type { BatchSizeSpec } from './args.ts';

export interface ModelDims {
  vocab: number;
  layers: number;
  hidden: number;
  intermediate: number;
  /** Width of one layer's key (= value) cache per token: kv_heads × head_dim. */
  kvWidth: number;
}

/** Rough bytes one sequence of `seqLen` tokens needs during a forward pass (float32). */
export function bytesPerSequence(seqLen: number, dims: ModelDims): number {
  const perToken =
    dims.vocab * 4 + // logits
    dims.layers * 2 * dims.kvWidth * 4 * 2 + // present + past copies of the KV cache
    (dims.hidden * 8 + dims.intermediate * 3) * 4; // live activations of one layer
  return seqLen * perToken * 2; // 2× headroom for runtime buffers
}

export function autoBatchSize(seqLen: number, dims: ModelDims, maxBatchSize: number, freeBytes: number = os.freemem()): number {
  const fit = Math.floor((freeBytes * 0.25) / Math.max(1, bytesPerSequence(Math.max(1, seqLen), dims)));
  let size = Math.max(1, Math.min(maxBatchSize, fit));
  size = 2 ** Math.floor(Math.log2(size));
  return size;
}

export class BatchScheduler {
  /** Detected sizes per schedule slot (lm-eval's `batch_sizes` dict). */
  readonly detected = new Map<number, number>();

  constructor(
    readonly spec: BatchSizeSpec,
    readonly maxBatchSize: number,
    readonly dims: ModelDims,
  ) {}

  /**
   * Cuts `lengths` (per request, sorted longest first) into consecutive batches [start, end).
   * For `auto:N`, slot = floor(pos / floor(n / N)); each slot's size is detected from the first
   * (longest) request that reaches it and then reused.
   */
  plan(lengths: readonly number[]): Array<[number, number]> {
    const n = lengths.length;
    const out: Array<[number, number]> = [];
    if (this.spec.kind === 'fixed') {
      for (let s = 0; s < n; s += this.spec.size) out.push([s, Math.min(n, s + this.spec.size)]);
      return out;
    }
    const slotLen = Math.max(1, Math.floor(n / this.spec.redetect));
    let pos = 0;
    while (pos < n) {
      const slot = Math.floor(pos / slotLen);
      let size = this.detected.get(slot);
      if (size === undefined) {
        size = autoBatchSize(lengths[pos], this.dims, this.maxBatchSize);
        this.detected.set(slot, size);
      }
      out.push([pos, Math.min(n, pos + size)]);
      pos += size;
    }
    return out;
  }

  /** One size for a whole run of requests (generation), not recorded. */
  sizeFor(longest: number): number {
    return this.spec.kind === 'fixed' ? this.spec.size : autoBatchSize(longest, this.dims, this.maxBatchSize);
  }

  recordedSizes(): number[] {
    return [...this.detected.values()];
  }
}
