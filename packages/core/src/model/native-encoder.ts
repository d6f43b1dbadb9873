/**
 * Batch encoding with Hugging Face's own Rust `tokenizers` (the `tokenizers` npm package, native
 * bindings shipped inside the package) for folders with a `tokenizer.json` — the same library
 * Python's fast tokenizers run on. It encodes on libuv's thread pool, off the event loop, several
 * times faster than transformers.js's JavaScript BPE.
 *
 * The encoder, token ids and decoding live here. The `hf` backend keeps transformers.js for the
 * tokenizer's identity and checks at load time that both give the same ids ({@link agreesWith});
 * the API models' `tokenizer_backend=huggingface` takes special tokens from tokenizer_config.json
 * and does not load transformers.js (the agreement is checked by its tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

/** The encoder interface a tokenizer source provides. */
export interface BatchEncoder {
  /** What it is (for messages). */
  readonly description: string;
  /** Token ids of each text (never called with an empty text); `signal` stops it between native calls. */
  encodeBatch(texts: string[], addSpecialTokens: boolean, signal?: AbortSignal): Promise<number[][]>;
}

/** A native encoder's own token lookup and decoding (HF `tokenizers` `token_to_id`, `decode`). */
export interface NativeBatchEncoder extends BatchEncoder {
  /** The id of a token of the vocabulary or an added token, or null. */
  tokenToId(token: string): number | null;
  /** The tokenizer's decoder on `ids`, without the clean-up of tokenisation spaces. */
  decode(ids: number[], skipSpecialTokens: boolean): Promise<string>;
  /**
   * Whether the ids of `head + tail` are exactly the ids of `head` followed by
   * {@link encodeTails}'s ids of `tail` (so `head + tail` need not be encoded whole).
   */
  splitsAt(head: string, tail: string): boolean;
  /** The ids that texts accepted by {@link splitsAt} as tails add behind their head. */
  encodeTails(tails: string[]): Promise<number[][]>;
  /** Whether tokenizer.json's decoder has a `cleanup` setting (WordPiece's). */
  readonly decoderCleanup: boolean;
}

interface NativeTokenizer {
  tokenToId(token: string): number | null | undefined;
  decode(ids: number[], skipSpecialTokens: boolean): Promise<string>;
  encode(text: string, pair: null, options: { addSpecialTokens: boolean }): Promise<{ getIds(): number[] }>;
  encodeBatch(texts: string[], options: { addSpecialTokens: boolean }): Promise<Array<{ getIds(): number[] }>>;
}

/**
 * Texts on which a native encoder must give the reference ids before it is used: words and
 * leading/trailing/inner spaces, newlines and tabs, digits and punctuation, special-token text,
 * accents, Cyrillic, CJK and emoji (byte fallback / byte-level), with and without special tokens.
 */
export const ENCODER_PROBES = [
  'Once upon a time, there was a little girl named Lily.',
  ' leading space',
  'trailing space ',
  '  two  spaces\tand a tab\nand a newline\n\nparagraph',
  'Question: What is 12,345 + 6.78?\nAnswer:',
  '<s> special </s> tokens<unk> inline <|endoftext|> <|im_start|>user',
  'Ünïcödé café naïve — “quotes” ‘too’ … déjà vu',
  'Съешь же ещё этих мягких французских булок',
  '日本語のテキストと中文字符',
  'emoji 🙂👍🏽 and symbols ∑∫√ ©®',
  '\u00a0non-breaking\u2009thin\u200bzero-width',
  'a',
  ' ',
  '\n',
];

/** Whether `native` gives `reference`'s ids on every probe, with and without special tokens. */
export async function agreesWith(native: BatchEncoder, reference: (text: string, addSpecialTokens: boolean) => number[], probes = ENCODER_PROBES): Promise<boolean> {
  try {
    for (const add of [true, false]) {
      const got = await native.encodeBatch(probes, add);
      for (let i = 0; i < probes.length; i++) {
        const want = reference(probes[i], add);
        if (got[i].length !== want.length || got[i].some((x, k) => x !== want[k])) return false;
      }
    }
    return true;
  } catch {
    return false;
  }
}

