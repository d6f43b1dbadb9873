/**
 * The bench server's reply builder (reply.ts) against the straightforward one it replaced (kept
 * below, unchanged, as the reference): byte-identical replies on generated bodies of every shape
 * the server accepts (token-id and text prompts, one or several, echo and/or prompt_logprobs,
 * generation), ids small and large.
 */
import { describe, expect, it } from 'vitest';
import { completionReply } from './reply.ts';
import { rng } from './workload.ts';

// ---- the reference: the bench server's first reply builder, verbatim ----
/** 32-bit integer mix (a Murmur3-style finaliser). */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** The log-prob of `id` after `prev` at `pos` (exact binary fractions) and whether it is the top token. */
function tokenLogprob(prev: number, id: number, pos: number): { lp: number; greedy: boolean } {
  const h = mix(prev * 31 + id * 131 + pos * 7919);
  return { lp: -((h % 4000) + 2) / 1024, greedy: h % 3 === 0 };
}

const TOP_LP = -1 / 1024;
const WORDS = ['Lily', 'Tom', 'ball', 'dog', 'park', 'happy', 'cat', 'tree', 'sun', 'red', 'big', 'bird', 'home', 'mom', 'toy', 'cake'];

function promptHash(ids: number[]): number {
  let h = 0x9e3779b9;
  for (let i = 0; i < ids.length; i++) h = mix(h ^ (ids[i] + i));
  return h;
}

function promptLogprobsJson(ids: number[]): string {
  let s = '[null';
  for (let i = 1; i < ids.length; i++) {
    const id = ids[i];
    const { lp, greedy } = tokenLogprob(ids[i - 1], id, i);
    if (greedy) s += `,{"${id}":{"logprob":${TOP_LP},"rank":1,"decoded_token":"t${id}"}}`;
    else {
      const top = id === 0 ? 1 : id - 1;
      s += `,{"${id}":{"logprob":${lp},"rank":${2 + (id % 5)},"decoded_token":"t${id}"},"${top}":{"logprob":${TOP_LP},"rank":1,"decoded_token":"t${top}"}}`;
    }
  }
  return s + ']';
}

function echoLogprobsJson(ids: number[]): string {
  const tokens: string[] = [];
  const tl: string[] = [];
  const top: string[] = [];
  const offsets: number[] = [];
  let off = 0;
  for (let i = 0; i <= ids.length; i++) {
    const id = i < ids.length ? ids[i] : 13; // one generated token
    tokens.push(`"t${id}"`);
    offsets.push(off);
    off += 1 + String(id).length;
    if (i === 0) {
      tl.push('null');
      top.push('null');
      continue;
    }
    const { lp, greedy } = tokenLogprob(ids[i - 1], id, i);
    if (greedy) {
      tl.push(String(TOP_LP));
      top.push(`{"t${id}":${TOP_LP}}`);
    } else {
      tl.push(String(lp));
      top.push(`{"t${id}":${lp},"x${id}":${TOP_LP}}`);
    }
  }
  return `{"text_offset":[${offsets.join(',')}],"token_logprobs":[${tl.join(',')}],"tokens":[${tokens.join(',')}],"top_logprobs":[${top.join(',')}]}`;
}

interface Body {
  prompt: number[][] | number[] | string | string[];
  echo?: boolean;
  prompt_logprobs?: number;
  max_tokens?: number;
}

function choiceJson(index: number, prompt: number[] | string, body: Body): string {
  const ids = typeof prompt === 'string' ? Array.from(prompt, (c) => c.charCodeAt(0)) : prompt;
  const scoring = body.echo === true || body.prompt_logprobs !== undefined;
  if (!scoring) {
    const h = promptHash(ids);
    const text = ` ${WORDS[h % WORDS.length]}${h % 4 === 0 ? ' ' + WORDS[(h >>> 8) % WORDS.length] : ''}`;
    return `{"index":${index},"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":"stop","stop_reason":null,"prompt_logprobs":null}`;
  }
  const text = body.echo ? ids.map((id) => `t${id}`).join('') + 't13' : 't13';
  const logprobs = body.echo ? echoLogprobsJson(ids) : 'null';
  const pl = body.prompt_logprobs !== undefined ? promptLogprobsJson(ids) : 'null';
  return `{"index":${index},"text":"${text}","logprobs":${logprobs},"finish_reason":"length","stop_reason":null,"prompt_logprobs":${pl}}`;
}

