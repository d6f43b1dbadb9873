/**
 * Batch encoding with Hugging Face's own Rust `tokenizers` (the `tokenizers` npm package, native
 * bindings shipped inside the package) for folders with a `tokenizer.json` — the same library
 * Python's fast tokenizers run on. It encodes on libuv's thread pool, off the event loop, several
 * times faster than transformers.js's JavaScript BPE.
 *
 * Only the encoder lives here; the tokenizer's identity (special tokens, chat template, decoding)
 * stays with the transformers.js tokenizer that wraps it (tokenizers.ts), which checks at load
 * time that both give the same ids and otherwise keeps transformers.js alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

/** The encoder interface a tokenizer source provides. */
export interface BatchEncoder {
  /** What it is (for messages). */
  readonly description: string;
  /** Token ids of each text (never called with an empty text). */
  encodeBatch(texts: string[], addSpecialTokens: boolean): Promise<number[][]>;
}

interface NativeTokenizer {
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

class NativeEncoder implements BatchEncoder {
  constructor(
    readonly description: string,
    private readonly tok: NativeTokenizer,
  ) {}

  /**
   * One chunk at a time (the library spreads each over its own threads), a minor GC after each:
   * an encoding's Rust memory (ids, tokens, offsets, masks) is freed only when V8 collects its
   * small JS wrapper, and V8 does not count that memory, so without it every encoding of the run
   * would stay resident until some later collection (hundreds of MB on a 20k-request run).
   */
  async encodeBatch(texts: string[], addSpecialTokens: boolean): Promise<number[][]> {
    const options = { addSpecialTokens };
    const out: number[][] = new Array(texts.length);
    const collect = scavenger();
    for (let k = 0; k < texts.length; k += CHUNK) {
      const encs = await this.tok.encodeBatch(k === 0 && texts.length <= CHUNK ? texts : texts.slice(k, k + CHUNK), options);
      for (let i = 0; i < encs.length; i++) out[k + i] = encs[i].getIds();
      encs.length = 0;
      collect?.();
    }
    return out;
  }
}

/**
 * The native encoder of `<folder>/tokenizer.json`, or null when the folder has none, the package
 * has no binary for this platform, or LMEVAL_NATIVE_TOKENIZERS=0 (the caller then encodes with
 * transformers.js).
 */
export async function loadNativeEncoder(folder: string): Promise<BatchEncoder | null> {
  const file = path.join(folder, 'tokenizer.json');
  if (!existsSync(file) || process.env.LMEVAL_NATIVE_TOKENIZERS === '0') return null;
  try {
    const lib = (await import('tokenizers')) as unknown as NativeLib;
    const tok = lib.Tokenizer.fromFile(file);
    withoutWordCache(lib, tok, file);
    return new NativeEncoder(`tokenizers (Rust) ${file}`, tok);
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

interface NativeLib {
  Tokenizer: { fromFile(f: string): NativeTokenizer & { setModel(m: unknown): void } };
  BPE: { init(vocab: Record<string, number>, merges: Array<[string, string]>, options: Record<string, unknown>): unknown };
}

/**
 * A BPE model keeps every word it has encoded in a cache (~4 KB each here): with no
 * pre-tokenizer (SentencePiece-style tokenizers) a "word" is a whole prompt, so a 20k-request run
 * kept ~190 MB. The harness encodes each distinct text once anyway, so the model is rebuilt from
 * the same vocab, merges and options with no cache. Left as loaded when the file uses a BPE option
 * the bindings cannot pass (ignore_merges), and the ids are checked against transformers.js after.
 */
function withoutWordCache(lib: NativeLib, tok: { setModel(m: unknown): void }, file: string): void {
  const model = (JSON.parse(readFileSync(file, 'utf8')) as { model?: BpeJson }).model;
  if (!model || model.type !== 'BPE' || model.ignore_merges || !model.vocab || !Array.isArray(model.merges)) return;
  const merges = model.merges.map((m) => (typeof m === 'string' ? (m.split(' ') as [string, string]) : m));
  if (merges.some((m) => !Array.isArray(m) || m.length !== 2)) return;
  const options: Record<string, unknown> = { cacheCapacity: 0 };
  if (model.dropout != null) options.dropout = model.dropout;
  if (model.unk_token != null) options.unkToken = model.unk_token;
  if (model.continuing_subword_prefix != null) options.continuingSubwordPrefix = model.continuing_subword_prefix;
  if (model.end_of_word_suffix != null) options.endOfWordSuffix = model.end_of_word_suffix;
  if (model.fuse_unk !== undefined) options.fuseUnk = model.fuse_unk;
  if (model.byte_fallback !== undefined) options.byteFallback = model.byte_fallback;
  tok.setModel(lib.BPE.init(model.vocab, merges, options));
}