/** Texts per native call: large enough to amortise the call, small enough to spread over the pool. */
const CHUNK = 1024;
/**
 * Characters per native call: the library's memory for an encoding (normalised text with byte
 * alignments, tokens, offsets) is ~130 bytes per character, so a call stays near 130 MB.
 */
const CALL_CHARS = 1 << 20;
/**
 * Characters encoded between forced young-generation collections (~34 MB of the library's memory):
 * a collection after every small call (a caller encoding a few hundred texts at a time while
 * requests are in flight) would cost more than the encoding and promote live objects early.
 */
const COLLECT_CHARS = 1 << 18;
/** Texts longer than this are cut into pieces of about this size where that is exact ({@link Continuation}). */
const PIECE_CHARS = 1 << 16;

let scavenge: (() => void) | null | undefined;

/** V8's young-generation collection (node's documented `--expose-gc` function, enabled at run time), or null. */
function scavenger(): (() => void) | null {
  if (scavenge === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as (o?: { type: 'minor' | 'major' }) => void;
      scavenge = () => gc({ type: 'minor' });
    } catch {
      scavenge = null;
    }
  }
  return scavenge;
}

/**
 * How a long text is encoded in pieces with the ids of encoding it whole: the first piece by the
 * tokenizer itself and the others by `tok`, the same tokenizer without the normaliser's leading
 * `Prepend("▁")` (they continue the text); special tokens are `prefix` in front of it all.
 */
interface Continuation {
  tok: NativeTokenizer;
  /** what `addSpecialTokens` puts in front (the post-processor adds nothing behind: checked) */
  prefix: number[];
  /**
   * added-token texts: a text containing one is encoded whole (the library normalises the text
   * between added tokens separately, so a later piece would lose that part's leading `▁`)
   */
  added: string[];
}

class NativeEncoder implements NativeBatchEncoder {
  /** characters encoded since the last forced collection */
  private uncollected = 0;

  constructor(
    readonly description: string,
    private readonly tok: NativeTokenizer,
    private readonly continuation: Continuation | null,
    readonly decoderCleanup: boolean,
  ) {}

  tokenToId(token: string): number | null {
    const id = this.tok.tokenToId(token);
    return typeof id === 'number' ? id : null;
  }

  decode(ids: number[], skipSpecialTokens: boolean): Promise<string> {
    return this.tok.decode(ids, skipSpecialTokens);
  }

  /**
   * A cut where {@link encodeLong} may cut (a space after a character other than a space or `▁`),
   * in texts without added-token text: the tail is then encoded as a later piece of the whole.
   */
  splitsAt(head: string, tail: string): boolean {
    const c = this.continuation;
    if (c === null || head.length === 0 || tail.length === 0 || tail.length > PIECE_CHARS || tail.charCodeAt(0) !== 0x20) return false;
    const last = head[head.length - 1];
    if (last === ' ' || last === '\u2581') return false;
    for (const a of c.added) if (head.includes(a) || tail.includes(a)) return false;
    return true;
  }

  async encodeTails(tails: string[]): Promise<number[][]> {
    const c = this.continuation;
    if (c === null) throw new Error('NativeEncoder.encodeTails: this tokenizer has no piece encoder');
    const options = { addSpecialTokens: false };
    const out: number[][] = new Array(tails.length);
    let k = 0;
    while (k < tails.length) {
      let end = k;
      let chars = 0;
      while (end < tails.length && end - k < CHUNK && (end === k || chars + tails[end].length <= CALL_CHARS)) chars += tails[end++].length;
      await this.call(c.tok, tails, k, end, chars, options, out);
      k = end;
    }
    return out;
  }

  /**
   * One native call on texts[k, end) into out[k, end); a minor GC once COLLECT_CHARS characters
   * were encoded since the last (see encodeBatch).
   */
  private async call(tok: NativeTokenizer, texts: string[], k: number, end: number, chars: number, options: { addSpecialTokens: boolean }, out: number[][]): Promise<void> {
    const encs = await tok.encodeBatch(k === 0 && end === texts.length ? texts : texts.slice(k, end), options);
    for (let i = 0; i < encs.length; i++) out[k + i] = encs[i].getIds();
    encs.length = 0;
    this.uncollected += chars;
    if (this.uncollected < COLLECT_CHARS) return;
    this.uncollected = 0;
    scavenger()?.();
  }

