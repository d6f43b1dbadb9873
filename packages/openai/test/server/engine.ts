/**
 * What a vLLM engine computes for one prompt, on the real stories260K model: greedy or seeded
 * sampling with stop strings / EOS, and the per-position log-prob dictionaries vLLM returns.
 */
import { StoriesModel, type LogprobRow } from './stories-model.ts';
import { mulberry32 } from './faults.ts';
import { topPCount } from '@lm-eval/core/models';

export interface SamplingOptions {
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  seed: number | null;
  stop: string[];
  ignoreEos: boolean;
  includeStopStrInOutput: boolean;
  skipSpecialTokens: boolean;
  /** OpenAI/llama.cpp `logit_bias` (token id → bias), applied before sampling only: reported log-probs stay pre-sampling. */
  logitBias?: Map<number, number>;
}

export interface GenerationResult {
  ids: number[];
  /** rows[i] = distribution the i-th generated token was drawn from. */
  rows: LogprobRow[];
  text: string;
  finishReason: 'stop' | 'length';
  stopReason: string | number | null;
}

function sample(raw: LogprobRow, o: SamplingOptions, rand: () => number): number {
  let row = raw;
  if (o.logitBias && o.logitBias.size > 0) {
    row = Float64Array.from(raw);
    for (const [id, b] of o.logitBias) if (id >= 0 && id < row.length) row[id] += b;
  }
  if (o.temperature === 0) {
    let best = 0;
    for (let v = 1; v < row.length; v++) if (row[v] > row[best]) best = v;
    return best;
  }
  let cand = StoriesModel.ranked(row, o.topK > 0 ? o.topK : row.length);
  const scaled = cand.map((c) => c.logprob / o.temperature);
  const max = Math.max(...scaled);
  let probs = scaled.map((s) => Math.exp(s - max));
  let z = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / z);
  if (o.topP < 1) {
    const cut = topPCount(probs, 1, o.topP);
    cand = cand.slice(0, cut);
    probs = probs.slice(0, cut);
    z = probs.reduce((a, b) => a + b, 0);
    probs = probs.map((p) => p / z);
  }
  let r = rand();
  for (let i = 0; i < probs.length; i++) {
    r -= probs[i];
    if (r <= 0) return cand[i].id;
  }
  return cand[cand.length - 1].id;
}

export async function generate(model: StoriesModel, promptIds: number[], o: SamplingOptions): Promise<GenerationResult> {
  const rand = mulberry32(o.seed ?? 0);
  const ids: number[] = [];
  const rows: LogprobRow[] = [];
  let finishReason: 'stop' | 'length' = 'length';
  let stopReason: string | number | null = null;
  let text = '';
  for (let step = 0; step < o.maxTokens; step++) {
    const all = await model.logprobRows([...promptIds, ...ids]);
    const row = all[all.length - 1];
    const next = sample(row, o, rand);
    ids.push(next);
    rows.push(row);
    if (next === model.eosId && !o.ignoreEos) {
      finishReason = 'stop';
      break;
    }
    text = model.generatedText(ids, o.skipSpecialTokens);
    let hit: { at: number; stop: string } | null = null;
    for (const s of o.stop) {
      const at = text.indexOf(s);
      if (at >= 0 && (hit === null || at < hit.at)) hit = { at, stop: s };
    }
    if (hit) {
      text = text.slice(0, hit.at + (o.includeStopStrInOutput ? hit.stop.length : 0));
      finishReason = 'stop';
      stopReason = hit.stop;
      return { ids, rows, text, finishReason, stopReason };
    }
  }
  text = model.generatedText(ids, o.skipSpecialTokens);
  return { ids, rows, text, finishReason, stopReason };
}

/**
 * vLLM's `top_logprobs` dict for one position (completions API): the actual token first, then
 * the top-k by rank; keys are rendered strings, so colliding renderings overwrite values in place
 * (Python dict semantics, which a JS Map reproduces).
 */
export function topLogprobsDict(model: StoriesModel, row: LogprobRow, actual: number, k: number): Record<string, number> {
  const m = new Map<string, number>();
  m.set(model.tokenString(actual), row[actual]);
  for (const e of StoriesModel.ranked(row, k)) m.set(model.tokenString(e.id), e.logprob);
  return Object.fromEntries(m);
}

/** One `prompt_logprobs` entry: token id (string key) → {logprob, rank, decoded_token}. */
export function promptLogprobEntry(
  model: StoriesModel,
  row: LogprobRow,
  actual: number,
  k: number,
): Record<string, { logprob: number; rank: number; decoded_token: string }> {
  const m = new Map<number, { logprob: number; rank: number; decoded_token: string }>();
  m.set(actual, { logprob: row[actual], rank: StoriesModel.rankOf(row, actual), decoded_token: model.tokenString(actual) });
  for (const e of StoriesModel.ranked(row, k)) {
    if (!m.has(e.id)) m.set(e.id, { logprob: e.logprob, rank: e.rank, decoded_token: model.tokenString(e.id) });
  }
  const out: Record<string, { logprob: number; rank: number; decoded_token: string }> = {};
  for (const [id, v] of m) out[String(id)] = v;
  return out;
}

/** Chat-style / llama.cpp-style entry list: sampled token first, then top ranks, at most k. */
export function topLogprobsList(model: StoriesModel, row: LogprobRow, actual: number, k: number, withId = false) {
  const ids: number[] = [actual];
  for (const e of StoriesModel.ranked(row, k + 1)) if (!ids.includes(e.id)) ids.push(e.id);
  return ids.slice(0, k).map((id) => entry(model, row, id, withId));
}

export function entry(model: StoriesModel, row: LogprobRow, id: number, withId = false) {
  const token = model.tokenString(id);
  const base = { token, logprob: row[id], bytes: Array.from(new TextEncoder().encode(token)) };
  return withId ? { id, ...base } : base;
}

/** Cumulative code-point offsets of rendered token strings (vLLM `text_offset`). */
export function textOffsets(tokens: string[], start = 0): number[] {
  const out: number[] = [];
  let o = start;
  for (const t of tokens) {
    out.push(o);
    o += [...t].length;
  }
  return out;
}
