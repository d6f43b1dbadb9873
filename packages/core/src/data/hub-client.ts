/**
 * The few Hugging Face Hub calls the dataset loader needs, through @huggingface/hub:
 *   GET /api/datasets/<repo>/revision/<rev>         revision → commit sha (datasetInfo)
 *   GET /api/datasets/<repo>/tree/<commit>?recursive=true   file listing (listFiles)
 *   GET /datasets/<repo>/resolve/<commit>/<path>    file contents (downloadFile)
 * Endpoint from HF_ENDPOINT; token from HF_TOKEN (or HUGGING_FACE_HUB_TOKEN, or the token file
 * $HF_TOKEN_PATH / $HF_HOME/token written by `huggingface-cli login`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { LmEvalError } from '../errors.ts';
import { DatasetNotFoundError } from './errors.ts';
import { hfHome } from './hub-cache.ts';

/** @huggingface/hub loads with the first Hub request (runs on local data never load it). */
let hubLib: Promise<typeof import('@huggingface/hub')> | undefined;
const hub = () => (hubLib ??= import('@huggingface/hub'));

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

export interface HubFile {
  /** Repo-relative POSIX path. */
  path: string;
  /** Cache key of the contents: the LFS sha256 for LFS files, the git blob sha1 otherwise. */
  etag: string;
  size: number;
}

export interface HubClientOptions {
  endpoint?: string;
  token?: string | null;
  /** fetch implementation (default: global fetch). */
  fetch?: typeof fetch;
}

/** The Hub endpoint of an environment (HF_ENDPOINT, without a trailing slash). */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT || DEFAULT_HF_ENDPOINT).replace(/\/+$/, '');
}

/** The Hub token of an environment: HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the token file. */
export function hubToken(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
  if (fromEnv) return fromEnv.trim();
  const file = env.HF_TOKEN_PATH || join(hfHome(env), 'token');
  try {
    const t = readFileSync(file, 'utf8').trim();
    return t || null;
  } catch {
    return null;
  }
}

export class HubClient {
  readonly endpoint: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HubClientOptions = {}) {
    this.endpoint = (options.endpoint ?? DEFAULT_HF_ENDPOINT).replace(/\/+$/, '');
    const base = options.fetch ?? fetch;
    const token = options.token;
    // The token is sent by this wrapper rather than through @huggingface/hub's accessToken,
    // which rejects tokens that do not start with "hf_" (mirrors and proxies may use others).
    this.fetchImpl = token
      ? (input, init) => {
          const headers = new Headers(init?.headers);
          headers.set('Authorization', `Bearer ${token}`);
          return base(input, { ...init, headers });
        }
      : base;
  }

  /** The commit sha a revision (branch, tag, `refs/convert/parquet`, or sha) points to. */
  async resolveRevision(repoId: string, revision: string): Promise<string> {
    const { datasetInfo } = await hub();
    const info = await this.call(repoId, () =>
      datasetInfo({ name: repoId, revision, additionalFields: ['sha'], hubUrl: this.endpoint, fetch: this.fetchImpl }),
    );
    const sha = (info as { sha?: unknown }).sha;
    if (typeof sha !== 'string' || !sha) {
      throw new LmEvalError(`The Hub at ${this.endpoint} returned no commit for ${repoId}@${revision}`);
    }
    return sha;
  }

  /** Every file of the repo at a commit. */
  async listFiles(repoId: string, commit: string): Promise<HubFile[]> {
    const { listFiles } = await hub();
    return this.call(repoId, async () => {
      const out: HubFile[] = [];
      for await (const e of listFiles({
        repo: { type: 'dataset', name: repoId },
        revision: commit,
        recursive: true,
        hubUrl: this.endpoint,
        fetch: this.fetchImpl,
      })) {
        if (e.type !== 'file') continue;
        out.push({ path: e.path, etag: e.lfs?.oid ?? e.oid, size: e.lfs?.size ?? e.size });
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    });
  }

  /** The contents of one file at a commit, as a stream. */
  async download(repoId: string, commit: string, path: string): Promise<Readable> {
    const { downloadFile } = await hub();
    const res = await this.call(repoId, () =>
      downloadFile({
        repo: { type: 'dataset', name: repoId },
        path,
        revision: commit,
        hubUrl: this.endpoint,
        fetch: this.fetchImpl,
      }),
    );
    if (!res || !res.body) {
      throw new DatasetNotFoundError(`File '${path}' not found in Hub dataset ${repoId}@${commit}`);
    }
    return Readable.fromWeb(res.body as unknown as NodeReadableStream);
  }

  private async call<T>(repoId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof LmEvalError) throw err;
      if (err instanceof (await hub()).HubApiError) {
        if (err.statusCode === 401 || err.statusCode === 403 || err.statusCode === 404) {
          throw new DatasetNotFoundError(
            `Dataset '${repoId}' not found on the Hub at ${this.endpoint} (HTTP ${err.statusCode}), or it is private/gated`,
            'Check dataset_path / dataset_kwargs.revision; for a gated or private dataset set HF_TOKEN to a token with access.',
            { cause: err },
          );
        }
        throw new LmEvalError(`Hub request failed for dataset '${repoId}': ${err.message}`, undefined, { cause: err });
      }
      throw new LmEvalError(
        `Cannot reach the Hugging Face Hub at ${this.endpoint} for dataset '${repoId}': ${(err as Error).message}`,
        'Check the network or HF_ENDPOINT; set HF_HUB_OFFLINE=1 to use only the local cache, or LM_EVAL_DATASETS_DIR for a local mirror.',
        { cause: err },
      );
    }
  }
}
