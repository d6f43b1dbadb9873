/**
 * vLLM's `prompt_logprobs` of one prompt as scoring reads it, without an object per position: for
 * each position from `from` on, its (token id, log-prob) pairs in flat lists. Built by the reply
 * reader (reply-reader.ts) from the reply text; scorePromptLogprobs reads it exactly as it reads the
 * parsed list of `{"<id>": {logprob, ...}}` dicts.
 */
export class PromptLogprobsTable {
  /**
   * @param length positions in the reply's list
   * @param from the first position held
   * @param starts for position from + k, its pairs are ids/logprobs[starts[k] .. starts[k + 1]) (a
   *   null or empty position has none)
   */
  constructor(
    readonly length: number,
    private readonly from: number,
    private readonly starts: number[],
    private readonly ids: number[],
    private readonly logprobs: number[],
  ) {}

  /** The log-prob of token `id` at position `i`; undefined when the position does not hold it. */
  tokenLogprob(i: number, id: number): number | undefined {
    const k = i - this.from;
    if (k < 0 || k + 1 >= this.starts.length) return undefined;
    for (let j = this.starts[k], end = this.starts[k + 1]; j < end; j++) if (this.ids[j] === id) return this.logprobs[j];
    return undefined;
  }

  /** Whether a token other than `id` has a log-prob above `x` at position `i`. */
  othersAbove(i: number, id: number, x: number): boolean {
    const k = i - this.from;
    for (let j = this.starts[k], end = this.starts[k + 1]; j < end; j++) if (this.ids[j] !== id && this.logprobs[j] > x) return true;
    return false;
  }
}
