/**
 * An OpenAI-compatible test server on 127.0.0.1 that behaves like vLLM's OpenAI-compatible server
 * (vllm/entrypoints/openai: completions, chat, /tokenize, /v1/models) or llama.cpp's `llama-server`
 * (tools/server), with every number computed by the real
 * stories260K model. Fault modes (faults.ts) are selectable per test; the server counts requests.
 *
 * Control endpoints (for tests that run it as a separate process):
 *   GET  /__control/stats          → ServerStats
 *   POST /__control/faults         {"faults": "<spec>"} replaces the faults and restarts numbering
 *   POST /__control/reset          zeroes the counters
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StoriesModel } from './stories-model.ts';
import { faultApplies, mulberry32, parseFaults, type Fault } from './faults.ts';
import { entry, generate, promptLogprobEntry, textOffsets, topLogprobsDict, topLogprobsList, type SamplingOptions } from './engine.ts';

/**
 * `llamacpp`: llama-server as it is (echo refused, `logit_bias` honoured, pre-sampling log-probs);
 * `llamacpp-silent`: a build that accepts echo but returns generated-token log-probs only;
 * `llamacpp-nobias`: a llama.cpp-shaped server that ignores `logit_bias` (forced scoring must refuse it).
 */
export type ServerMode = 'vllm' | 'llamacpp' | 'llamacpp-silent' | 'llamacpp-nobias';

export interface TestServerOptions {
  /** The loaded model, or its folder. */
  model: StoriesModel | string;
  mode?: ServerMode;
  port?: number;
  /** Name served in /v1/models and accepted as `model` (default: the folder name). */
  servedModelName?: string;
  /** Context window announced and enforced (default 1024: the RoPE model runs past its 512 training length). */
  maxModelLen?: number;
  /** vLLM error envelope: `nested` (≥0.10.1, default) or `flat` (≤0.10.0). */
  errorEnvelope?: 'nested' | 'flat';
  faults?: string | Fault[];
  /** Serve /tokenizer_info (vLLM's --enable-tokenizer-info-endpoint). */
  tokenizerInfo?: boolean;
  /** Require `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Reasoning-parser imitation for chat: the real generation up to and including its first `.` is reasoning. */
  reasoning?: 'none' | 'inline' | 'field';
  maxLogprobs?: number;
  /** llama.cpp modes: `total_slots` in GET /props (default 1); an `id_slot` outside it is refused. */
  totalSlots?: number;
}

export interface ServerStats {
  /** Every HTTP request received. */
  requests: number;
  /** POST /v1/completions + /v1/chat/completions requests received. */
  scoringRequests: number;
  byPath: Record<string, number>;
  /** Prompts received on /v1/completions. */
  prompts: number;
  inFlight: number;
  maxInFlight: number;
  faultsInjected: Record<string, number>;
  /** Authorization header values seen (for key-handling tests). */
  authorizations: string[];
  /** Request bodies of the scoring endpoints, most recent last (capped at 200). */
  bodies: unknown[];
  forwardPasses: number;
}

export interface TestServer {
  url: string;
  port: number;
  model: StoriesModel;
  stats: ServerStats;
  setFaults(spec: string | Fault[]): void;
  resetStats(): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    public status: number,
    message: string,
    public type: string,
    public param: string | null = null,
    public extraHeaders: Record<string, string> = {},
  ) {
    super(message);
  }
}