  /**
   * A bounded number of texts and characters per native call (the library spreads each over its
   * own threads), a minor GC once COLLECT_CHARS characters were encoded since the last: an
   * encoding's Rust memory (ids, tokens, offsets, masks) is freed only when V8 collects its small
   * JS wrapper, and V8 does not count that memory, so without it every encoding of the run would
   * stay resident until some later collection (hundreds of MB on a 20k-request run). Texts longer
   * than PIECE_CHARS are encoded in pieces where the tokenizer allows it exactly; `signal` is
   * checked between calls.
   */
  async encodeBatch(texts: string[], addSpecialTokens: boolean, signal?: AbortSignal): Promise<number[][]> {
    const options = { addSpecialTokens };
    const out: number[][] = new Array(texts.length);
    let k = 0;
    while (k < texts.length) {
      signal?.throwIfAborted();
      if (this.continuation !== null && texts[k].length > PIECE_CHARS && !this.continuation.added.some((a) => texts[k].includes(a))) {
        out[k] = await this.encodeLong(texts[k], addSpecialTokens, this.continuation, signal);
        k += 1;
        continue;
      }
      let end = k;
      let chars = 0;
      while (end < texts.length && end - k < CHUNK && (end === k || chars + texts[end].length <= CALL_CHARS)) {
        if (end > k && this.continuation !== null && texts[end].length > PIECE_CHARS) break;
        chars += texts[end].length;
        end += 1;
      }
      await this.call(this.tok, texts, k, end, chars, options, out);
      k = end;
    }
    return out;
  }

  /** One long text, in pieces cut before a space that follows a character other than a space or `▁`. */
  private async encodeLong(text: string, addSpecialTokens: boolean, c: Continuation, signal?: AbortSignal): Promise<number[]> {
    const pieces: string[] = [];
    let from = 0;
    while (text.length - from > PIECE_CHARS) {
      const cut = cutAfter(text, from + PIECE_CHARS);
      if (cut < 0) break;
      pieces.push(text.slice(from, cut));
      from = cut;
    }
    pieces.push(text.slice(from));
    const ids: number[] = addSpecialTokens ? [...c.prefix] : [];
    const options = { addSpecialTokens: false };
    const collect = scavenger();
    const perCall = Math.max(1, Math.floor(CALL_CHARS / PIECE_CHARS));
    for (let p = 0; p < pieces.length; p += perCall) {
      signal?.throwIfAborted();
      const group = pieces.slice(p, p + perCall);
      const encs: Array<{ getIds(): number[] }> = [];
      if (p === 0) encs.push(await this.tok.encode(group.shift()!, null, options));
      if (group.length) encs.push(...(await c.tok.encodeBatch(group, options)));
      for (const e of encs) for (const id of e.getIds()) ids.push(id);
      encs.length = 0;
      collect?.();
    }
    return ids;
  }
}

/** The first position at or after `at` where a long text may be cut (a space after a character other than a space or `▁`), or -1. */
function cutAfter(text: string, at: number): number {
  for (let i = text.indexOf(' ', at); i > 0; i = text.indexOf(' ', i + 1)) {
    const before = text[i - 1];
    if (before !== ' ' && before !== '\u2581') return i;
  }
  return -1;
}

/**
 * The native encoder of `<folder>/tokenizer.json`, or null when the folder has none, the package
 * has no binary for this platform, or LMEVAL_NATIVE_TOKENIZERS=0 (the caller then encodes with
 * transformers.js). The caller checks its ids against its reference encoder ({@link agreesWith}).
 */
