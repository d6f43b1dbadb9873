/**
 * One rule for where a Hugging Face-style tokenizer comes from, in order: a local folder (with
 * tokenizer.json / tokenizer_config.json), a tokenizer.json file, a `.gguf` model file, the Hugging
 * Face hub cache (`org/name`, as huggingface_hub lays it out), else a Hub download as Python
 * lm-eval does (`AutoTokenizer.from_pretrained`), refused when HF_HUB_OFFLINE is set. Every failure
 * says what was tried. (The server's own tokenizer, tokenizer_backend=remote, is tokenizers.ts.)
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { LmEvalError } from '@lm-eval/core';
import { hubCacheDir, hubSnapshot, isHubOffline, isHubRepoId } from '@lm-eval/core/models';

export type TokenizerSource =
  | { kind: 'folder'; dir: string }
  | { kind: 'gguf'; file: string }
  | { kind: 'hub-cache'; dir: string; repo: string }
  | { kind: 'hub-download'; repo: string; tried: string[] };

export const TOKENIZER_FIX =
  'Pass tokenizer=<local tokenizer folder, tokenizer.json or .gguf file>, tokenizer_backend=remote on a vLLM or llama.cpp server (its /tokenize is used), ' +
  'or tokenizer_backend=none (generation only, text prompts).';

/** A name written as a path (./x, /x, a/b/c, x.gguf) is never sent to the Hub. */
function looksLikePath(name: string): boolean {
  return /^(\.{1,2}|~)?[/\\]/.test(name) || path.isAbsolute(name) || name.split(/[/\\]/).length > 2 || /\.(gguf|json)$/i.test(name);
}

export function locateTokenizer(name: string, env: NodeJS.ProcessEnv = process.env): TokenizerSource {
  const abs = path.resolve(name);
  const tried: string[] = [];
  if (existsSync(abs)) {
    if (statSync(abs).isDirectory()) {
      if (existsSync(path.join(abs, 'tokenizer.json')) || existsSync(path.join(abs, 'tokenizer_config.json'))) return { kind: 'folder', dir: abs };
      throw new LmEvalError(`tokenizer=${name}: the folder ${abs} has no tokenizer.json or tokenizer_config.json.`, TOKENIZER_FIX);
    }
    if (/\.gguf$/i.test(abs)) return { kind: 'gguf', file: abs };
    if (path.basename(abs) === 'tokenizer.json') return { kind: 'folder', dir: path.dirname(abs) };
    throw new LmEvalError(`tokenizer=${name}: ${abs} is a file, but neither a tokenizer.json nor a .gguf model file.`, TOKENIZER_FIX);
  }
  tried.push(`no file or folder ${abs}`);
  if (looksLikePath(name)) throw new LmEvalError(`Could not find the tokenizer '${name}': ${tried.join('; ')}.`, TOKENIZER_FIX);
  const snap = hubSnapshot(name, 'main', env);
  if (snap) return { kind: 'hub-cache', dir: snap.dir, repo: name };
  tried.push(isHubRepoId(name) ? `not in the Hugging Face cache (${hubCacheDir(env)})` : `not an org/name id in the Hugging Face cache (${hubCacheDir(env)})`);
  if (isHubOffline(env)) {
    throw new LmEvalError(`Could not find the tokenizer '${name}': ${tried.join('; ')}; HF_HUB_OFFLINE is set, so it is not downloaded.`, TOKENIZER_FIX);
  }
  return { kind: 'hub-download', repo: name, tried };
}
