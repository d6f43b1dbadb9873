/**
 * `local-completions` / `openai-completions`: the /v1/completions backends (lm_eval/models/openai_completions.py
 * `LocalCompletionsAPI`, `OpenAICompletionsAPI`; lm_eval/models/api_models.py `TemplateAPI`).
 *
 * loglikelihood: pair-encode, sort longest first, `batch_size` prompts per request, a sliding window
 * of `num_concurrent` requests; scored from vLLM's `prompt_logprobs` when the server offers them
 * (token-id keyed, immune to string collisions) or from echo + logprobs exactly as lm-eval cuts them.
 * A preflight request decides the route once and refuses servers without prompt log-probs.
 *
 * Tokenisation overlaps sending where the order of requests cannot be seen: with one prompt per
 * request (batch_size 1) on a known echo or prompt_logprobs route, requests are encoded in chunks
 * in input order and the window sends each as soon as its chunk is encoded (a request's result
 * does not depend on which others are in flight); otherwise (several prompts per request, whose
 * batches lm-eval's Collator order makes visible in the request bodies; the route still to be
 * probed on the shortest request; forced-token scoring) every request is encoded before the
 * Collator order is taken. Generation batches are ordered by character length, known before
 * tokenising, so their contexts are encoded chunk by chunk in batch order.
 */
import { JsonChatStr, LmEvalError, type ChatMessage, type ChatTemplateOptions, type Context, type GenerateRequest, type LM, type LoglikelihoodRequest, type LoglikelihoodResult, type PreflightProblem, type PreflightQuery, type RequestHooks, type RollingRequest } from '@lm-eval/core';
import { renderChatTemplate, RequestTooLargeError } from '@lm-eval/core/models';
import { memoPyJsonDumps, pyJsonDumps, pyLen } from '@lm-eval/core/python';
import type { Completion } from 'openai/resources/completions';
import { ApiBackendBase, cutAtStops, generationBatches, handleStopSequences, splitGenKwargs, warn, type ApiBackendOptions } from './api-backend.ts';
import { generationDetail } from './generation-detail.ts';
import type { ApiModelConfig } from './args.ts';
import { ApiRequestError, explainFailure, SerializedJson } from './http.ts';
import { scoringReplyParser } from './reply-reader.ts';
import { choicesByIndex, noPromptLogprobsError, scoreEchoChoice, scorePromptLogprobs, type ScoringPath } from './scoring.ts';
import { encodePair, encodePairs, longestFirst, rollingWindows, truncateForScoring, type TokenPair } from './token-requests.ts';
import type { WindowControl } from './window.ts';
import { ChunkFeed, FeedError } from './chunk-feed.ts';
import { forcedStepPayload, readStepEntry, scoreForcedStep, SlotPool, totalSlots, verifyForcedScoring } from './forced.ts';
import { serverRoot } from './tokenizers.ts';

/** Models the OpenAI completions API still scores with echo + logprobs. */
const OPENAI_LOGLIKELIHOOD_MODELS = ['babbage-002', 'davinci-002'];

const EMPTY_IDS: number[] = [];
const RELEASED_PAIR: TokenPair = { context: EMPTY_IDS, continuation: EMPTY_IDS };

interface ScoreItem {
  input: number[];
  ctxlen: number;
}

const RELEASED_ITEM: ScoreItem = { input: EMPTY_IDS, ctxlen: 0 };

/** One scoring request fed to the window: the input's owner (`at`, `part`) and the preflight's answer when it is that same input. */
interface FedItem {
  /** the request (loglikelihood) or text (rolling) it belongs to */
  at: number;
  /** its window within the text (rolling) */
  part: number;
  item: ScoreItem;
  answer: LoglikelihoodResult | null;
}

/** Texts (requests, or generation batches' requests) per tokenizer call when encoding overlaps sending. */
const ENCODE_CHUNK = 256;
/** Chunks encoded at most beyond the furthest request the window has reached. */
const CHUNKS_AHEAD = 4;

export class CompletionsLM extends ApiBackendBase implements LM {
  private scoringPath: ScoringPath | null = null;
  private truncationWarned = false;
  /** requests (texts) per chunk when encoding overlaps sending */
  private readonly encodeChunk: number;

  constructor(config: ApiModelConfig, options: ApiBackendOptions = {}) {
    super(config.backend, config, options);
    this.encodeChunk = Math.max(1, options.encodeChunk ?? ENCODE_CHUNK);
  }