export async function loadNativeEncoder(folder: string): Promise<NativeBatchEncoder | null> {
  const file = path.join(folder, 'tokenizer.json');
  if (!existsSync(file) || process.env.LMEVAL_NATIVE_TOKENIZERS === '0') return null;
  try {
    const lib = (await import('tokenizers')) as unknown as NativeLib;
    const json = JSON.parse(readFileSync(file, 'utf8')) as TokenizerJson;
    const words = withWordSplit(json);
    const tok = words ? lib.Tokenizer.fromString(JSON.stringify(words)) : lib.Tokenizer.fromFile(file);
    withoutWordCache(lib, tok, json.model);
    const continuation = words ? await continuationOf(lib, tok, words) : null;
    const decoder = json.decoder;
    const decoderCleanup = decoder !== null && typeof decoder === 'object' && 'cleanup' in decoder;
    return new NativeEncoder(`tokenizers (Rust) ${file}${words ? ', split at word starts' : ''}${continuation ? ', long texts in pieces' : ''}`, tok, continuation, decoderCleanup);
  } catch {
    return null;
  }
}

interface BpeJson {
  type?: string;
  vocab?: Record<string, number>;
  merges?: Array<string | [string, string]>;
  dropout?: number | null;
  unk_token?: string | null;
  continuing_subword_prefix?: string | null;
  end_of_word_suffix?: string | null;
  fuse_unk?: boolean;
  byte_fallback?: boolean;
  ignore_merges?: boolean;
}

interface TokenizerJson {
  normalizer?: { type?: string; normalizers?: Array<Record<string, unknown>> } | null;
  pre_tokenizer?: { type?: string; replacement?: string; split?: boolean; [key: string]: unknown } | null;
  added_tokens?: Array<{ content?: string; lstrip?: boolean; rstrip?: boolean; single_word?: boolean }>;
  truncation?: unknown;
  padding?: unknown;
  model?: BpeJson;
  [key: string]: unknown;
}

interface NativeLib {
  Tokenizer: {
    fromFile(f: string): NativeTokenizer & { setModel(m: unknown): void };
    fromString(s: string): NativeTokenizer & { setModel(m: unknown): void };
  };
  BPE: { init(vocab: Record<string, number>, merges: Array<[string, string]>, options: Record<string, unknown>): unknown };
}

/** Converted merge lists by model (a load asks up to three times for the same model's). */
const mergesOf = new WeakMap<BpeJson, Array<[string, string]> | null>();

function mergePairs(model: BpeJson): Array<[string, string]> | null {
  let out = mergesOf.get(model);
  if (out === undefined) {
    const merges = Array.isArray(model.merges) ? model.merges.map((m) => (typeof m === 'string' ? (m.split(' ') as [string, string]) : m)) : null;
    out = merges === null || merges.some((m) => !Array.isArray(m) || m.length !== 2) ? null : merges;
    mergesOf.set(model, out);
  }
  return out;
}

/**
 * SentencePiece-style BPE tokenizers (Llama, Mistral, the bundled stories260K) have no
 * pre-tokenizer that splits words (none, or a Metaspace with `split: false`), so the whole prompt
 * is one "word" and BPE merges over it in one priority queue: a 5 MB prompt took 23 s and 50 MB
 * 258 s and 3.9 GB in the Rust library (transformers.js: minutes, then out of heap). When no
 * merge of the model can join a symbol to a following word-start symbol (every merge result is
 * `▁*` followed by no `▁`, and `▁` is in the vocabulary), a merge never crosses a position where
 * `▁` follows another character, and BPE on each piece between such positions gives exactly the
 * ids of BPE on the whole (merges are applied in (rank, position) order, which never interleaves
 * pieces). So a Split pre-tokenizer cutting there is added: each piece is encoded on its own,
 * linear in the prompt. Returns the changed tokenizer.json, or null when it does not apply.
 */
