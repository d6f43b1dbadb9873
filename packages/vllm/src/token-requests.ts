/**
 * Token-level request building of lm-eval's vLLM backend (api-backends.md §2, §4), on token
 * ids produced by the worker's tokenizer: pair encoding, rolling windows, the loglikelihood
 * input/ctxlen truncation (latest: `max_length − 1`), and the sort orders.
 */

/** Python `str.isspace` for one code point (differs from JS `\s`: \x1c-\x1f yes, \ufeff no). */
export function pyIsSpace(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c >= 0x09 && c <= 0x0d) return true;
  if (c >= 0x1c && c <= 0x20) return true;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Moves the context's trailing whitespace to the front of the continuation (lm-eval `_encode_pair`). */
export function moveTrailingWhitespace(context: string, continuation: string): [string, string] {
  const chars = Array.from(context);
  let n = 0;
  while (n < chars.length && pyIsSpace(chars[chars.length - 1 - n])) n++;
  if (n === 0) return [context, continuation];
  const keep = chars.slice(0, chars.length - n).join('');
  return [keep, chars.slice(chars.length - n).join('') + continuation];
}

/** What to encode for one loglikelihood pair (the worker then encodes these texts). */
export type PairPlan =
  | { kind: 'empty-context'; continuation: string }
  | { kind: 'causal'; whole: string; context: string };

export function planPair(context: string, continuation: string): PairPlan {
  if (context === '') return { kind: 'empty-context', continuation };
  const [ctx, cont] = moveTrailingWhitespace(context, continuation);
  return { kind: 'causal', whole: ctx + cont, context: ctx };
}

/** Empty context: `[prefix]` + continuation, or (latest) the continuation's own first token
 * when it already equals the prefix token. */
export function emptyContextPair(contEnc: number[], prefixTokenId: number): [number[], number[]] {
  if (contEnc.length > 0 && contEnc[0] === prefixTokenId) return [contEnc.slice(0, 1), contEnc.slice(1)];
  return [[prefixTokenId], contEnc];
}

/** Causal pair: `cont = whole[len(ctx_enc):]` (merged boundary tokens go to the continuation). */
export function causalPair(wholeEnc: number[], ctxEnc: number[]): [number[], number[]] {
  return [wholeEnc.slice(0, ctxEnc.length), wholeEnc.slice(ctxEnc.length)];
}

/**
 * lm-eval `get_rolling_token_windows` + `make_disjoint_window`: `[context, prediction]` pairs
 * that predict every token exactly once (spec §2 example: t = 0..9, L = 4 →
 * ([P],[0,1,2,3]), ([3],[4,5,6,7]), ([5,6,7],[8,9])).
 */
export function rollingWindows(tokens: number[], prefixToken: number, maxSeqLen: number, contextLen = 1): Array<[number[], number[]]> {
  if (!(maxSeqLen >= 1)) throw new Error(`rolling windows need max_seq_len >= 1 (got ${maxSeqLen})`);
  if (!(contextLen >= 1 && contextLen <= maxSeqLen)) throw new Error(`bad context_len ${contextLen}`);
  const out: Array<[number[], number[]]> = [];
  const n = tokens.length;
  if (n === 0) return out;
  const predLen = maxSeqLen - contextLen + 1;
  let predicted = 0;
  const firstSeqLen = Math.min(maxSeqLen, n);
  out.push(disjoint([prefixToken, ...tokens.slice(0, firstSeqLen - 1)], tokens.slice(0, firstSeqLen)));
  predicted += firstSeqLen;
  while (predicted < n) {
    const windowPredLen = Math.min(n - predicted, predLen);
    const windowEnd = predicted + windowPredLen;
    out.push(
      disjoint(
        tokens.slice(Math.max(0, windowEnd - maxSeqLen - 1), windowEnd - 1),
        tokens.slice(windowEnd - windowPredLen, windowEnd),
      ),
    );
    predicted += windowPredLen;
  }
  return out;
}

/** `make_disjoint_window`: context = input minus its last `len(pred) − 1` tokens. */
function disjoint(input: number[], pred: number[]): [number[], number[]] {
  return [input.slice(0, input.length - (pred.length - 1)), pred];
}

/**
 * The prompt sent for one loglikelihood request and its `ctxlen` (lm-eval latest vLLM:
 * `inp = (ctx+cont)[-(max_length−1):]`, one slot left for the generated token).
 */
export function loglikelihoodInput(ctxEnc: number[], contEnc: number[], maxLength: number): { inp: number[]; ctxlen: number } {
  const limit = maxLength - 1;
  const all = ctxEnc.concat(contEnc);
  const inp = all.length > limit ? all.slice(all.length - limit) : all;
  const ctxlen = ctxEnc.length - Math.max(0, ctxEnc.length + contEnc.length - limit);
  return { inp, ctxlen };
}

/** Python tuple comparison of int lists. */
export function compareTokenLists(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** Python `str` comparison (by code point, not UTF-16 unit). */
export function comparePyStr(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Indices of `items` in a stable sort by `key` (lm-eval's Collator sorts stably). */
export function sortedOrder<T>(items: T[], compare: (a: T, b: T) => number): number[] {
  return items.map((_, i) => i).sort((i, j) => compare(items[i], items[j]) || i - j);
}
