/**
 * Where a tokenizer comes from (folder, tokenizer.json, .gguf, Hub cache, Hub download refused
 * offline) and the GGUF vocabulary reader, checked against the bundled tokenizer.json's ids.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LmEvalError } from '@lm-eval/core';
import { HuggingFaceTokenizer } from '../src/index.ts';
import { locateTokenizer } from '../src/tokenizer-source.ts';
import { MODEL_DIR } from './helpers.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tok-source-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const expected = JSON.parse(readFileSync(path.join(MODEL_DIR, 'expected.json'), 'utf8'));

describe('tokenizer sources', () => {
  it('folder, tokenizer.json and .gguf files are found locally', () => {
    expect(locateTokenizer(MODEL_DIR)).toEqual({ kind: 'folder', dir: MODEL_DIR });
    expect(locateTokenizer(path.join(MODEL_DIR, 'tokenizer.json'))).toEqual({ kind: 'folder', dir: MODEL_DIR });
    expect(locateTokenizer(path.join(MODEL_DIR, 'stories260k.gguf'))).toEqual({ kind: 'gguf', file: path.join(MODEL_DIR, 'stories260k.gguf') });
  });

  it('an org/name id is read from the Hugging Face cache; offline, a missing one says what was tried', () => {
    const hub = path.join(tmp, 'hub');
    const snap = path.join(hub, 'models--acme--tiny', 'snapshots', 'a'.repeat(40));
    mkdirSync(snap, { recursive: true });
    mkdirSync(path.join(hub, 'models--acme--tiny', 'refs'), { recursive: true });
    writeFileSync(path.join(hub, 'models--acme--tiny', 'refs', 'main'), 'a'.repeat(40));
    cpSync(path.join(MODEL_DIR, 'tokenizer.json'), path.join(snap, 'tokenizer.json'));
    expect(locateTokenizer('acme/tiny', { HF_HUB_CACHE: hub })).toEqual({ kind: 'hub-cache', dir: snap, repo: 'acme/tiny' });
    const err = (() => {
      try {
        locateTokenizer('acme/other', { HF_HUB_CACHE: hub, HF_HUB_OFFLINE: '1' });
      } catch (e) {
        return e as LmEvalError;
      }
    })();
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err!.message).toMatch(/no file or folder .*acme\/other; not in the Hugging Face cache .*HF_HUB_OFFLINE is set/);
    expect(err!.hint).toMatch(/tokenizer_backend=remote/);
    expect(err!.hint).toMatch(/tokenizer_backend=none/);
    expect(locateTokenizer('acme/other', { HF_HUB_CACHE: hub })).toMatchObject({ kind: 'hub-download', repo: 'acme/other' });
    // a path is never sent to the Hub
    expect(() => locateTokenizer('./missing/folder', { HF_HUB_CACHE: hub })).toThrow(/no file or folder/);
  });

  it('tokenizer=<model>.gguf gives the same ids as the tokenizer.json it was converted from', async () => {
    const gguf = await HuggingFaceTokenizer.load(path.join(MODEL_DIR, 'stories260k.gguf'));
    const ref = await HuggingFaceTokenizer.load(MODEL_DIR);
    const texts = [
      expected.sentence.text,
      expected.chat_template_example.rendered,
      ...expected.loglikelihood.map((x: { context: string; continuation: string }) => x.context + x.continuation),
      'héllo wörld 日本\n\n  x <s> y',
    ];
    for (const t of texts) for (const add of [true, false]) expect(await gguf.encode(t, add)).toEqual(await ref.encode(t, add));
    expect(await gguf.encode(expected.sentence.text, true)).toEqual(expected.sentence.ids);
    expect([gguf.bosId, gguf.eosId, gguf.eosText]).toEqual([1, 2, '</s>']);
    expect(gguf.chatTemplate).toBe(ref.chatTemplate);
    expect(await gguf.addsBosByDefault()).toBe(true);
  });

  it('a .gguf that is not one is a clear error', async () => {
    const bad = path.join(tmp, 'bad.gguf');
    writeFileSync(bad, 'not a gguf file');
    await expect(HuggingFaceTokenizer.load(bad)).rejects.toThrow(/not a readable GGUF file/);
  });
});