function withWordSplit(json: TokenizerJson): TokenizerJson | null {
  const model = json.model;
  const pre = json.pre_tokenizer ?? null;
  if (!model || model.type !== 'BPE' || model.dropout || !model.vocab) return null;
  const metaspace = pre !== null && pre.type === 'Metaspace' && pre.split === false;
  if (pre !== null && !metaspace) return null;
  const space = metaspace ? (pre.replacement ?? '\u2581') : '\u2581';
  if ([...space].length !== 1 || !(space in model.vocab)) return null;
  const merges = mergePairs(model);
  if (merges === null) return null;
  for (const [a, b] of merges) {
    // a result with the space symbol after another character could join two pieces
    const at = (a + b).lastIndexOf(space);
    if (at >= 0 && (a + b).slice(0, at + 1) !== space.repeat(at + 1)) return null;
  }
  const hex = space.codePointAt(0)!.toString(16);
  const split = { type: 'Split', pattern: { Regex: `\\x{${hex}}+[^\\x{${hex}}]*|[^\\x{${hex}}]+` }, behavior: 'Isolated', invert: false };
  return { ...json, pre_tokenizer: pre === null ? split : { type: 'Sequence', pretokenizers: [pre, split] } };
}

/**
 * The piece encoder of a word-split tokenizer (see {@link withWordSplit}) whose normaliser is
 * SentencePiece's `Prepend("▁")` then `Replace(" ", "▁")` (Llama's and the bundled model's
 * tokenizer.json): a piece of a text that starts at a space after another character is, once
 * normalised, a run of whole pieces of the whole text's normalised form, so it is encoded by the
 * same tokenizer without the `Prepend`. Null when the file has another normaliser, truncation or
 * padding, added tokens that strip or hold spaces, or special tokens added behind the text.
 */
async function continuationOf(lib: NativeLib, tok: NativeTokenizer, words: TokenizerJson): Promise<Continuation | null> {
  const norm = words.normalizer;
  const steps = norm?.type === 'Sequence' ? (norm.normalizers ?? []) : [];
  const [prepend, replace] = steps;
  if (steps.length !== 2 || prepend.type !== 'Prepend' || prepend.prepend !== '\u2581') return null;
  if (replace.type !== 'Replace' || (replace.pattern as { String?: unknown } | undefined)?.String !== ' ' || replace.content !== '\u2581') return null;
  if (words.truncation != null || words.padding != null) return null;
  const added = (words.added_tokens ?? []).map((a) => a.content ?? '');
  if ((words.added_tokens ?? []).some((a) => a.lstrip || a.rstrip || a.single_word) || added.some((a) => a === '' || a.includes(' ') || a.includes('\u2581'))) return null;
  const rest = lib.Tokenizer.fromString(JSON.stringify({ ...words, normalizer: { type: 'Sequence', normalizers: [replace] } }));
  withoutWordCache(lib, rest, words.model);
  const withSpecial = (await tok.encode('a', null, { addSpecialTokens: true })).getIds();
  const without = (await tok.encode('a', null, { addSpecialTokens: false })).getIds();
  const n = withSpecial.length - without.length;
  if (n < 0 || without.some((id, i) => withSpecial[n + i] !== id)) return null;
  return { tok: rest, prefix: withSpecial.slice(0, n), added };
}

/**
 * A BPE model keeps every word it has encoded in a cache (~4 KB each here): with no
 * pre-tokenizer (SentencePiece-style tokenizers) a "word" is a whole prompt, so a 20k-request run
 * kept ~190 MB. The harness encodes each distinct text once anyway, so the model is rebuilt from
 * the same vocab, merges and options with no cache. Left as loaded when the file uses a BPE option
 * the bindings cannot pass (ignore_merges), and the ids are checked against transformers.js after.
 */
function withoutWordCache(lib: NativeLib, tok: { setModel(m: unknown): void }, model: BpeJson | undefined): void {
  if (!model || model.type !== 'BPE' || model.ignore_merges || !model.vocab) return;
  const merges = mergePairs(model);
  if (merges === null) return;
  const options: Record<string, unknown> = { cacheCapacity: 0 };
  if (model.dropout != null) options.dropout = model.dropout;
  if (model.unk_token != null) options.unkToken = model.unk_token;
  if (model.continuing_subword_prefix != null) options.continuingSubwordPrefix = model.continuing_subword_prefix;
  if (model.end_of_word_suffix != null) options.endOfWordSuffix = model.end_of_word_suffix;
  if (model.fuse_unk !== undefined) options.fuseUnk = model.fuse_unk;
  if (model.byte_fallback !== undefined) options.byteFallback = model.byte_fallback;
  tok.setModel(lib.BPE.init(model.vocab, merges, options));
}
