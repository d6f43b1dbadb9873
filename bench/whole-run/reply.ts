/**
 * The bench server's /v1/completions reply: a pure function of the request's prompt (token ids)
 * and its `echo` / `prompt_logprobs` flags, vLLM-shaped, built in one pass over the ids.
 *
 * Every JSON fragment that depends on one token id alone is formatted once per id and kept
 * (`"t<id>"`, a greedy position's `prompt_logprobs` dict, the halves around a non-greedy one's
 * log-prob, …), and the 4,000 possible log-probs are formatted once each, so a reply costs one
 * string concatenation per fragment. The bytes are those of the straightforward builder the
 * bench started with (`reply.test.ts` compares them on generated bodies); a reply is ASCII.
 */

/** 32-bit integer mix (a Murmur3-style finaliser). */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The hash that picks the log-prob of `id` after `prev` at `pos`, and whether it is the top token. */
function tokenHash(prev: number, id: number, pos: number): number {
  return mix(prev * 31 + id * 131 + pos * 7919);
}

const LP_LEVELS = 4000;

const TOP_LP = String(-1 / 1024);
/** The formatted log-prob of each hash level (`h % 4000`). */
const LP_TEXT = Array.from({ length: LP_LEVELS }, (_, k) => String(-(k + 2) / 1024));

const WORDS = ['Lily', 'Tom', 'ball', 'dog', 'park', 'happy', 'cat', 'tree', 'sun', 'red', 'big', 'bird', 'home', 'mom', 'toy', 'cake'];

function promptHash(ids: ArrayLike<number>): number {
  let h = 0x9e3779b9;
  for (let i = 0; i < ids.length; i++) h = mix(h ^ (ids[i] + i));
  return h;
}

/** The JSON fragments of one token id. */
interface Fragments {
  /** `t<id>` (its text) */
  text: string;
  /** the length of its text (its text_offset step) */
  textLength: number;
  /** `"t<id>"` (its echo token) */
  token: string;
  /** a greedy position's prompt_logprobs entry (with its leading comma) */
  plGreedy: string;
  /** a non-greedy position's prompt_logprobs entry, before and after its log-prob */
  plHead: string;
  plTail: string;
  /** echo top_logprobs: greedy; non-greedy before and after its log-prob */
  topGreedy: string;
  topHead: string;
  topTail: string;
}

/**
 * A flat copy of a string. A template literal makes a rope (V8's cons string), which every reply
 * that contains it would walk again when it is written out; a fragment is flattened once.
 */
const flat = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

function fragments(id: number): Fragments {
  const top = id === 0 ? 1 : id - 1;
  return {
    text: flat(`t${id}`),
    textLength: 1 + String(id).length,
    token: flat(`"t${id}"`),
    plGreedy: flat(`,{"${id}":{"logprob":${TOP_LP},"rank":1,"decoded_token":"t${id}"}}`),
    plHead: flat(`,{"${id}":{"logprob":`),
    plTail: flat(`,"rank":${2 + (id % 5)},"decoded_token":"t${id}"},"${top}":{"logprob":${TOP_LP},"rank":1,"decoded_token":"t${top}"}}`),
    topGreedy: flat(`{"t${id}":${TOP_LP}}`),
    topHead: flat(`{"t${id}":`),
    topTail: flat(`,"x${id}":${TOP_LP}}`),
  };
}

/**
 * Fragments of the ids met so far, by id (token ids are small non-negative integers; others are
 * made per use). The array is filled up to the largest id met, so that it stays a fast dense one.
 */
const CACHE_LIMIT = 1 << 18;
const cache: Array<Fragments | null> = [];

function frag(id: number): Fragments {
  const f = cache[id];
  if (f) return f;
  if (!(id >= 0 && id < CACHE_LIMIT && Number.isInteger(id))) return fragments(id);
  while (cache.length <= id) cache.push(null);
  return (cache[id] = fragments(id));
}

const GENERATED = 13; // the one generated token of a scoring reply

