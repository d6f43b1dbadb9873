/**
 * HF's native `tokenizers` must give exactly the ids the harness gave before (transformers.js),
 * and the golden ids of the bundled model (models/stories260k/expected.json: llama2.c's encode(),
 * the SentencePiece ids Python's tokenizers also give), on the bundled tokenizer (BPE with byte
 * fallback, special added tokens) and on a variant with more added tokens (special and normal,
 * lstrip/rstrip). Python's `tokenizers` itself is not run here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoTokenizer } from '@huggingface/transformers';
import { HuggingFaceTokenizer } from '../src/index.ts';
import { encodePairs } from '../src/token-requests.ts';
import { agreesWith, ENCODER_PROBES, loadNativeEncoder, splitTrailingWhitespace, type BatchEncoder } from '@lm-eval/core/models';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MODEL = path.join(ROOT, 'models/stories260k');

/** A deterministic corpus: words, spaces, digits, punctuation, added-token text, bytes outside the vocab. */
function corpus(n: number, extra: string[] = []): string[] {
  const pieces = ['Once', ' upon', ' a', ' time', 'Lily', ' ', '  ', '\n', '\t', '12', '3.5', ',', '.', '!', '?', '"', "'", '<s>', '</s>', '<unk>', 'é', 'ü', 'ß', 'Ж', 'я', '日本', '中', '🙂', '👍🏽', '∑', '\u00a0', '\u200b', 'ﬁ', 'x', 'the', ' the', 'THE', ...extra];
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(next() * 12);
    let s = '';
    for (let k = 0; k < len; k++) s += pieces[Math.floor(next() * pieces.length)];
    out.push(s);
  }
  return out;
}

async function compare(folder: string, texts: string[]): Promise<void> {
  const native = (await loadNativeEncoder(folder)) as BatchEncoder;
  expect(native).not.toBeNull();
  const tjs = await AutoTokenizer.from_pretrained(folder, { local_files_only: true });
  for (const add of [true, false]) {
    const got = await native.encodeBatch(texts, add);
    const want = texts.map((t) => Array.from(tjs.encode(t, { add_special_tokens: add }), Number));
    expect(got).toEqual(want);
  }
}

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
});

