/**
 * One forward pass of a transformers.js decoder (ONNX graph with `input_ids`, `attention_mask`,
 * `position_ids` and `past_key_values.*`), returning float32 logits for every input position and
 * the KV cache for the next step.
 */
import { Tensor, type PreTrainedModel } from '@huggingface/transformers';

/** KV cache keyed by the graph's input names (`past_key_values.{layer}.{key|value}`). */
export type PastKeyValues = Record<string, Tensor>;

export interface DecoderOutput {
  /** Flat `[batch, seqLen, vocab]` logits. */
  logits: Float32Array;
  batch: number;
  seqLen: number;
  vocab: number;
  /** The cache after this step (to pass as `past` next time). */
  present: PastKeyValues;
}

function int64(rows: readonly (readonly number[])[]): Tensor {
  const b = rows.length;
  const t = b === 0 ? 0 : rows[0].length;
  const data = new BigInt64Array(b * t);
  rows.forEach((row, i) => {
    if (row.length !== t) throw new Error('forward: ragged batch');
    for (let j = 0; j < t; j++) data[i * t + j] = BigInt(row[j]);
  });
  return new Tensor('int64', data, [b, t]);
}

/**
 * @param inputIds `[batch, seqLen]` (already padded)
 * @param attentionMask `[batch, pastLen + seqLen]` (1 = real token)
 * @param positionIds `[batch, seqLen]`
 */
export async function runDecoder(
  model: PreTrainedModel,
  inputIds: readonly (readonly number[])[],
  attentionMask: readonly (readonly number[])[],
  positionIds: readonly (readonly number[])[],
  past?: PastKeyValues,
): Promise<DecoderOutput> {
  const feeds: Record<string, unknown> = {
    input_ids: int64(inputIds),
    attention_mask: int64(attentionMask),
    position_ids: int64(positionIds),
  };
  if (past) feeds.past_key_values = past;
  const out = (await model.forward(feeds)) as Record<string, Tensor>;
  let logitsTensor = out.logits;
  if (!logitsTensor) throw new Error('forward: the ONNX graph returned no `logits` output');
  if (logitsTensor.type !== 'float32') logitsTensor = logitsTensor.to('float32');
  const [batch, seqLen, vocab] = logitsTensor.dims as number[];
  const present: PastKeyValues = {};
  for (const [name, t] of Object.entries(out)) {
    if (name.startsWith('present')) present[name.replace(/^present/, 'past_key_values')] = t;
  }
  return { logits: logitsTensor.data as Float32Array, batch, seqLen, vocab, present };
}

/** Row `pos` of sequence `b` as a view (no copy). */
export function logitsRow(out: DecoderOutput, b: number, pos: number): Float32Array {
  const start = (b * out.seqLen + pos) * out.vocab;
  return out.logits.subarray(start, start + out.vocab);
}