  static async create(config: ApiModelConfig, options: ApiBackendOptions = {}): Promise<CompletionsLM> {
    const lm = new CompletionsLM(config, options);
    await lm.init();
    return lm;
  }

  private contextText(c: Context, what: string): string {
    if (typeof c === 'string') return c;
    throw new LmEvalError(
      `${this.name} got a chat-formatted prompt for ${what}, but /v1/completions takes plain text.`,
      'Use local-chat-completions for chat prompts, or give a tokenizer with a chat template (tokenizer_backend=huggingface) so the template is rendered locally.',
    );
  }

  private checkLoglikelihoodAllowed(): void {
    if (this.config.backend === 'openai-completions' && !OPENAI_LOGLIKELIHOOD_MODELS.includes(this.config.model ?? '')) {
      throw new LmEvalError(
        `openai-completions can only score loglikelihood with ${OPENAI_LOGLIKELIHOOD_MODELS.join(' or ')} (the OpenAI API refuses echo + logprobs for '${this.config.model}').`,
        'Use one of those models, or run generate_until tasks.',
      );
    }
  }

  // ---------------------------------------------------------------------------------------------
  // preflight
  // ---------------------------------------------------------------------------------------------

  private scoringProblem: PreflightProblem | null = null;
  /** The preflight probe's answer, delivered when the run scores the same item (no second request). */
  private probeAnswer: { item: ScoreItem; result: LoglikelihoodResult } | null = null;

  private takeProbeAnswer(items: ScoreItem[], order: number[]): { at: number; result: LoglikelihoodResult } | null {
    if (this.probeAnswer === null) return null;
    for (let k = order.length - 1; k >= 0; k--) {
      const result = this.probeAnswerFor(items[order[k]]);
      if (result !== null) return { at: k, result };
    }
    return null;
  }

  /** The probe's answer when `item` is the probed input (then delivered once, for this item). */
  private probeAnswerFor(item: ScoreItem): LoglikelihoodResult | null {
    const p = this.probeAnswer;
    if (p === null || !sameItem(item, p.item)) return null;
    this.probeAnswer = null;
    return p.result;
  }