function promptLogprobsJson(ids: ArrayLike<number>): string {
  let s = '[null';
  for (let i = 1; i < ids.length; i++) {
    const f = frag(ids[i]);
    const h = tokenHash(ids[i - 1], ids[i], i);
    s += h % 3 === 0 ? f.plGreedy : f.plHead + LP_TEXT[h % LP_LEVELS] + f.plTail;
  }
  return s + ']';
}

/** `logprobs` of an echo reply: the prompt's tokens and one generated token. */
function echoLogprobsJson(ids: ArrayLike<number>): string {
  const f0 = frag(ids.length > 0 ? ids[0] : GENERATED);
  let offsets = '0';
  let tl = 'null';
  let tokens = f0.token;
  let top = 'null';
  let off = f0.textLength;
  for (let i = 1; i <= ids.length; i++) {
    const id = i < ids.length ? ids[i] : GENERATED;
    const f = frag(id);
    tokens += ',' + f.token;
    offsets += ',' + off;
    off += f.textLength;
    const h = tokenHash(ids[i - 1], id, i);
    if (h % 3 === 0) {
      tl += ',' + TOP_LP;
      top += ',' + f.topGreedy;
    } else {
      const lp = LP_TEXT[h % LP_LEVELS];
      tl += ',' + lp;
      top += ',' + f.topHead + lp + f.topTail;
    }
  }
  return `{"text_offset":[${offsets}],"token_logprobs":[${tl}],"tokens":[${tokens}],"top_logprobs":[${top}]}`;
}

/** What a reply depends on: the request body's prompt and flags, as JSON.parse gives them. */
export interface CompletionRequest {
  prompt: unknown;
  echo?: unknown;
  prompt_logprobs?: unknown;
}

function echoText(ids: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) s += frag(ids[i]).text;
  return s + 't13';
}

function choiceJson(index: number, prompt: ArrayLike<number> | string, body: CompletionRequest): string {
  const ids = typeof prompt === 'string' ? Array.from(prompt, (c) => c.charCodeAt(0)) : prompt;
  const hasPromptLogprobs = body.prompt_logprobs !== undefined;
  const scoring = body.echo === true || hasPromptLogprobs;
  if (!scoring) {
    const h = promptHash(ids);
    const text = ` ${WORDS[h % WORDS.length]}${h % 4 === 0 ? ' ' + WORDS[(h >>> 8) % WORDS.length] : ''}`;
    return `{"index":${index},"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":"stop","stop_reason":null,"prompt_logprobs":null}`;
  }
  const text = body.echo ? echoText(ids) : 't13';
  const logprobs = body.echo ? echoLogprobsJson(ids) : 'null';
  const pl = hasPromptLogprobs ? promptLogprobsJson(ids) : 'null';
  return `{"index":${index},"text":"${text}","logprobs":${logprobs},"finish_reason":"length","stop_reason":null,"prompt_logprobs":${pl}}`;
}

/** The prompts of a body: one id list, several, one string or several; anything else throws. */
function promptsOf(p: unknown): Array<number[] | string> {
  if (typeof p === 'string') return [p];
  if (!Array.isArray(p)) throw new TypeError('prompt: expected a string, token ids, or a list of either');
  const prompts = p.length > 0 && typeof p[0] === 'number' ? [p as number[]] : (p as unknown[]);
  for (const x of prompts) {
    if (typeof x === 'string') continue;
    if (!Array.isArray(x)) throw new TypeError('prompt: expected a string, token ids, or a list of either');
    for (let i = 0; i < x.length; i++) if (typeof x[i] !== 'number') throw new TypeError('prompt: a token id is not a number');
  }
  return prompts as Array<number[] | string>;
}

/** The reply text (JSON) for one /v1/completions request. */
export function completionReply(body: CompletionRequest): string {
  const prompts = promptsOf(body.prompt);
  let choices = '';
  let promptTokens = 0;
  for (let i = 0; i < prompts.length; i++) {
    if (i > 0) choices += ',';
    choices += choiceJson(i, prompts[i], body);
    promptTokens += prompts[i].length;
  }
  return `{"id":"cmpl-bench","object":"text_completion","created":0,"model":"bench","choices":[${choices}],"usage":{"prompt_tokens":${promptTokens},"total_tokens":${promptTokens + 1},"completion_tokens":1}}`;
}
