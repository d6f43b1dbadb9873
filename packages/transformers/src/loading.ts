/**
 * Locating and loading a model for `--model hf`: a local folder, a snapshot in the Hugging Face
 * hub cache (`$HF_HUB_CACHE` / `$HF_HOME/hub` / `~/.cache/huggingface/hub`), or a Hub download
 * through transformers.js (refused when `HF_HUB_OFFLINE`/`TRANSFORMERS_OFFLINE` is set).
 */
import { existsSync, readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { env, AutoTokenizer, AutoModelForCausalLM, type PreTrainedTokenizer, type PreTrainedModel } from '@huggingface/transformers';
import { LmEvalError } from '@lm-eval/core';
import { noOnnxError, onnxFiles } from './runtime-support.ts';

export interface ResolvedModel {
  /** Local folder holding the files, or null when transformers.js should download `pretrained`. */
  dir: string | null;
  /** Commit hash of a hub-cache snapshot, else null. */
  sha: string | null;
}

export interface LoadedModel {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  config: Record<string, unknown>;
  generationConfig: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  sha: string | null;
  /** The local folder it was loaded from (null: downloaded by transformers.js). */
  dir: string | null;
  /** Parameter count from safetensors headers (local files only), else null. */
  numParameters: number | null;
  /** Resolved transformers.js dtype. */
  dtype: string;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function hubCacheDir(): string {
  if (process.env.HF_HUB_CACHE) return process.env.HF_HUB_CACHE;
  if (process.env.HF_HOME) return path.join(process.env.HF_HOME, 'hub');
  return path.join(os.homedir(), '.cache', 'huggingface', 'hub');
}

export function isOffline(): boolean {
  const on = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
  return on(process.env.HF_HUB_OFFLINE) || on(process.env.TRANSFORMERS_OFFLINE);
}

/** A `pretrained` value that can only mean a local folder (not a Hub id `name` or `org/name`). */
function looksLikePath(pretrained: string): boolean {
  return /^(\.{1,2}|~)?[/\\]/.test(pretrained) || path.isAbsolute(pretrained) || /^\.{1,2}$/.test(pretrained) || pretrained.split(/[/\\]/).length > 2;
}

export function resolveModel(pretrained: string, revision: string): ResolvedModel {
  const local = path.resolve(pretrained);
  if (isDir(local)) return { dir: local, sha: null };
  if (/^[\w.-]+\/[\w.-]+$/.test(pretrained)) {
    const repoDir = path.join(hubCacheDir(), `models--${pretrained.replace('/', '--')}`);
    let sha: string | null = /^[0-9a-f]{40}$/.test(revision) ? revision : null;
    const ref = path.join(repoDir, 'refs', revision);
    if (!sha && existsSync(ref)) sha = readFileSync(ref, 'utf8').trim();
    if (sha && isDir(path.join(repoDir, 'snapshots', sha))) return { dir: path.join(repoDir, 'snapshots', sha), sha };
  }
  return { dir: null, sha: null };
}

function readJson(dir: string | null, name: string): Record<string, unknown> | null {
  if (!dir) return null;
  const p = path.join(dir, name);
  if (!existsSync(p)) return null;
  return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
}

/** Element count of one safetensors file, read from its JSON header. */
function safetensorsNumel(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const n = Number(lenBuf.readBigUInt64LE(0));
    const header = Buffer.alloc(n);
    readSync(fd, header, 0, n, 8);
    const meta = JSON.parse(header.toString('utf8')) as Record<string, { shape?: number[] }>;
    let total = 0;
    for (const [name, t] of Object.entries(meta)) {
      if (name === '__metadata__' || !t.shape) continue;
      total += t.shape.reduce((a, b) => a * b, 1);
    }
    return total;
  } finally {
    closeSync(fd);
  }
}

/** Parameter count like torch's `sum(p.numel())` (tied weights are stored once in safetensors). */
export function countParameters(dir: string | null): number | null {
  if (!dir) return null;
  const single = path.join(dir, 'model.safetensors');
  if (existsSync(single)) return safetensorsNumel(single);
  const index = readJson(dir, 'model.safetensors.index.json') as { weight_map?: Record<string, string> } | null;
  if (index?.weight_map) {
    const shards = [...new Set(Object.values(index.weight_map))].map((s) => path.join(dir, s));
    if (shards.every((s) => existsSync(s))) return shards.reduce((a, s) => a + safetensorsNumel(s), 0);
  }
  return null;
}

/** `auto` → the dtype named in config.json's `transformers.js_config`, else fp32. */
export function resolveDtype(dtype: string, config: Record<string, unknown> | null): string {
  if (dtype !== 'auto') return dtype;
  const js = config?.['transformers.js_config'] as { dtype?: unknown } | undefined;
  return typeof js?.dtype === 'string' ? js.dtype : 'fp32';
}

/**
 * Before a Hub download: asks the Hub's model API for the repository's files (`HF_ENDPOINT`, as
 * huggingface_hub uses it) and refuses at once when there is no onnx/ export. When the Hub cannot be
 * asked, the download itself decides.
 */
async function checkHubHasOnnx(pretrained: string, revision: string): Promise<void> {
  const endpoint = (process.env.HF_ENDPOINT ?? 'https://huggingface.co').replace(/\/+$/, '');
  let siblings: Array<{ rfilename?: string }>;
  try {
    const headers: Record<string, string> = process.env.HF_TOKEN ? { authorization: `Bearer ${process.env.HF_TOKEN}` } : {};
    const r = await fetch(`${endpoint}/api/models/${pretrained}/revision/${encodeURIComponent(revision)}`, { headers, signal: AbortSignal.timeout(15_000) });
    if (!r.ok) return;
    siblings = ((await r.json()) as { siblings?: Array<{ rfilename?: string }> }).siblings ?? [];
  } catch {
    return;
  }
  if (!siblings.some((f) => typeof f.rfilename === 'string' && /^onnx\/.*\.onnx$/.test(f.rfilename))) {
    throw noOnnxError(pretrained, `the Hub repository lists no onnx/*.onnx file`);
  }
}

/** transformers.js reads its global `env` while loading, so loads run one at a time. */
let loadQueue: Promise<unknown> = Promise.resolve();

export function loadModel(pretrained: string, revision: string, dtypeArg: string, device: string): Promise<LoadedModel> {
  const run = loadQueue.then(() => loadModelNow(pretrained, revision, dtypeArg, device));
  loadQueue = run.catch(() => undefined);
  return run;
}

async function loadModelNow(pretrained: string, revision: string, dtypeArg: string, device: string): Promise<LoadedModel> {
  const resolved = resolveModel(pretrained, revision);
  if (!resolved.dir && looksLikePath(pretrained)) {
    throw new LmEvalError(
      `--model hf: pretrained=${pretrained}: the folder ${path.resolve(pretrained)} does not exist`,
      'check the path (relative paths start from the current folder), or give a Hub id such as org/name',
    );
  }
  if (!resolved.dir && isOffline()) {
    throw new LmEvalError(
      `--model hf: pretrained=${pretrained} is neither a local folder nor in the Hugging Face cache (${hubCacheDir()}), and HF_HUB_OFFLINE is set.`,
      'Pass a local model folder, or unset HF_HUB_OFFLINE to download it.',
    );
  }
  if (resolved.dir && onnxFiles(resolved.dir).length === 0) {
    throw noOnnxError(pretrained, `${path.join(resolved.dir, 'onnx')} holds no .onnx file`);
  }
  if (!resolved.dir) await checkHubHasOnnx(pretrained, revision);
  const diskConfig = readJson(resolved.dir, 'config.json');
  const dtype = resolveDtype(dtypeArg, diskConfig);
  const saved = { localModelPath: env.localModelPath, allowRemoteModels: env.allowRemoteModels, allowLocalModels: env.allowLocalModels };
  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;
  try {
    let id = pretrained;
    if (resolved.dir) {
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.localModelPath = path.dirname(resolved.dir) + path.sep;
      id = path.basename(resolved.dir);
    } else {
      env.allowRemoteModels = true;
    }
    tokenizer = await AutoTokenizer.from_pretrained(id, { revision });
    model = await AutoModelForCausalLM.from_pretrained(id, {
      revision,
      dtype: dtype as never,
      device: device as never,
    });
  } catch (e) {
    if (e instanceof LmEvalError) throw e;
    const msg = (e as Error).message ?? '';
    if (device !== 'cpu' && /ExecutionProvider|shared library|provider/i.test(msg)) {
      throw new LmEvalError(
        `--device ${device}: onnxruntime-node cannot use ${device} on this machine (${msg.split('\n')[0]})`,
        'use --device cpu (the default); cuda needs onnxruntime-node with its CUDA binaries and a CUDA 12 runtime',
        { cause: e },
      );
    }
    throw new LmEvalError(
      `--model hf: could not load pretrained=${pretrained} (dtype ${dtype}, device ${device}): ${(e as Error).message}`,
      'transformers.js needs tokenizer.json and an ONNX export (onnx/model.onnx, or onnx/model_<dtype>.onnx for other dtypes).',
      { cause: e },
    );
  } finally {
    Object.assign(env, saved);
  }
  const config = diskConfig ?? ((model.config as unknown as Record<string, unknown>) ?? {});
  const generationConfig = readJson(resolved.dir, 'generation_config.json') ?? ((model as unknown as { generation_config?: Record<string, unknown> }).generation_config ?? {});
  const tokenizerConfig = readJson(resolved.dir, 'tokenizer_config.json') ?? ((tokenizer as unknown as { config?: Record<string, unknown> }).config ?? {});
  return {
    tokenizer,
    model,
    config,
    generationConfig,
    tokenizerConfig,
    sha: resolved.sha,
    dir: resolved.dir,
    numParameters: countParameters(resolved.dir),
    dtype,
  };
}