  /**
   * Before the run: scoring requests are probed once on a real sample (the route is then kept);
   * generation needs nothing. A refusal becomes the task's problem with the error's hint as the fix.
   */
  async preflight(q: PreflightQuery): Promise<PreflightProblem | null> {
    if (q.sample.length === 0) return null;
    if (q.type === 'generate_until') {
      if (this.config.tokenizedRequests && this.tokenizer) {
        const c = q.sample[0].context;
        if (typeof c === 'string') await this.noteFirstPrompt(await this.tokenizer.encode(c, this.config.addBosToken));
      }
      return null;
    }
    if (this.scoringPath !== null) return null;
    if (this.scoringProblem) return this.scoringProblem;
    try {
      const tok = this.requireTokenizer(q.type);
      this.checkLoglikelihoodAllowed();
      const prefix = this.prefixTokenId;
      let pair: TokenPair;
      if (q.type === 'loglikelihood') {
        const r = q.sample[0];
        pair = await encodePair(tok, this.contextText(r.context, 'loglikelihood'), r.continuation, this.config.addBosToken, prefix);
      } else {
        const ids = await tok.encode(q.sample[0].text || ' ', this.config.addBosToken);
        pair = rollingWindows(ids, prefix, this.maxInputLength - 1)[0];
      }
      const t = truncateForScoring(pair, this.maxInputLength);
      const item = { input: t.input, ctxlen: t.ctxlen };
      await this.noteFirstPrompt(item.input);
      if (q.answered) return null;
      this.probeAnswer = { item, result: await this.probeScoringPath(item, {}) };
      return null;
    } catch (e) {
      if (!(e instanceof LmEvalError)) throw e;
      this.scoringProblem = { reason: e.message, fix: e.hint ?? 'Run only the generate_until tasks on this server.' };
      return this.scoringProblem;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // loglikelihood
  // ---------------------------------------------------------------------------------------------

  async loglikelihood(requests: LoglikelihoodRequest[], hooks: RequestHooks = {}): Promise<LoglikelihoodResult[]> {
    const tok = this.requireTokenizer('loglikelihood');
    this.checkLoglikelihoodAllowed();
    const prefix = this.prefixTokenId;
    const add = this.config.addBosToken;
    const contexts = requests.map((r) => this.contextText(r.context, 'loglikelihood'));
    const out: LoglikelihoodResult[] = new Array(requests.length);
    const deliver = (i: number, r: LoglikelihoodResult) => {
      out[i] = r;
      hooks.onResult?.(i, r);
    };
    if (this.feedsWindow()) {
      const feed = new ChunkFeed<FedItem>(
        requests.length,
        async (from, to) => {
          const pairs = await encodePairs(tok, contexts.slice(from, to), requests.slice(from, to), add, prefix);
          return pairs.map((p, k) => this.fedItem(p, from + k, 0));
        },
        { chunk: this.encodeChunk, ahead: CHUNKS_AHEAD * this.encodeChunk, oneEach: true },
      );
      await this.scoreFed(feed, (f, r) => deliver(f.at, r), hooks);
      return out;
    }
    const pairs = await encodePairs(tok, contexts, requests, add, prefix);
    await this.scorePairs(pairs, deliver, hooks);
    return out;
  }

  /**
   * Whether requests go to the window as they are encoded, in input order: one prompt per request
   * on a known echo or prompt_logprobs route, where the order of requests is not seen in any result.
   */
  private feedsWindow(): boolean {
    return this.config.batchSize === 1 && (this.scoringPath === 'echo' || this.scoringPath === 'prompt_logprobs');
  }

  private fedItem(p: TokenPair, at: number, part: number): FedItem {
    const item = this.scoreItem(p, at);
    return { at, part, item, answer: this.probeAnswerFor(item) };
  }

  async loglikelihoodRolling(requests: RollingRequest[], hooks: RequestHooks = {}): Promise<number[]> {
    const tok = this.requireTokenizer('loglikelihood_rolling');
    this.checkLoglikelihoodAllowed();
    const prefix = this.prefixTokenId;
    // lm-eval: windows of max_length − 1 on top of the backend's own − 1.
    const L = this.maxInputLength - 1;
    const out: number[] = new Array(requests.length);
    for (let i = 0; i < requests.length; i++) {
      if (requests[i].text === '') {
        out[i] = 0;
        hooks.onResult?.(i, 0);
      }
    }
    const texts: string[] = [];
    const owners: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      if (requests[i].text === '') continue;
      texts.push(requests[i].text);
      owners.push(i);
    }
    if (this.feedsWindow()) {
      // each text's window results, summed in window order (as lm-eval does) once all are in
      const parts: number[][] = new Array(requests.length);
      const remaining = new Array<number>(requests.length).fill(0);
      const feed = new ChunkFeed<FedItem>(
        texts.length,
        async (from, to) => {
          const encoded = await tok.encodeMany(texts.slice(from, to), this.config.addBosToken);
          const items: FedItem[] = [];
          for (let k = 0; k < encoded.length; k++) {
            const i = owners[from + k];
            const windows = rollingWindows(encoded[k], prefix, L);
            encoded[k] = EMPTY_IDS;
            if (windows.length === 0) {
              // a text of no tokens scores 0, delivered through the window like the others
              parts[i] = [0];
              remaining[i] = 1;
              items.push({ at: i, part: 0, item: RELEASED_ITEM, answer: [0, true] });
              continue;
            }
            parts[i] = new Array<number>(windows.length);
            remaining[i] = windows.length;
            for (let w = 0; w < windows.length; w++) items.push(this.fedItem(windows[w], i, w));
          }
          return items;
        },
        { chunk: this.encodeChunk, ahead: CHUNKS_AHEAD * this.encodeChunk },
      );
      await this.scoreFed(feed, (f, [lp]) => {
        const i = f.at;
        parts[i][f.part] = lp;
        remaining[i] -= 1;
        if (remaining[i] === 0) {
          let sum = 0;
          for (const x of parts[i]) sum += x;
          parts[i] = EMPTY_IDS;
          out[i] = sum;
          hooks.onResult?.(i, sum);
        }
      }, hooks);
      return out;
    }
    // each text's ids are dropped once cut into windows
    const encoded = await tok.encodeMany(texts, this.config.addBosToken);
    const windows: TokenPair[] = [];
    const owner: number[] = [];
    const remaining = new Array<number>(requests.length).fill(0);
    const totals = new Array<number>(requests.length).fill(0);
    for (let i = 0, k = 0; i < requests.length; i++) {
      if (requests[i].text === '') continue;
      for (const w of rollingWindows(encoded[k], prefix, L)) {
        windows.push(w);
        owner.push(i);
        remaining[i] += 1;
      }
      encoded[k++] = EMPTY_IDS;
    }
    // Sum per text in window order (as lm-eval does), delivering each text once all its windows are in.
    const windowResults: number[] = new Array(windows.length);
    const firstWindow = new Map<number, number>();
    owner.forEach((o, w) => {
      if (!firstWindow.has(o)) firstWindow.set(o, w);
    });
    await this.scorePairs(windows, (w, [lp]) => {
      windowResults[w] = lp;
      const i = owner[w];
      remaining[i] -= 1;
      if (remaining[i] === 0) {
        let sum = 0;
        for (let k = firstWindow.get(i)!; k < owner.length && owner[k] === i; k++) sum += windowResults[k];
        totals[i] = sum;
        out[i] = sum;
        hooks.onResult?.(i, sum);
      }
    }, hooks);
    return out;
  }

  private loglikelihoodPayload(prompts: number[][], path: ScoringPath, preflight = false): Record<string, unknown> {
    const base = { model: this.config.model, prompt: prompts as unknown };
    if (path === 'prompt_logprobs' && !preflight) {
      return { ...base, temperature: 0, max_tokens: 1, seed: this.config.seed, prompt_logprobs: 1 };
    }
    // lm-eval's payload, key order included.
    const p: Record<string, unknown> = { ...base, temperature: 0, max_tokens: 1, logprobs: 1, seed: this.config.seed, echo: true };
    if (preflight) p.prompt_logprobs = 1;
    return p;
  }

  /**
   * The same payloads as loglikelihoodPayload for token-id prompts, written straight to JSON text
   * (byte-identical to JSON.stringify of that object; no intermediate objects on the hot path):
   * a fixed head and tail around the prompt list, built once per scoring path.
   */
  private loglikelihoodBody(prompts: number[][], path: ScoringPath): SerializedJson {
    const [head, tail] = this.bodyFrame(path);
    // JSON.stringify of an integer array = "[" + join(",") + "]", on V8's fast path.
    let p = JSON.stringify(prompts[0]);
    for (let i = 1; i < prompts.length; i++) p += ',' + JSON.stringify(prompts[i]);
    return new SerializedJson(head + p + tail);
  }

  private frames: { path: ScoringPath; head: string; tail: string } | null = null;

  private bodyFrame(path: ScoringPath): [string, string] {
    let f = this.frames;
    if (f === null || f.path !== path) {
      const head = `{"model":${JSON.stringify(this.config.model)},"prompt":[`;
      const tail = path === 'prompt_logprobs' ? `],"temperature":0,"max_tokens":1,"seed":${this.config.seed},"prompt_logprobs":1}` : `],"temperature":0,"max_tokens":1,"logprobs":1,"seed":${this.config.seed},"echo":true}`;
      this.frames = f = { path, head, tail };
    }
    return [f.head, f.tail];
  }

  private async promptField(prompts: number[][]): Promise<unknown> {
    if (this.config.tokenizedRequests) return prompts; // always a list of lists, even for one prompt
    const texts = await Promise.all(prompts.map((p) => this.tokenizer!.decode(p)));
    return texts.length === 1 ? texts[0] : texts;
  }

  /**
   * Preflight: one echo request that also asks for vLLM's prompt_logprobs. Decides the scoring
   * route and refuses servers that do not return a log-prob per prompt token (llama.cpp).
   * Returns the scored answer of the probe item.
   */
  private async probeScoringPath(item: ScoreItem, hooks: RequestHooks): Promise<[number, boolean]> {
    const where = this.config.baseUrl;
    await this.noteFirstPrompt(item.input);
    if (this.config.scoring === 'forced') return this.startForced(item, hooks, null);
    const ask = this.config.backend === 'local-completions' && this.config.scoring !== 'echo';
    let resp: unknown;
    const control = { running: true };
    const send = async (withPromptLogprobs: boolean) => {
      const payload = this.loglikelihoodPayload([item.input], 'echo', withPromptLogprobs);
      payload.prompt = await this.promptField([item.input]);
      return this.post(payload, control, hooks.signal);
    };
    try {
      resp = await send(ask);
    } catch (e) {
      if (e instanceof ApiRequestError && e.status !== null && e.status >= 400 && e.status < 500 && e.status !== 429) {
        const msg = e.info.serverMessage ?? '';
        if (/echo/i.test(msg)) return this.startForced(item, hooks, `it refused echo: "${msg}"`);
        if (ask && /prompt_logprobs/i.test(msg)) {
          resp = await send(false).catch((e2) => {
            throw this.failure(e2, item);
          });
        } else throw this.failure(e, item);
      } else throw this.failure(e, item);
    }
    const [choice] = choicesByIndex(resp, 1, where);
    const P = item.input.length;
    const pl = choice.prompt_logprobs;
    const tl = choice.logprobs?.token_logprobs;
    if (ask && Array.isArray(pl) && pl.length === P) {
      this.scoringPath = 'prompt_logprobs';
      return scorePromptLogprobs(pl, item.input, item.ctxlen, where);
    }
    if (this.config.scoring === 'prompt_logprobs') {
      throw new LmEvalError(`scoring=prompt_logprobs: ${where} returned no prompt_logprobs (a vLLM extension).`, 'Use scoring=auto or scoring=echo.');
    }
    if (!Array.isArray(tl)) {
      const content = choice.logprobs && Array.isArray(choice.logprobs.content) ? 'it answered echo with generated-token logprobs only' : 'its reply has no echoed logprobs';
      return this.startForced(item, hooks, content);
    }
    if (tl.length !== P + 1) return this.startForced(item, hooks, `it returned ${tl.length} token log-probs for a ${P}-token prompt plus one generated token`);
    this.scoringPath = 'echo';
    return scoreEchoChoice(choice, P, item.ctxlen, where);
  }

  /**
   * The forced-token route (scoring=forced, or auto once echo and prompt_logprobs are ruled out):
   * proven on the probe's own context first, then the probe is scored. `echoDetail` says why the
   * echo route failed (null: forced was asked for).
   */
  private async startForced(item: ScoreItem, hooks: RequestHooks, echoDetail: string | null): Promise<[number, boolean]> {
    const where = this.config.baseUrl;
    if (this.config.scoring !== 'auto' && this.config.scoring !== 'forced') throw noPromptLogprobsError(where, `${echoDetail ?? 'no echo'}; scoring=${this.config.scoring} rules out forcing tokens with logit_bias, which scoring=auto or scoring=forced would try`);
    const control = { running: true };
    const send = async (prompt: number[], forced: number | null, topN: number) => {
      const resp = await this.post(forcedStepPayload(this.config.model, prompt, forced, this.config.seed, topN, null, this.config.cachePrompt), control, hooks.signal).catch((e) => {
        throw this.failure(e, item);
      });
      return choicesByIndex(resp, 1, where)[0];
    };
    const verdict = await verifyForcedScoring(item.input.slice(0, item.ctxlen), send, where);
    if (!verdict.ok) {
      throw noPromptLogprobsError(
        where,
        `${echoDetail ? echoDetail + '; ' : ''}forced-token scoring is not possible either: ${verdict.reason}`,
      );
    }
    this.scoringPath = 'forced';
    this.slots = await this.serverSlots();
    if (this.config.cachePrompt) {
      warn(
        `${where} is scored by forcing tokens, one request per continuation token, each continuation on one llama-server slot. ` +
          "llama-server's prompt cache and batching can flip is_greedy (and the last digits of log-probs) on near-ties between runs; " +
          'pass cache_prompt=False in --model_args for reproducible flags (slower: every step recomputes its prefix).',
      );
    }
    return this.scoreForced(item, control, hooks.signal);
  }

  /** llama-server's slots from GET /props (`total_slots`); null when the server does not report them. */
  private async serverSlots(): Promise<SlotPool | null> {
    try {
      const props = await this.probe((client) => client.request<unknown>(`${serverRoot(this.config.baseUrl)}/props`, undefined));
      const n = totalSlots(props);
      return n === null ? null : new SlotPool(n);
    } catch {
      return null;
    }
  }

  /** The llama-server slots lent to continuations (null: the server reports none, requests are not pinned). */
  private slots: SlotPool | null = null;

  /**
   * One continuation by forcing each of its tokens in order (same prefix each step: the server's
   * prompt cache serves it), all on one server slot when the server has slots.
   */
  private scoreForced(item: ScoreItem, control: WindowControl, signal?: AbortSignal): Promise<[number, boolean]> {
    if (this.slots === null) return this.scoreForcedOn(item, control, signal, null);
    return this.slots.with((slot) => this.scoreForcedOn(item, control, signal, slot));
  }

  private async scoreForcedOn(item: ScoreItem, control: WindowControl, signal: AbortSignal | undefined, slot: number | null): Promise<[number, boolean]> {
    const where = this.config.baseUrl;
    let sum = 0;
    let greedy = true;
    for (let i = item.ctxlen; i < item.input.length; i++) {
      const token = item.input[i];
      const resp = await this.post(forcedStepPayload(this.config.model, item.input.slice(0, i), token, this.config.seed, 1, slot, this.config.cachePrompt), control, signal);
      const [lp, g] = scoreForcedStep(readStepEntry(choicesByIndex(resp, 1, where)[0], where), token, where);
      sum += lp;
      if (!g) greedy = false;
    }
    return [sum, greedy];
  }

  private failure(e: unknown, item: ScoreItem): Error {
    if (e instanceof LmEvalError) return e;
    if (e instanceof ApiRequestError && e.info.kind === 'aborted') return e;
    return this.explain(e, item.input.length);
  }

  private explain(e: unknown, promptTokens: number): Error {
    return explainFailure(e, { maxLength: this.config.maxLength, promptTokens });
  }

  /**
   * A pair's scoring input: `context + continuation`, left-truncated to max_length − 1 tokens
   * (lm-eval's TemplateAPI), warned about once. A continuation that leaves no context token is
   * refused: lm-eval would slice the log-probs at ctxlen <= 0, a wrong number, never an answer.
   */
  private scoreItem(p: TokenPair, index: number): ScoreItem {
    const maxLength = this.maxInputLength;
    const whole = (p.whole ??= p.context.concat(p.continuation));
    if (whole.length <= maxLength) return { input: whole, ctxlen: p.context.length };
    const t = truncateForScoring(p, maxLength, whole);
    if (t.ctxlen < 1) {
      throw new RequestTooLargeError(
        index,
        `the continuation has ${p.continuation.length} tokens (the context ${p.context.length}); with max_length=${this.config.maxLength} at most ${maxLength - 1} continuation tokens can be scored (one position is kept for the generated token, one for the context).`,
        'Raise max_length in --model_args (up to the server\'s context size) or shorten the continuation (doc_to_choice / doc_to_target).',
      );
    }
    if (!this.truncationWarned) {
      this.truncationWarned = true;
      warn(`a loglikelihood request is longer than max_length − 1 = ${maxLength} tokens; its context is left-truncated.`);
    }
    return { input: t.input, ctxlen: t.ctxlen };
  }

  /**
   * Scores token pairs in the Collator's order through the sliding window. Takes `pairs` over: its
   * entries are released as they become requests, and each request's ids once it is answered, so
   * the memory held falls as the run goes.
   */
  private async scorePairs(pairs: TokenPair[], deliver: (i: number, r: LoglikelihoodResult) => void, hooks: RequestHooks): Promise<void> {
    if (pairs.length === 0) return;
    const n = pairs.length;
    const wholes: number[][] = new Array(n);
    const items: ScoreItem[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const p = pairs[i];
      pairs[i] = RELEASED_PAIR;
      items[i] = this.scoreItem(p, i);
      wholes[i] = p.whole!;
    }
    let order = longestFirst(pairs, wholes);
    const probed = this.takeProbeAnswer(items, order);
    if (probed) {
      deliver(order[probed.at], probed.result);
      order = order.slice(0, probed.at).concat(order.slice(probed.at + 1));
    }
    if (order.length === 0) return;
    if (this.scoringPath === null) {
      // Probe with the shortest request; its answer is kept.
      const probe = order[order.length - 1];
      const r = await this.probeScoringPath(items[probe], hooks);
      deliver(probe, r);
      order = order.slice(0, -1);
    }
    const path = this.scoringPath!;
    const ctx: { promptTokens?: number } = {};
    if (path === 'forced') {
      // One continuation per job (its steps in order), num_concurrent continuations at once.
      for (const i of order) if (items[i].input.length > (ctx.promptTokens ?? 0)) ctx.promptTokens = items[i].input.length;
      await this.runJobs(order.length, async (k, control) => deliver(order[k], await this.scoreForced(items[order[k]], control, hooks.signal)), hooks, ctx);
      return;
    }
    const bs = this.config.batchSize;
    const nBatches = Math.ceil(order.length / bs);
    const job = async (b: number, control: WindowControl) => {
      const idx = bs === 1 ? [order[b]] : order.slice(b * bs, b * bs + bs);
      const batch: ScoreItem[] = new Array(idx.length);
      for (let k = 0; k < idx.length; k++) batch[k] = items[idx[k]];
      const results = await this.scoreBatch(batch, path, control, hooks, ctx);
      for (let k = 0; k < idx.length; k++) {
        deliver(idx[k], results[k]);
        items[idx[k]] = RELEASED_ITEM;
      }
    };
    await this.runJobs(nBatches, job, hooks, ctx);
  }

  /**
   * Scores the items a feed produces, one request each, as the feed produces them: the window's
   * k-th job sends item k once its chunk is encoded. A failure anywhere stops the feed.
   */
  private async scoreFed(feed: ChunkFeed<FedItem>, deliver: (f: FedItem, r: LoglikelihoodResult) => void, hooks: RequestHooks): Promise<void> {
    const path = this.scoringPath!;
    const ctx: { promptTokens?: number } = {};
    await this.runFed(feed, () => feed.total, async (k, control) => {
      const f = await feed.take(k);
      if (f === undefined || !control.running) return;
      if (f.answer !== null) return deliver(f, f.answer);
      const [r] = await this.scoreBatch([f.item], path, control, hooks, ctx);
      f.item = RELEASED_ITEM;
      deliver(f, r);
    }, hooks, ctx);
  }

  /**
   * runJobs over the items of a feed: the feed stops when the run ends or a job fails (jobs waiting
   * for an item then return), and a producer's error (tokenisation) is thrown as it was raised.
   */
  private async runFed(feed: ChunkFeed<unknown>, count: number | (() => number), job: (k: number, control: WindowControl) => Promise<void>, hooks: RequestHooks, ctx?: { promptTokens?: number }): Promise<void> {
    const guarded = async (k: number, control: WindowControl) => {
      try {
        await job(k, control);
      } catch (e) {
        feed.stop();
        throw e;
      }
    };
    try {
      await this.runJobs(count, guarded, hooks, ctx);
    } catch (e) {
      throw e instanceof FeedError ? e.cause : e;
    } finally {
      feed.stop();
    }
  }

  /** One scoring request of `batch`'s inputs on the echo or prompt_logprobs route; their results in order. */
  private async scoreBatch(batch: ScoreItem[], path: ScoringPath, control: WindowControl, hooks: RequestHooks, ctx: { promptTokens?: number }): Promise<LoglikelihoodResult[]> {
    const where = this.config.baseUrl;
    const inputs: number[][] = new Array(batch.length);
    let from = Infinity; // scoring reads each reply from the smallest ctxlen on
    let longest = 0;
    for (let k = 0; k < batch.length; k++) {
      const x = (inputs[k] = batch[k].input);
      if (x.length > (ctx.promptTokens ?? 0)) ctx.promptTokens = x.length;
      if (x.length > longest) longest = x.length;
      if (batch[k].ctxlen < from) from = batch[k].ctxlen;
    }
    let body: Record<string, unknown> | SerializedJson;
    if (this.config.tokenizedRequests) body = this.loglikelihoodBody(inputs, path);
    else {
      body = this.loglikelihoodPayload(inputs, path);
      body.prompt = await this.promptField(inputs);
    }
    const echo = path !== 'prompt_logprobs';
    const resp = await this.post(body, control, hooks.signal, undefined, scoringReplyParser(echo ? 'echo' : 'prompt_logprobs', from, longest));
    const choices = choicesByIndex(resp, batch.length, where);
    const results: LoglikelihoodResult[] = new Array(batch.length);
    for (let k = 0; k < batch.length; k++) {
      const it = batch[k];
      results[k] = echo ? scoreEchoChoice(choices[k], it.input.length, it.ctxlen, where) : scorePromptLogprobs(choices[k].prompt_logprobs, it.input, it.ctxlen, where);
    }
    return results;
  }

  // ---------------------------------------------------------------------------------------------
  // generate_until
  // ---------------------------------------------------------------------------------------------

  async generateUntil(requests: GenerateRequest[], hooks: RequestHooks = {}): Promise<string[]> {
    const contexts = requests.map((r) => this.contextText(r.context, 'generate_until'));
    const genKey = memoPyJsonDumps();
    const batches = generationBatches(requests, (r) => genKey(r.genKwargs), (r) => pyLen(typeof r.context === 'string' ? r.context : r.context.prompt), this.config.batchSize);
    const out: string[] = new Array(requests.length);
    // [quirk] lm-eval's async path (num_concurrent > 1) does not append the EOS string to `stop`.
    const eos = this.config.numConcurrent > 1 ? null : this.eosStop();
    let truncWarned = false;
    // contexts encoded chunk by chunk in batch order, ahead of the window; each batch takes its ids once
    const encodedContexts = this.config.tokenizedRequests ? this.contextFeed(contexts, batches) : null;
    const job = async (b: number, control: WindowControl) => {
      const idx = batches[b];
      const gk = requests[idx[0]].genKwargs;
      const { maxTokens, temperature, until, rest } = splitGenKwargs(gk, this.config.maxGenToks);
      const stop = handleStopSequences(until, eos);
      let prompt: unknown;
      if (encodedContexts !== null) {
        const maxGen = Number(gk.max_gen_toks ?? this.config.maxGenToks);
        const keep = this.maxInputLength - maxGen;
        if (keep <= 0) throw new LmEvalError(`max_gen_toks=${maxGen} leaves no room for the context within max_length=${this.config.maxLength}.`, 'Raise max_length or lower max_gen_toks.');
        const encoded = await encodedContexts.take(b);
        if (encoded === undefined || !control.running) return;
        await this.noteFirstPrompt(encoded[0]);
        prompt = encoded.map((ids) => {
          if (ids.length > keep && !truncWarned) {
            truncWarned = true;
            warn(`a generation context is longer than max_length − 1 − max_gen_toks = ${keep} tokens; it is left-truncated.`);
          }
          return ids.length > keep ? ids.slice(ids.length - keep) : ids;
        });
      } else {
        prompt = idx.length === 1 ? contexts[idx[0]] : idx.map((i) => contexts[i]);
      }
      const payload = { prompt, model: this.config.model, max_tokens: maxTokens, temperature, stop, seed: this.config.seed, ...rest };
      const started = performance.now();
      const resp = await this.post<Completion>(payload, control, hooks.signal);
      const latency = (performance.now() - started) / 1000;
      const choices = choicesByIndex(resp, idx.length, this.config.baseUrl);
      idx.forEach((i, k) => {
        const t = choices[k].text;
        const text = t === null || t === undefined ? this.placeholder : cutAtStops(t, stop);
        hooks.onDetail?.(i, generationDetail(resp, choices[k], idx.length, latency));
        out[i] = text;
        hooks.onResult?.(i, text);
      });
    };
    if (encodedContexts === null) await this.runJobs(batches.length, job, hooks);
    else await this.runFed(encodedContexts, batches.length, job, hooks);
    return out;
  }

  /** The token ids of each batch's contexts, encoded in batch order a chunk at a time. */
  private contextFeed(contexts: string[], batches: number[][]): ChunkFeed<number[][]> {
    const tok = this.requireTokenizer('tokenized requests');
    const perBatch = batches.length === 0 ? 1 : batches[0].length;
    return new ChunkFeed<number[][]>(
      batches.length,
      async (from, to) => {
        const texts: string[] = [];
        for (let b = from; b < to; b++) for (const i of batches[b]) texts.push(contexts[i]);
        const ids = await tok.encodeMany(texts, this.config.addBosToken);
        const out: number[][][] = new Array(to - from);
        for (let b = from, k = 0; b < to; b++) {
          const n = batches[b].length;
          out[b - from] = ids.slice(k, k + n);
          k += n;
        }
        return out;
      },
      { chunk: Math.max(1, Math.floor(this.encodeChunk / perBatch)), ahead: CHUNKS_AHEAD * Math.max(1, Math.floor(this.encodeChunk / perBatch)), oneEach: true },
    );
  }

  // ---------------------------------------------------------------------------------------------
  // chat templates, identity, results
  // ---------------------------------------------------------------------------------------------

  applyChatTemplate(messages: ChatMessage[], options: ChatTemplateOptions): Context {
    const t = this.tokenizer;
    if (t && t.chatTemplate && this.config.tokenizedRequests) {
      return renderChatTemplate(t.chatTemplate, messages, {
        addGenerationPrompt: options.addGenerationPrompt,
        continueFinalMessage: !options.addGenerationPrompt,
        variables: { bos_token: t.bosText ?? '', eos_token: t.eosText ?? '' },
      });
    }
    return JsonChatStr.of(pyJsonDumps(messages, { ensureAscii: false }));
  }

  chatTemplate(): string | null {
    return this.tokenizer?.chatTemplate ?? '';
  }

  resultsInfo(): Record<string, unknown> {
    return { ...this.tokenizerResultsInfo(), scoring_path: this.scoringPath, api_requests: this.runStats() };
  }
}

/** Whether two scoring inputs are the same request (same ids, same context length). */
function sameItem(a: ScoreItem, b: ScoreItem): boolean {
  if (a.ctxlen !== b.ctxlen || a.input.length !== b.input.length) return false;
  for (let j = 0; j < a.input.length; j++) if (a.input[j] !== b.input[j]) return false;
  return true;
}