/** The reply text for one /v1/completions body. */
function referenceReply(body: Body): string {
  const p = body.prompt;
  const prompts: Array<number[] | string> = typeof p === 'string' ? [p] : Array.isArray(p) && p.length > 0 && typeof p[0] === 'number' ? [p as number[]] : (p as Array<number[] | string>);
  const choices = prompts.map((x, i) => choiceJson(i, x, body));
  const promptTokens = prompts.reduce((n, x) => n + x.length, 0);
  return `{"id":"cmpl-bench","object":"text_completion","created":0,"model":"bench","choices":[${choices.join(',')}],"usage":{"prompt_tokens":${promptTokens},"total_tokens":${promptTokens + 1},"completion_tokens":1}}`;
}
// ---- end of the reference ----

function ids(r: () => number, n: number, vocab: number): number[] {
  return Array.from({ length: n }, () => Math.floor(r() * vocab));
}

/** Generated bodies: prompts of 0–300 ids from vocabularies of 2 to 200k, texts, several prompts, every flag combination. */
function bodies(): Body[] {
  const r = rng(7);
  const out: Body[] = [];
  const flags: Array<Omit<Body, 'prompt'>> = [{}, { echo: true }, { prompt_logprobs: 1 }, { echo: true, prompt_logprobs: 1 }, { echo: false, max_tokens: 8 }, { prompt_logprobs: 0 }];
  for (let k = 0; k < 600; k++) {
    const vocab = [2, 13, 512, 32000, 200000][k % 5];
    const n = k % 7 === 0 ? 0 : 1 + Math.floor(r() * (k % 3 === 0 ? 300 : 60));
    const f = flags[k % flags.length];
    const shape = k % 4;
    const prompt =
      shape === 0 ? [ids(r, n, vocab)] : shape === 1 ? (n === 0 ? [[]] : ids(r, n, vocab)) : shape === 2 ? [ids(r, n, vocab), ids(r, Math.floor(r() * 20), vocab), []] : ['Once upon a time ' + k, ids(r, n, vocab)];
    out.push({ prompt: prompt as Body['prompt'], ...f });
  }
  out.push({ prompt: 'a text prompt', echo: true, prompt_logprobs: 1 }, { prompt: ['', 'x'], echo: true }, { prompt: [] }, { prompt: [], echo: true });
  // the ids whose fragments have special cases: 0 (its top token is 1), 13 (the generated token)
  out.push({ prompt: [[0, 0, 1, 0, 13, 13, 0]], prompt_logprobs: 1, echo: true });
  return out;
}

describe('bench server replies (reply.ts)', () => {
  it('are byte-identical to the reference builder on 600 generated bodies', () => {
    const all = bodies();
    for (const body of all) {
      // JSON round trip: the server builds replies from what JSON.parse gives
      const parsed = JSON.parse(JSON.stringify(body)) as Body;
      const reply = completionReply(parsed);
      expect(reply, JSON.stringify(body).slice(0, 200)).toBe(referenceReply(parsed));
      // the server writes it as ASCII
      expect(/^[\x20-\x7e]*$/.test(reply)).toBe(true);
    }
    // twice: the second time from the per-id fragments made the first time
    for (const body of all.slice(0, 50)) expect(completionReply(body)).toBe(referenceReply(body));
  });

  it('are valid JSON with one choice per prompt', () => {
    const reply = JSON.parse(completionReply({ prompt: [[5, 6, 7], [8]], prompt_logprobs: 1 })) as { choices: Array<{ prompt_logprobs: unknown[] }> };
    expect(reply.choices.map((c) => c.prompt_logprobs.length)).toEqual([3, 1]);
  });

  it('refuse a prompt that is neither text nor token ids', () => {
    for (const prompt of [5, null, { a: 1 }, [[1, 'x']], [null]]) expect(() => completionReply({ prompt }), JSON.stringify(prompt)).toThrow(TypeError);
  });
});