function newStats(): ServerStats {
  return { requests: 0, scoringRequests: 0, byPath: {}, prompts: 0, inFlight: 0, maxInFlight: 0, faultsInjected: {}, authorizations: [], bodies: [], forwardPasses: 0 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const model = typeof options.model === 'string' ? await StoriesModel.load(options.model) : options.model;
  const mode: ServerMode = options.mode ?? 'vllm';
  const servedName = options.servedModelName ?? model.name;
  const maxModelLen = options.maxModelLen ?? 1024;
  const maxLogprobs = options.maxLogprobs ?? 20;
  const totalSlots = options.totalSlots ?? 1;
  const envelope = options.errorEnvelope ?? 'nested';
  const reasoning = options.reasoning ?? 'none';
  let faults: Fault[] = typeof options.faults === 'string' || options.faults === undefined ? parseFaults(options.faults as string | undefined) : options.faults;
  let rand = mulberry32(1234);
  let stats = newStats();
  let scoringNumber = 0;
  const created = Math.floor(Date.now() / 1000);
  let idCounter = 0;
  const sockets = new Set<import('node:net').Socket>();

  const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const errorBody = (e: HttpError): unknown => {
    if (mode !== 'vllm') return { error: { code: e.status, message: e.message, type: e.type } };
    const inner = { message: e.message, type: e.type, param: e.param, code: e.status };
    return envelope === 'flat' ? { object: 'error', ...inner } : { error: inner };
  };

  const contextError = (promptLen: number, maxTokens: number) =>
    new HttpError(
      400,
      `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${promptLen + maxTokens} tokens ` +
        `(${promptLen} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.` +
        ` (parameter=input_tokens, value=${promptLen})`,
      'BadRequestError',
      'input_tokens',
    );

  const num = (v: unknown, dflt: number): number => (v === undefined || v === null ? dflt : Number(v));

  /** `logit_bias` as OpenAI (`{"id": bias}`) or llama.cpp (`[[id, bias]]`) sends it; ignored by the nobias variant. */
  const logitBiasOf = (v: unknown): Map<number, number> | undefined => {
    if (v === undefined || v === null || mode === 'llamacpp-nobias') return undefined;
    const m = new Map<number, number>();
    const entries: Array<[unknown, unknown]> = Array.isArray(v) ? (v as Array<[unknown, unknown]>) : Object.entries(v as Record<string, unknown>);
    for (const [k, b] of entries) {
      const id = Number(k);
      if (!Number.isInteger(id)) throw new HttpError(400, `logit_bias key ${JSON.stringify(k)} is not a token id.`, 'invalid_request_error');
      m.set(id, b === false ? -Infinity : Number(b));
    }
    return m;
  };

  const samplingFrom = (body: Record<string, unknown>, maxTokens: number): SamplingOptions => {
    const stop = body.stop === undefined || body.stop === null ? [] : typeof body.stop === 'string' ? [body.stop] : (body.stop as string[]);
    if (stop.some((s) => s === '')) throw new HttpError(400, 'stop cannot contain an empty string.', 'BadRequestError', 'stop');
    const temperature = num(body.temperature, 1.0);
    if (temperature < 0 || temperature > 2) throw new HttpError(400, `temperature must be in [0, 2], got ${temperature}.`, 'BadRequestError', 'temperature');
    return {
      maxTokens,
      temperature,
      topP: num(body.top_p, 1),
      topK: num(body.top_k, 0),
      seed: body.seed === undefined || body.seed === null ? null : Number(body.seed),
      stop: mode === 'vllm' || stop.length ? stop : [],
      ignoreEos: body.ignore_eos === true,
      includeStopStrInOutput: body.include_stop_str_in_output === true,
      skipSpecialTokens: body.skip_special_tokens !== false,
      logitBias: logitBiasOf(body.logit_bias),
    };
  };

  const checkIds = (ids: number[]) => {
    for (const t of ids) {
      if (!Number.isInteger(t) || t < 0 || t >= model.vocabSize) {
        throw new HttpError(400, `Token id ${t} is out of vocabulary (size ${model.vocabSize}).`, 'BadRequestError', 'prompt');
      }
    }
  };

  async function completions(body: Record<string, unknown>): Promise<unknown> {
    const raw = body.prompt;
    let prompts: Array<{ ids: number[]; text: string | null }>;
    const addSpecial = body.add_special_tokens !== false;
    const isIntArr = (x: unknown) => Array.isArray(x) && x.every((t) => typeof t === 'number');
    if (typeof raw === 'string') prompts = [{ ids: [], text: raw }];
    else if (Array.isArray(raw) && raw.length > 0 && isIntArr(raw)) prompts = [{ ids: raw as number[], text: null }];
    else if (Array.isArray(raw) && raw.length > 0 && raw.every((p) => typeof p === 'string')) prompts = (raw as string[]).map((t) => ({ ids: [], text: t }));
    else if (Array.isArray(raw) && raw.length > 0 && raw.every(isIntArr)) prompts = (raw as number[][]).map((ids) => ({ ids, text: null }));
    else throw new HttpError(400, 'Either prompt or prompt_embeds must be provided and non-empty.', 'BadRequestError', 'prompt');
    for (const p of prompts) {
      if (p.text !== null) {
        if (p.text === '') throw new HttpError(400, 'Either prompt or prompt_embeds must be provided and non-empty.', 'BadRequestError', 'prompt');
        // vLLM adds BOS to string prompts unless add_special_tokens is false; llama.cpp also parses specials.
        p.ids = model.encode(p.text, mode === 'vllm' ? addSpecial : true);
      }
      if (p.ids.length === 0) throw new HttpError(400, 'Either prompt or prompt_embeds must be provided and non-empty.', 'BadRequestError', 'prompt');
      checkIds(p.ids);
    }
    stats.prompts += prompts.length;
    if (mode !== 'vllm' && body.id_slot !== undefined && body.id_slot !== -1) {
      const slot = body.id_slot;
      if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0 || slot >= totalSlots) throw new HttpError(400, 'Invalid slot ID', 'invalid_request_error');
    }
    const echo = body.echo === true;
    if ((mode === 'llamacpp' || mode === 'llamacpp-nobias') && echo) throw new HttpError(400, 'Only no echo is supported', 'invalid_request_error');
    const maxTokens = num(body.max_tokens, 16);
    if (maxTokens === 0 && !(echo && mode === 'vllm')) throw new HttpError(400, 'max_tokens must be at least 1, got 0.', 'BadRequestError', 'max_tokens');
    const n = num(body.n, 1);
    const logprobs = body.logprobs === undefined || body.logprobs === null ? null : Number(body.logprobs);
    let promptLogprobs = body.prompt_logprobs === undefined || body.prompt_logprobs === null ? null : Number(body.prompt_logprobs);
    if (logprobs !== null && logprobs > maxLogprobs) {
      throw new HttpError(400, `Requested sample logprobs of ${logprobs}, which is greater than max allowed: ${maxLogprobs}`, 'BadRequestError', 'logprobs');
    }
    if (promptLogprobs !== null && promptLogprobs > maxLogprobs) {
      throw new HttpError(400, `Requested prompt logprobs of ${promptLogprobs}, which is greater than max allowed: ${maxLogprobs}`, 'BadRequestError', 'prompt_logprobs');
    }
    if (mode !== 'vllm') promptLogprobs = null;
    else if (echo && logprobs !== null && promptLogprobs === null) promptLogprobs = logprobs;
    const sampling = samplingFrom(body, Math.max(maxTokens, 1));
    if (n > 1 && sampling.temperature === 0) throw new HttpError(400, 'n must be 1 when using greedy sampling, got ' + n + '.', 'BadRequestError', 'n');
    for (const p of prompts) if (p.ids.length + maxTokens > maxModelLen) throw contextError(p.ids.length, maxTokens);

    const choices: unknown[] = [];
    let promptTokens = 0;
    let completionTokens = 0;
    for (const p of prompts) {
      promptTokens += p.ids.length;
      for (let j = 0; j < n; j++) {
        const g = await generate(model, p.ids, { ...sampling, seed: sampling.seed === null ? null : sampling.seed + j });
        completionTokens += g.ids.length;
        const showGen = maxTokens > 0;
        const genIds = showGen ? g.ids : [];
        const genText = showGen ? g.text : '';
        const promptText = p.text ?? model.decode(p.ids, sampling.skipSpecialTokens);
        let lp: unknown = null;
        let pl: unknown = null;
        if (mode === 'vllm') {
          const needPrompt = echo && logprobs !== null || promptLogprobs !== null;
          const rows = needPrompt ? await model.logprobRows(p.ids) : [];
          if (logprobs !== null) {
            const tokens: string[] = [];
            const tokenLogprobs: Array<number | null> = [];
            const top: Array<Record<string, number> | null> = [];
            if (echo) {
              p.ids.forEach((id, i) => {
                tokens.push(model.tokenString(id));
                tokenLogprobs.push(i === 0 ? null : rows[i - 1][id]);
                top.push(i === 0 ? null : topLogprobsDict(model, rows[i - 1], id, logprobs));
              });
            }
            genIds.forEach((id, i) => {
              tokens.push(model.tokenString(id));
              tokenLogprobs.push(g.rows[i][id]);
              top.push(topLogprobsDict(model, g.rows[i], id, logprobs));
            });
            lp = { text_offset: textOffsets(tokens), token_logprobs: tokenLogprobs, tokens, top_logprobs: top };
          }
          if (promptLogprobs !== null) {
            pl = p.ids.map((id, i) => (i === 0 ? null : promptLogprobEntry(model, rows[i - 1], id, promptLogprobs as number)));
          }
        } else if (logprobs !== null) {
          // llama.cpp: generated tokens only, in the `content` shape (the silent-echo build too).
          // top_logprobs: the n_probs most likely tokens of the raw distribution (llama.cpp's default, pre-sampling).
          lp = { content: genIds.map((id, i) => ({ ...entry(model, g.rows[i], id, true), top_logprobs: StoriesModel.ranked(g.rows[i], logprobs).map((e) => entry(model, g.rows[i], e.id, true)) })) };
        }
        const choice: Record<string, unknown> = {
          index: choices.length,
          text: (echo && mode === 'vllm' ? promptText : '') + genText,
          logprobs: lp,
          finish_reason: g.finishReason,
        };
        if (mode === 'vllm') {
          choice.stop_reason = g.stopReason;
          choice.prompt_logprobs = pl;
          choice.prompt_token_ids = null;
          choice.token_ids = null;
        }
        choices.push(choice);
      }
    }
    return {
      id: `cmpl-${++idCounter}`,
      object: 'text_completion',
      created,
      model: servedName,
      choices,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens, prompt_tokens_details: null },
      ...(mode === 'vllm' ? { system_fingerprint: null } : {}),
    };
  }

  function renderChat(messages: Array<{ role: string; content: string }>, addGenerationPrompt: boolean, continueFinal: boolean): string {
    const tok = model.tokenizer as unknown as { apply_chat_template: (m: unknown, o: unknown) => string };
    let text = tok.apply_chat_template(messages, { tokenize: false, add_generation_prompt: addGenerationPrompt });
    if (continueFinal) {
      // HF/vLLM continue_final_message: cut the rendering right after the final message's (stripped) content.
      const final = String(messages[messages.length - 1]?.content ?? '').trim();
      const at = text.lastIndexOf(final);
      if (final === '' || at < 0) throw new HttpError(400, 'continue_final_message is set but the final message does not appear in the rendered chat.', 'BadRequestError', 'messages');
      text = text.slice(0, at + final.length);
    }
    return text;
  }

  function chatPromptIds(body: Record<string, unknown>): number[] {
    const messages = body.messages as Array<{ role: string; content: string }>;
    if (!Array.isArray(messages) || messages.length === 0) throw new HttpError(400, 'messages must be a non-empty list.', 'BadRequestError', 'messages');
    const continueFinal = mode === 'vllm' && body.continue_final_message === true;
    const addGen = continueFinal ? body.add_generation_prompt === true : body.add_generation_prompt !== false;
    if (continueFinal && addGen) throw new HttpError(400, 'Cannot set both `continue_final_message` and `add_generation_prompt` to True.', 'BadRequestError');
    const text = renderChat(messages, addGen, continueFinal);
    return model.encode(text, body.add_special_tokens === true);
  }

  async function chat(body: Record<string, unknown>): Promise<unknown> {
    if (body.top_logprobs !== undefined && body.top_logprobs !== null && body.logprobs !== true) {
      throw new HttpError(400, 'when using `top_logprobs`, `logprobs` must be set to true.', 'BadRequestError', 'top_logprobs');
    }
    const topK = body.top_logprobs === undefined || body.top_logprobs === null ? 0 : Number(body.top_logprobs);
    if (topK > maxLogprobs) throw new HttpError(400, `Requested sample logprobs of ${topK}, which is greater than max allowed: ${maxLogprobs}`, 'BadRequestError', 'top_logprobs');
    const ids = chatPromptIds(body);
    stats.prompts += 1;
    const requested = body.max_completion_tokens ?? body.max_tokens;
    const maxTokens = requested === undefined || requested === null ? maxModelLen - ids.length : Number(requested);
    if (ids.length + Math.max(maxTokens, 1) > maxModelLen) throw contextError(ids.length, maxTokens);
    const sampling = samplingFrom(body, Math.max(maxTokens, 1));
    const g = await generate(model, ids, sampling);
    let content = g.text;
    let reasoningText: string | null = null;
    if (reasoning !== 'none') {
      const dot = content.indexOf('.');
      const cut = dot < 0 ? content.length : dot + 1;
      reasoningText = content.slice(0, cut);
      const answer = content.slice(cut);
      content = reasoning === 'inline' ? `<think>${reasoningText}</think>${answer}` : answer;
    }
    if (mode === 'vllm' && body.echo === true) {
      const last = (body.messages as Array<{ role: string; content: string }>).at(-1);
      if (last?.role === 'assistant') content = last.content + content;
    }
    const message: Record<string, unknown> = { role: 'assistant', content };
    if (mode === 'vllm') message.reasoning_content = reasoning === 'field' ? reasoningText : null;
    let logprobs: unknown = null;
    if (body.logprobs === true) {
      logprobs = { content: g.ids.map((id, i) => ({ ...entry(model, g.rows[i], id, mode !== 'vllm'), top_logprobs: topLogprobsList(model, g.rows[i], id, topK, mode !== 'vllm') })) };
    }
    let promptLogprobs: unknown = null;
    const plk = body.prompt_logprobs ?? (body.echo === true && body.logprobs === true ? topK : undefined);
    if (mode === 'vllm' && plk !== undefined && plk !== null) {
      const rows = await model.logprobRows(ids);
      promptLogprobs = ids.map((id, i) => (i === 0 ? null : promptLogprobEntry(model, rows[i - 1], id, Number(plk))));
    }
    const out: Record<string, unknown> = {
      id: `chatcmpl-${++idCounter}`,
      object: 'chat.completion',
      created,
      model: servedName,
      choices: [{ index: 0, message, logprobs, finish_reason: g.finishReason, ...(mode === 'vllm' ? { stop_reason: g.stopReason, token_ids: null } : {}) }],
      usage: { prompt_tokens: ids.length, total_tokens: ids.length + g.ids.length, completion_tokens: g.ids.length, prompt_tokens_details: null },
    };
    if (mode === 'vllm') {
      out.prompt_logprobs = promptLogprobs;
      out.prompt_token_ids = null;
    }
    return out;
  }

  function tokenize(body: Record<string, unknown>): unknown {
    if (mode !== 'vllm') {
      // llama.cpp: {content, add_special, with_pieces}; a vLLM-style {prompt} body is an error there.
      if (typeof body.content !== 'string') throw new HttpError(400, '"content" must be provided', 'invalid_request_error');
      const ids = model.encode(body.content, body.add_special === true);
      return { tokens: body.with_pieces === true ? ids.map((id) => ({ id, piece: model.tokenString(id) })) : ids };
    }
    let ids: number[];
    if (Array.isArray(body.messages)) {
      const continueFinal = body.continue_final_message === true;
      const addGen = continueFinal ? body.add_generation_prompt === true : body.add_generation_prompt !== false;
      if (continueFinal && addGen) throw new HttpError(400, 'Cannot set both `continue_final_message` and `add_generation_prompt` to True.', 'BadRequestError');
      ids = model.encode(renderChat(body.messages as Array<{ role: string; content: string }>, addGen, continueFinal), body.add_special_tokens === true);
    } else {
      ids = model.encode(String(body.prompt ?? ''), body.add_special_tokens !== false);
    }
    return {
      count: ids.length,
      max_model_len: maxModelLen,
      tokens: ids,
      token_strs: body.return_token_strs === true ? ids.map((i) => model.pieces[i]) : null,
    };
  }

  function tokenizerInfo(): unknown {
    const cfg = (model.tokenizer as unknown as { _tokenizerConfig?: Record<string, unknown> })._tokenizerConfig ?? {};
    const { added_tokens_decoder: _drop, ...rest } = cfg;
    return { ...rest, tokenizer_class: cfg.tokenizer_class ?? 'LlamaTokenizer', eos_token: model.tokenizer.eos_token, bos_token: model.tokenizer.bos_token, chat_template: model.chatTemplate };
  }

  async function route(method: string, url: string, body: Record<string, unknown>): Promise<unknown> {
    if (method === 'GET' && url === '/v1/models') {
      return {
        object: 'list',
        data: [{ id: servedName, object: 'model', created, owned_by: mode === 'vllm' ? 'vllm' : 'llamacpp', root: model.dir, parent: null, max_model_len: maxModelLen, permission: [{ id: 'modelperm-1', object: 'model_permission', created }] }],
      };
    }
    if (method === 'POST' && url === '/v1/completions') return completions(body);
    if (method === 'POST' && url === '/v1/chat/completions') return chat(body);
    if (method === 'POST' && url === '/tokenize') return tokenize(body);
    if (method === 'POST' && url === '/detokenize') {
      const text = model.decode((body.tokens as number[]) ?? [], false);
      return mode === 'vllm' ? { prompt: text } : { content: text };
    }
    if (method === 'GET' && url === '/tokenizer_info' && mode === 'vllm' && options.tokenizerInfo) return tokenizerInfo();
    if (method === 'GET' && url === '/props' && mode !== 'vllm') {
      return {
        default_generation_settings: { n_ctx: maxModelLen, params: { n_probs: 0, temperature: 0.8 } },
        total_slots: totalSlots,
        model_path: `${model.name}.gguf`,
        chat_template: model.chatTemplate ?? '',
        bos_token: model.tokenizer.bos_token,
        eos_token: model.tokenizer.eos_token,
        build_info: 'b0-test',
      };
    }
    throw new HttpError(404, `Not Found: ${method} ${url}`, 'NotFoundError');
  }

  const server = http.createServer((req, res) => {
    stats.requests += 1;
    const url = (req.url ?? '/').split('?')[0];
    stats.byPath[url] = (stats.byPath[url] ?? 0) + 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        stats.inFlight -= 1;
      }
    };
    res.on('close', finish);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, url, Buffer.concat(chunks).toString('utf8')).catch((e) => {
        if (!res.headersSent) sendJson(res, 500, errorBody(new HttpError(500, String(e?.message ?? e), 'InternalServerError')));
        else res.destroy();
      });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, url: string, text: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (url.startsWith('/__control/')) {
      if (url === '/__control/stats') return sendJson(res, 200, { ...stats, forwardPasses: model.forwardPasses });
      if (url === '/__control/faults') {
        handleApi.setFaults(String((JSON.parse(text || '{}') as { faults?: string }).faults ?? ''));
        return sendJson(res, 200, { ok: true });
      }
      if (url === '/__control/reset') {
        handleApi.resetStats();
        return sendJson(res, 200, { ok: true });
      }
    }
    if (method === 'GET' && url === '/health') {
      if (mode === 'vllm') {
        res.writeHead(200, { 'content-length': 0 });
        return void res.end();
      }
      return sendJson(res, 200, { status: 'ok' });
    }
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      stats.authorizations.push(auth);
      if (stats.authorizations.length > 50) stats.authorizations.shift();
    }
    if (options.apiKey !== undefined && auth !== `Bearer ${options.apiKey}`) return sendJson(res, 401, { error: 'Unauthorized' });

    const scoring = method === 'POST' && (url === '/v1/completions' || url === '/v1/chat/completions');
    if (scoring) {
      stats.scoringRequests += 1;
      const number = ++scoringNumber;
      for (const f of faults) {
        if (!faultApplies(f, number, rand)) continue;
        stats.faultsInjected[f.kind] = (stats.faultsInjected[f.kind] ?? 0) + 1;
        switch (f.kind) {
          case 'slow':
            await sleep(f.ms ?? 200);
            continue;
          case 'hang':
            await sleep(f.ms ?? 3_600_000);
            return void res.destroy();
          case 'drop':
            req.socket.destroy();
            return;
          case 'malformed': {
            const body = '{"id":"cmpl-broken","object":"text_completion","choices":[{"index":0,"text":';
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
            return void res.end(body);
          }
          case '429': {
            const e = new HttpError(429, 'Rate limit reached for requests. Please try again later.', mode === 'vllm' ? 'RateLimitError' : 'rate_limit_error');
            return sendJson(res, 429, errorBody(e), { 'retry-after': String(f.retryAfter ?? 1) });
          }
          case 'quota':
            return sendJson(res, 429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } });
          case '500':
            return sendJson(res, 500, errorBody(new HttpError(500, 'Internal server error (injected).', 'InternalServerError')), f.noRetry ? { 'x-should-retry': 'false' } : {});
          case '503':
            return sendJson(res, 503, errorBody(new HttpError(503, 'Service unavailable (injected).', 'ServiceUnavailableError')), f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
        }
      }
    }
    let body: Record<string, unknown> = {};
    if (method === 'POST') {
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        return sendJson(res, 400, errorBody(new HttpError(400, 'Invalid JSON body.', 'BadRequestError')));
      }
    }
    if (scoring) {
      stats.bodies.push(body);
      if (stats.bodies.length > 200) stats.bodies.shift();
      if (body.model !== undefined && body.model !== null && body.model !== servedName && mode === 'vllm') {
        return sendJson(res, 404, errorBody(new HttpError(404, `The model \`${String(body.model)}\` does not exist.`, 'NotFoundError', 'model')));
      }
    }
    try {
      const out = await route(method, url, body);
      if (res.destroyed) return;
      sendJson(res, 200, out);
    } catch (e) {
      if (e instanceof HttpError) return sendJson(res, e.status, errorBody(e), e.extraHeaders);
      throw e;
    }
  }

  const handleApi = {
    setFaults(spec: string | Fault[]) {
      faults = typeof spec === 'string' ? parseFaults(spec) : spec;
      scoringNumber = 0;
      rand = mulberry32(1234);
    },
    resetStats() {
      const inFlight = stats.inFlight;
      stats = newStats();
      stats.inFlight = inFlight;
      scoringNumber = 0;
    },
  };

  server.keepAliveTimeout = 30_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    model,
    get stats() {
      return { ...stats, forwardPasses: model.forwardPasses };
    },
    setFaults: handleApi.setFaults,
    resetStats: handleApi.resetStats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