describe('native tokenizers (Rust) encoder', () => {
  it('gives the golden ids of the bundled model', async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(MODEL, 'expected.json'), 'utf8')) as { loglikelihood: Array<{ context: string; context_ids: number[] }> };
    const native = (await loadNativeEncoder(MODEL))!;
    const contexts = expected.loglikelihood.map((x) => x.context);
    const got = await native.encodeBatch(contexts, true);
    expect(got).toEqual(expected.loglikelihood.map((x) => x.context_ids));
  });

  it('gives transformers.js ids on the bundled tokenizer (byte fallback, special tokens)', async () => {
    await compare(MODEL, [...ENCODER_PROBES, ...corpus(1500)]);
  });

  it('gives transformers.js ids with extra added tokens (special and normal, lstrip/rstrip)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-tok-'));
    tmp.push(dir);
    for (const f of ['tokenizer_config.json', 'special_tokens_map.json']) fs.copyFileSync(path.join(MODEL, f), path.join(dir, f));
    const tj = JSON.parse(fs.readFileSync(path.join(MODEL, 'tokenizer.json'), 'utf8'));
    const added = [
      { id: 512, content: '<|user|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      { id: 513, content: '[MASK]', single_word: false, lstrip: true, rstrip: true, normalized: false, special: true },
      { id: 514, content: 'hello world', single_word: false, lstrip: false, rstrip: false, normalized: false, special: false },
    ];
    tj.added_tokens.push(...added);
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tj));
    const texts = [...ENCODER_PROBES, ...corpus(1500, ['<|user|>', ' [MASK] ', '[MASK]', 'hello world', ' hello world'])];
    expect(texts.some((t) => t.includes('[MASK]'))).toBe(true);
    await compare(dir, texts);
    // the loaded tokenizer uses it, and its ids are the same through the cache
    const tok = await HuggingFaceTokenizer.load(dir);
    expect(tok.nativeEncoder).toMatch(/tokenizers/);
    const many = await tok.encodeMany(['<|user|> hi [MASK] there', 'hello world!', 'hello world!'], true);
    expect(many[0]).toContain(512);
    expect(many[0]).toContain(513);
    expect(many[1]).toEqual([1, 514, ...many[1].slice(2)]);
    expect(many[2]).toBe(many[1]);
  });

  it('encodes long texts (cut into pieces, split at word starts) to the ids of encoding them whole', async () => {
    const native = (await loadNativeEncoder(MODEL))!;
    expect(native.description).toMatch(/split at word starts, long texts in pieces/);
    // ~140k characters (three pieces): runs of spaces, "▁" itself, newlines, byte-fallback characters, words longer than a piece's margin
    const words = corpus(4200, ['\u2581', ' \u2581x', '   ', 'supercalifragilistic'.repeat(20)]);
    const long = words.join(' ');
    expect(long.length).toBeGreaterThan(2 * 65_536);
    const tjs = await AutoTokenizer.from_pretrained(MODEL, { local_files_only: true });
    const withSpecialText = `${long.slice(0, 70_000)}<s>${long.slice(70_000)}`; // an added token's text: encoded whole
    const [a, b] = await native.encodeBatch([long, withSpecialText], true);
    expect(a).toEqual(Array.from(tjs.encode(long), Number));
    expect(b).toEqual(Array.from(tjs.encode(withSpecialText), Number));
    const [c] = await native.encodeBatch([long], false);
    expect(c).toEqual(a.slice(1));
  });

  it("pairs whose context is encoded once and continuation as a later piece get lm-eval's _encode_pair ids of encoding context + continuation whole", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-tok-'));
    tmp.push(dir);
    for (const f of ['tokenizer_config.json', 'special_tokens_map.json']) fs.copyFileSync(path.join(MODEL, f), path.join(dir, f));
    const tj = JSON.parse(fs.readFileSync(path.join(MODEL, 'tokenizer.json'), 'utf8'));
    tj.added_tokens.push({ id: 512, content: '<|user|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tj));
    const heads = [...corpus(120, ['\u2581', '<|user|>']), 'Once upon a time', 'ends with \u2581', 'ends with a space ', 'tab\t', ''];
    const tails = [' ball', '  two spaces', ' \u2581x', ' </s>', ' <|user|> hi', ' é日本🙂', ' ', 'no space', '\nnewline', ' a b c', ...corpus(40).map((t) => ' ' + t)];
    // cuts inside a word or a run of '▁' (not splittable: the whole text merges across them)
    const joined: Array<[string, string]> = [['Once upon a ti', 'me there was'], ['Lil', 'y was happy'], ['a \u2581', ' \u2581b'], ['x\u2581', ' the']];
    for (const folder of [MODEL, dir]) {
      const tok = await HuggingFaceTokenizer.load(folder);
      const tjs = await AutoTokenizer.from_pretrained(folder, { local_files_only: true });
      const contexts: string[] = [];
      const requests: Array<{ continuation: string }> = [];
      heads.forEach((h, i) => {
        for (let k = 0; k < 3; k++) {
          contexts.push(h);
          requests.push({ continuation: tails[(i * 3 + k) % tails.length] });
        }
      });
      for (const [h, t] of joined) {
        contexts.push(h);
        requests.push({ continuation: t });
      }
      expect(contexts.filter((c, i) => tok.splitsAt(...splitTrailingWhitespace(c, requests[i].continuation))).length).toBeGreaterThan(50);
      for (const add of [true, false]) {
        const pairs = await encodePairs(tok, contexts, requests, add, 1);
        const enc = (t: string) => Array.from(tjs.encode(t, { add_special_tokens: add }), Number);
        pairs.forEach((p, i) => {
          const c = contexts[i];
          const cont = requests[i].continuation;
          if (c === '') return;
          // lm-eval: trailing whitespace of the context moves to the continuation, then whole = enc(c + k), ctx = enc(c)
          const [head, tail] = splitTrailingWhitespace(c, cont);
          const whole = enc(head + tail);
          const ctx = enc(head);
          expect(p.context).toEqual(ctx);
          expect(p.continuation).toEqual(whole.slice(ctx.length));
          expect(p.whole ?? p.context.concat(p.continuation)).toEqual(ctx.concat(whole.slice(ctx.length)));
        });
      }
    }
  });

  it('stops between native calls when its signal is aborted', async () => {
    const native = (await loadNativeEncoder(MODEL))!;
    const stop = new AbortController();
    stop.abort(new Error('stopped'));
    await expect(native.encodeBatch(['Once upon a time'], true, stop.signal)).rejects.toThrow('stopped');
  });

  it('keeps the whole text one word when a merge could join two words (no split)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-tok-'));
    tmp.push(dir);
    for (const f of ['tokenizer_config.json', 'special_tokens_map.json']) fs.copyFileSync(path.join(MODEL, f), path.join(dir, f));
    const tj = JSON.parse(fs.readFileSync(path.join(MODEL, 'tokenizer.json'), 'utf8'));
    tj.model.merges.push(typeof tj.model.merges[0] === 'string' ? 'e \u2581' : ['e', '\u2581']);
    tj.model.vocab['e\u2581'] = Object.keys(tj.model.vocab).length;
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tj));
    const native = (await loadNativeEncoder(dir))!;
    expect(native.description).not.toMatch(/split/);
    await compare(dir, [...ENCODER_PROBES, 'the tree fell', ...corpus(200)]);
  });

  it('is not used when it disagrees with the reference encoder on a probe', async () => {
    const native = (await loadNativeEncoder(MODEL))!;
    const tjs = await AutoTokenizer.from_pretrained(MODEL, { local_files_only: true });
    const reference = (t: string, add: boolean) => Array.from(tjs.encode(t, { add_special_tokens: add }), Number);
    expect(await agreesWith(native, reference)).toBe(true);
    const skewed = (t: string, add: boolean) => (t.includes('🙂') ? [...reference(t, add), 0] : reference(t, add));
    expect(await agreesWith(native, skewed)).toBe(false);
    expect(await agreesWith(native, (t, add) => reference(t, !add))).toBe(false);
  });

  it('a folder without tokenizer.json has no native encoder', async () => {
    expect(await loadNativeEncoder(path.join(ROOT, 'packages/openai/test'))).toBeNull();
  });
});
