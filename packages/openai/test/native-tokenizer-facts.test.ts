/**
 * With HF's native `tokenizers` loaded, tokenizer_backend=huggingface takes everything from it and
 * the folder's tokenizer_config.json (no transformers.js). These tests hold the agreement check
 * that used to run on every load: on every tokenizer fixture of the repository (and variants with
 * AddedToken objects, a chat template, clean-up of tokenisation spaces, pad falling back to eos),
 * native and transformers.js give the same ids, special tokens, token ids and decoded text.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AutoTokenizer } from '@huggingface/transformers';
import { nativeFacts } from '../src/tokenizers.ts';
import { ENCODER_PROBES, loadNativeEncoder } from '@lm-eval/core/models';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every folder of the repository (models/, packages/*\/test) holding a tokenizer.json. */
function fixtureFolders(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.name === 'tokenizer.json') out.push(dir);
    }
  };
  walk(path.join(ROOT, 'models'), 0);
  for (const pkg of fs.readdirSync(path.join(ROOT, 'packages'))) {
    const t = path.join(ROOT, 'packages', pkg, 'test');
    if (fs.existsSync(t)) walk(t, 0);
  }
  return out;
}

const MODEL = path.join(ROOT, 'models/stories260k');
const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
});

/** The bundled tokenizer with tokenizer_config.json changed by `edit`. */
function variant(edit: (config: Record<string, unknown>) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-facts-'));
  tmp.push(dir);
  fs.copyFileSync(path.join(MODEL, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
  const config = JSON.parse(fs.readFileSync(path.join(MODEL, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  edit(config);
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  return dir;
}

async function agree(dir: string): Promise<void> {
  const native = (await loadNativeEncoder(dir))!;
  expect(native).not.toBeNull();
  const facts = nativeFacts(dir, native)!;
  expect(facts).not.toBeNull();
  const tjs = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  for (const add of [true, false]) {
    const got = await native.encodeBatch(ENCODER_PROBES, add);
    expect(got).toEqual(ENCODER_PROBES.map((t) => Array.from(tjs.encode(t, { add_special_tokens: add }), Number)));
  }
  expect([facts.bosText, facts.eosText, facts.padText, facts.unkText]).toEqual([tjs.bos_token ?? null, tjs.eos_token ?? null, tjs.pad_token ?? null, tjs.unk_token ?? null]);
  expect([facts.bosId, facts.eosId]).toEqual([tjs.bos_token_id ?? null, tjs.eos_token_id ?? null]);
  expect(facts.chatTemplate).toEqual(typeof tjs.chat_template === 'string' ? tjs.chat_template : null);
  for (const t of ['<s>', '</s>', '<unk>', '▁the', 'nope-not-a-token']) expect(facts.idOf(t)).toEqual(tjs.convert_tokens_to_ids(t) ?? null);
  const ids = await native.encodeBatch([...ENCODER_PROBES, "Lily 's cat , isn't it ? yes ! no . they 're here"], true);
  for (const x of ids) expect(await facts.decode(x)).toEqual(tjs.decode(x));
}

describe('huggingface tokenizer facts without transformers.js', () => {
  const folders = fixtureFolders();
  it('finds the tokenizer fixtures of the repository', () => {
    expect(folders.map((d) => path.relative(ROOT, d))).toContain(path.join('models', 'stories260k'));
  });
  for (const dir of folders) {
    it(`native and transformers.js agree on ${path.relative(ROOT, dir)}`, async () => {
      await agree(dir);
    });
  }

  it('agrees on AddedToken objects, a chat template, clean-up on and pad falling back to eos', async () => {
    await agree(
      variant((c) => {
        c.bos_token = { __type: 'AddedToken', content: '<s>', lstrip: false, rstrip: false, normalized: false, single_word: false };
        c.chat_template = "{% for m in messages %}{{ m['content'] }}{% endfor %}";
        delete c.clean_up_tokenization_spaces;
        delete c.pad_token;
      }),
    );
  });

  it('leaves a tokenizer class with behaviour of its own to transformers.js', async () => {
    const dir = variant((c) => {
      c.tokenizer_class = 'WhisperTokenizer';
    });
    expect(nativeFacts(dir, (await loadNativeEncoder(dir))!)).toBeNull();
  });

  it('leaves a decoder with a clean-up setting (WordPiece) to transformers.js', async () => {
    const dir = variant(() => {});
    const native = (await loadNativeEncoder(dir))!;
    expect(native.decoderCleanup).toBe(false);
    expect(nativeFacts(dir, native)).not.toBeNull();
    const withCleanup = Object.assign(Object.create(native) as typeof native, { decoderCleanup: true });
    expect(nativeFacts(dir, withCleanup)).toBeNull();
  });

  it('does not load transformers.js when the native encoder is used, and does with LMEVAL_NATIVE_TOKENIZERS=0', () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "import { HuggingFaceTokenizer } from './packages/openai/src/index.ts';",
      `const tok = await HuggingFaceTokenizer.load(${JSON.stringify(MODEL)});`,
      "const ids = await tok.encode('Once upon a time', true);",
      "const loaded = Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('@huggingface/transformers') || f.includes('onnxruntime') || f.includes('sharp'));",
      'console.log(JSON.stringify({ loaded, native: tok.nativeEncoder !== null, tjs: tok.usesTransformersJs, ids, bos: tok.bosId, pad: tok.padText }));',
    ].join('\n');
    const run = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { loaded: boolean; native: boolean; tjs: boolean; ids: number[]; bos: number; pad: string };
    };
    const fast = run({});
    expect(fast).toMatchObject({ loaded: false, native: true, tjs: false, bos: 1, pad: '<unk>' });
    const slow = run({ LMEVAL_NATIVE_TOKENIZERS: '0' });
    expect(slow).toMatchObject({ loaded: true, native: false, tjs: true, bos: 1, pad: '<unk>' });
    expect(fast.ids).toEqual(slow.ids);
  });
});
