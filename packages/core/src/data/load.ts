/**
 * `load_dataset(path=dataset_path, name=dataset_name, **dataset_kwargs)` for the splits a task
 * reads. Sources, in order:
 *
 * 1. The offline mirror `$LM_EVAL_DATASETS_DIR/<path>/<name|default>/<split>.<ext>` (mirror.ts).
 * 2. A packaged builder (`json`, `csv`, `parquet`, `text`, `arrow`) with
 *    `data_files` / `data_dir`. Relative paths resolve against the CWD (as in `datasets`) and,
 *    when nothing matches there, against the task YAML's folder (our addition).
 * 3. A local folder (`dataset_path` is a directory): README configs or inferred splits.
 * 4. A Hugging Face Hub dataset repo: files per README configs / inferred splits, else the Hub's
 *    Parquet conversion; downloaded once into the standard Hub cache (hub-cache.ts) and read from
 *    there afterwards without any request. HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE are honoured.
 *
 * Only the requested splits are read. `process_docs` / `custom_dataset` are the evaluator's job.
 */
import { stat } from 'node:fs/promises';
import { listFilesRecursive } from '../util/walk.ts';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { LmEvalError } from '../errors.ts';
import { globFiles, matchListing, normalizeDataFiles } from './data-files.ts';
import { DatasetNotFoundError, SplitNotFoundError, datasetLabel } from './errors.ts';
import { readText } from './files.ts';
import { HubClient, hubEndpoint, hubToken, type HubFile } from './hub-client.ts';
import { HubRepoCache, hubCacheDir } from './hub-cache.ts';
import {
  PACKAGED_BUILDERS,
  inferBuilder,
  inferSplits,
  resolveConfig,
  resolveParquetExport,
  type Builder,
  type ResolvedConfig,
} from './layout.ts';
import { MIRROR_ENV, findMirrorFile, mirrorConfigDir, mirrorSplits } from './mirror.ts';
import { readSplitFiles, type Row } from './readers.ts';

export interface DatasetSpec {
  datasetPath?: string | null;
  datasetName?: string | null;
  datasetKwargs?: Record<string, unknown> | null;
}

export interface LoadDatasetOptions {
  /** Splits to load (only these are read). */
  splits: string[];
  /** Folder of the task YAML: fallback base for relative data_files / data_dir / dataset_path. */
  yamlDir?: string;
  /** Base for relative paths (default process.cwd()). */
  cwd?: string;
  /** Environment (default process.env): LM_EVAL_DATASETS_DIR, HF_* variables. */
  env?: NodeJS.ProcessEnv;
  /** Progress messages (downloads, cache hits, mirror files). */
  onProgress?: (msg: string) => void;
  /** fetch implementation for Hub requests (default: global fetch). */
  fetch?: typeof fetch;
}

/** split → rows (dicts in column order). */
export type DatasetSplits = Record<string, Row[]>;

/** A split's files and how to read them. */
interface SplitSource {
  files: string[];
  builder: Builder;
  kwargs: Record<string, unknown>;
}

/** The kwargs of `load_dataset` that only steer the loading, not the builder. */
const LOADER_KWARGS = new Set([
  'data_files',
  'data_dir',
  'revision',
  'token',
  'use_auth_token',
  'trust_remote_code',
  'cache_dir',
  'download_mode',
  'verification_mode',
  'num_proc',
  'streaming',
  'keep_in_memory',
  'storage_options',
]);

function builderOptions(kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) if (!LOADER_KWARGS.has(k)) out[k] = v;
  return out;
}

/** Python's truthy env values (huggingface_hub `_is_true`). */
function envFlag(v: string | undefined): boolean {
  return v !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(v.trim().toUpperCase());
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Loads the requested splits of a task's dataset. */
export async function loadDatasetSplits(spec: DatasetSpec, options: LoadDatasetOptions): Promise<DatasetSplits> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const progress = options.onProgress ?? (() => undefined);
  const path = spec.datasetPath;
  if (!path) {
    throw new LmEvalError('The task has no dataset_path', 'Set dataset_path in the task YAML (or use custom_dataset).');
  }
  const name = spec.datasetName ?? null;
  const kwargs = spec.datasetKwargs ?? {};
  const label = datasetLabel(path, name);
  const wanted = [...new Set(options.splits)];
  const loaded = new Map<string, Row[]>();
  const ordered = (): DatasetSplits => Object.fromEntries(wanted.map((s) => [s, loaded.get(s)!]));

  // 1. Offline mirror.
  const mirror = env[MIRROR_ENV];
  if (mirror) {
    for (const split of wanted) {
      const hit = await findMirrorFile(mirror, path, name, split);
      if (hit) {
        progress(`Reading ${label} split '${split}' from ${hit.file}`);
        loaded.set(split, await readSplitFiles([hit.file], hit.builder));
      }
    }
  }
  const remaining = wanted.filter((s) => !loaded.has(s));
  if (!remaining.length) return ordered();

  const ctx: Ctx = { env, cwd, yamlDir: options.yamlDir, progress, label, fetch: options.fetch };
  let sources: Map<string, SplitSource>;
  try {
    sources = await resolveSources(path, name, kwargs, remaining, ctx);
  } catch (err) {
    if (mirror && (err instanceof SplitNotFoundError || err instanceof DatasetNotFoundError)) {
      const inMirror = await mirrorSplits(mirror, path, name);
      const where = mirrorConfigDir(mirror, path, name);
      const note = ` (${MIRROR_ENV} is set; ${where} has ${inMirror.length ? 'splits ' + inMirror.join(', ') : 'no split files'})`;
      if (err instanceof SplitNotFoundError) throw new SplitNotFoundError(label, err.split, err.available, (err.hint ?? '') + note);
      throw new DatasetNotFoundError(err.message + note, err.hint, { cause: err.cause });
    }
    throw err;
  }
  for (const split of remaining) {
    const src = sources.get(split)!;
    loaded.set(split, await readSplitFiles(src.files, src.builder, src.kwargs));
  }
  return ordered();
}

interface Ctx {
  env: NodeJS.ProcessEnv;
  cwd: string;
  yamlDir?: string;
  progress: (msg: string) => void;
  label: string;
  fetch?: typeof fetch;
}

async function resolveSources(
  path: string,
  name: string | null,
  kwargs: Record<string, unknown>,
  splits: string[],
  ctx: Ctx,
): Promise<Map<string, SplitSource>> {
  if ((PACKAGED_BUILDERS as readonly string[]).includes(path)) {
    return packagedSources(path as Builder, kwargs, splits, ctx);
  }
  if (path.endsWith('.py')) {
    throw new DatasetNotFoundError(
      `${ctx.label}: dataset loading scripts (.py) cannot run here`,
      'Point dataset_path at the data (a Hub repo with data files or a Parquet conversion, a folder, or json/csv/parquet with data_files), or use LM_EVAL_DATASETS_DIR.',
    );
  }
  const localDir = await findLocalDir(path, ctx);
  if (localDir) return localDirSources(localDir, name, kwargs, splits, ctx);
  if (isAbsolute(path) || path.startsWith('.') || path.split('/').length > 2 || !/^[\w.-]+(\/[\w.-]+)?$/.test(path)) {
    throw new DatasetNotFoundError(
      `${ctx.label}: no such folder (looked in ${[ctx.cwd, ctx.yamlDir].filter(Boolean).join(' and ')}) and not a Hub dataset id`,
      'dataset_path must be a Hub dataset id (owner/name), a local folder, or one of json, csv, parquet, text.',
    );
  }
  return hubSources(path, name, kwargs, splits, ctx);
}

/** A local folder named by dataset_path: relative to the CWD, else to the YAML folder. */
async function findLocalDir(path: string, ctx: Ctx): Promise<string | null> {
  const candidates = isAbsolute(path) ? [path] : [resolve(ctx.cwd, path), ...(ctx.yamlDir ? [resolve(ctx.yamlDir, path)] : [])];
  for (const c of candidates) if (await isDir(c)) return c;
  return null;
}

/** Relative to the CWD first, then the YAML folder (the first that exists). */
async function findDataDir(dataDir: string, ctx: Ctx): Promise<string> {
  const candidates = isAbsolute(dataDir) ? [dataDir] : [resolve(ctx.cwd, dataDir), ...(ctx.yamlDir ? [resolve(ctx.yamlDir, dataDir)] : [])];
  for (const c of candidates) if (await isDir(c)) return c;
  throw new DatasetNotFoundError(
    `${ctx.label}: dataset_kwargs.data_dir '${dataDir}' is not a folder (looked at ${candidates.join(', ')})`,
    'Relative paths resolve against the current directory, then the task YAML folder.',
  );
}

function missingSplit(ctx: Ctx, split: string, available: Iterable<string>, hint?: string): never {
  throw new SplitNotFoundError(ctx.label, split, [...available], hint);
}

// ---------------------------------------------------------------------------------------------
// Packaged builders: json / csv / parquet / text with data_files or data_dir

async function packagedSources(
  builder: Builder,
  kwargs: Record<string, unknown>,
  splits: string[],
  ctx: Ctx,
): Promise<Map<string, SplitSource>> {
  const opts = builderOptions(kwargs);
  const dataDir = typeof kwargs.data_dir === 'string' && kwargs.data_dir ? await findDataDir(kwargs.data_dir, ctx) : null;
  const out = new Map<string, SplitSource>();

  if (kwargs.data_files === undefined || kwargs.data_files === null) {
    if (!dataDir) {
      throw new DatasetNotFoundError(
        `${ctx.label}: the '${builder}' builder needs dataset_kwargs.data_files (or data_dir)`,
        "E.g. dataset_kwargs: {data_files: {test: 'data/test.jsonl'}}",
      );
    }
    const listing = await listDir(dataDir);
    const inferred = inferSplits(listing);
    for (const split of splits) {
      const files = inferred.get(split);
      if (!files?.length) missingSplit(ctx, split, inferred.keys(), `Data files were inferred from the folder ${dataDir}.`);
      out.set(split, { files: files.map((f) => join(dataDir, ...f.split('/'))), builder, kwargs: opts });
    }
    return out;
  }

  const spec = normalizeDataFiles(kwargs.data_files, 'dataset_kwargs.data_files');
  // datasets: relative data_files are relative to data_dir if given, else to the CWD.
  const bases = dataDir ? [dataDir] : [ctx.cwd, ...(ctx.yamlDir && resolve(ctx.yamlDir) !== resolve(ctx.cwd) ? [ctx.yamlDir] : [])];
  for (const split of splits) {
    const patterns = spec.get(split);
    if (!patterns) missingSplit(ctx, split, spec.keys(), 'The splits are the keys of dataset_kwargs.data_files (a plain path or list means split "train").');
    const files: string[] = [];
    for (const pattern of patterns) {
      if (pattern.startsWith('hf://')) {
        files.push(...(await hfUrlFiles(pattern, split, ctx)));
        continue;
      }
      let found: string[] = [];
      const tried: string[] = [];
      for (const base of isAbsolute(pattern) ? [''] : bases) {
        const abs = base ? join(base, pattern) : pattern;
        tried.push(abs);
        found = await globFiles(abs);
        if (found.length) break;
      }
      if (!found.length) {
        throw new DatasetNotFoundError(
          `${ctx.label}: data_files pattern '${pattern}' of split '${split}' matched no file (looked for ${tried.join(', ')})`,
          'Relative data_files resolve against the current directory, then the task YAML folder.',
        );
      }
      for (const f of found) if (!files.includes(f)) files.push(f);
    }
    out.set(split, { files, builder, kwargs: opts });
  }
  return out;
}

/** Every file under a folder, as sorted POSIX paths relative to it (hidden entries included; the layout rules skip them). */
function listDir(root: string): Promise<string[]> {
  return listFilesRecursive(root, new Set(['.git', 'node_modules']));
}

// ---------------------------------------------------------------------------------------------
// A local folder as dataset_path

function configSources(
  resolved: ResolvedConfig,
  toAbs: (f: string) => string,
  kwargs: Record<string, unknown>,
  splits: string[],
  ctx: Ctx,
  where: string,
): Map<string, SplitSource> {
  const out = new Map<string, SplitSource>();
  const available = [...resolved.splits].filter(([, f]) => f.length).map(([s]) => s);
  for (const split of splits) {
    const files = resolved.splits.get(split);
    if (!files) missingSplit(ctx, split, resolved.splits.keys());
    if (!files.length) {
      throw new DatasetNotFoundError(
        `${ctx.label}: no data file of split '${split}' found in ${where}` +
          (resolved.unmatched.length ? ` (patterns matching nothing: ${resolved.unmatched.join(', ')})` : '') +
          `; splits with files: ${available.join(', ') || '(none)'}`,
      );
    }
    const { builder, kwargs: extKwargs } = inferBuilder(files, ctx.label);
    out.set(split, {
      files: files.map(toAbs),
      builder,
      kwargs: { ...extKwargs, ...resolved.builderKwargs, ...builderOptions(kwargs) },
    });
  }
  return out;
}

async function localDirSources(
  dir: string,
  name: string | null,
  kwargs: Record<string, unknown>,
  splits: string[],
  ctx: Ctx,
): Promise<Map<string, SplitSource>> {
  const listing = await listDir(dir);
  const readme = listing.includes('README.md') ? await readText(join(dir, 'README.md')) : null;
  const resolved = resolveConfig(listing, {
    readme,
    configName: name,
    dataFiles: kwargs.data_files,
    dataDir: typeof kwargs.data_dir === 'string' ? kwargs.data_dir : null,
    label: ctx.label,
  });
  if (!resolved) {
    const script = listing.find((f) => f === `${basename(dir)}.py`);
    throw new DatasetNotFoundError(
      `${ctx.label}: no data files found in the folder ${dir}` +
        (name && name !== 'default' ? ` for config '${name}' (its README.md declares no configs)` : '') +
        (script ? ` (it has a loading script, ${script}, which cannot run here)` : ''),
      'Add README.md configs or data files named by split (train/validation/test), or set dataset_kwargs.data_files.',
    );
  }
  return configSources(resolved, (f) => join(dir, ...f.split('/')), kwargs, splits, ctx, dir);
}

// ---------------------------------------------------------------------------------------------
// Hugging Face Hub

const PARQUET_REVISION = 'refs/convert/parquet';

async function hubSources(
  repoId: string,
  name: string | null,
  kwargs: Record<string, unknown>,
  splits: string[],
  ctx: Ctx,
): Promise<Map<string, SplitSource>> {
  const cache = new HubRepoCache(hubCacheDir(ctx.env), repoId);
  const revision = kwargs.revision != null ? String(kwargs.revision) : 'main';
  const offline = envFlag(ctx.env.HF_HUB_OFFLINE) || envFlag(ctx.env.HF_DATASETS_OFFLINE);
  const dataDir = typeof kwargs.data_dir === 'string' ? kwargs.data_dir : null;

  // 1. The cache alone (no request): Python-made caches and our own downloads alike.
  const cached = await hubCachedSources(cache, revision, name, kwargs, ctx);
  if (splits.every((s) => cached.sources.has(s))) {
    ctx.progress(`Using cached ${ctx.label} from ${cache.root}`);
    return pick(cached.sources, splits);
  }
  if (offline) {
    const missing = splits.filter((s) => !cached.sources.has(s));
    if (cached.sources.size) {
      missingSplit(
        ctx,
        missing[0],
        cached.sources.keys(),
        `HF_HUB_OFFLINE is set, so only the Hub cache (${cache.root}) was used; these are the splits found there.`,
      );
    }
    throw new DatasetNotFoundError(
      `${ctx.label} (revision '${revision}') is not in the Hugging Face Hub cache ${cache.root}, and HF_HUB_OFFLINE is set`,
      `Load it once online (unset HF_HUB_OFFLINE), copy a cache made elsewhere (HF_HUB_CACHE / HF_HOME), or provide the splits under ${MIRROR_ENV}.`,
    );
  }

  // 2. The Hub.
  const token = typeof kwargs.token === 'string' ? kwargs.token : hubToken(ctx.env);
  const client = new HubClient({ endpoint: hubEndpoint(ctx.env), token, fetch: ctx.fetch });
  ctx.progress(`Resolving ${ctx.label} on ${client.endpoint}`);
  const commit = await client.resolveRevision(repoId, revision);
  await cache.writeRef(revision, commit);
  const files = await client.listFiles(repoId, commit);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const paths = files.map((f) => f.path);
  let readme: string | null = null;
  if (byPath.has('README.md')) {
    const [local] = await fetchIntoCache(client, cache, repoId, commit, [byPath.get('README.md')!], ctx);
    readme = await readText(local);
  }
  // A repo with a loading script: the script defines the splits, so (unless data_files are
  // given) its Parquet conversion — the script's output — is used, not the raw files.
  const hasScript = paths.some((p) => !p.includes('/') && p.endsWith('.py'));
  const useRepoFiles = !hasScript || (kwargs.data_files !== undefined && kwargs.data_files !== null);
  const resolved = useRepoFiles
    ? resolveConfig(paths, { readme, configName: name, dataFiles: kwargs.data_files, dataDir, label: ctx.label })
    : null;
  if (resolved && [...resolved.splits.values()].some((f) => f.length)) {
    // Check every split before downloading anything.
    configSources(resolved, (f) => f, kwargs, splits, ctx, `the Hub repo ${repoId}@${revision}`);
    const needed = new Set(splits.flatMap((s) => resolved.splits.get(s)!));
    await fetchIntoCache(client, cache, repoId, commit, [...needed].map((p) => byPath.get(p)!), ctx);
    return configSources(resolved, (f) => join(cache.snapshotDir(commit), ...f.split('/')), kwargs, splits, ctx, repoId);
  }

  // 3. The Hub's Parquet conversion.
  if (revision !== 'main') {
    throw new DatasetNotFoundError(
      `${ctx.label}: revision '${revision}' has no usable data files, and the Parquet conversion exists only for 'main'`,
    );
  }
  ctx.progress(`${ctx.label} has no usable data files; using the Hub's Parquet conversion (${PARQUET_REVISION})`);
  let pcommit: string;
  try {
    pcommit = await client.resolveRevision(repoId, PARQUET_REVISION);
  } catch (err) {
    if (err instanceof DatasetNotFoundError) {
      throw new DatasetNotFoundError(
        `${ctx.label}: the repo has no data files this loader can read` +
          (hasScript ? ' (only a loading script, which cannot run here)' : '') +
          ' and no Parquet conversion',
        `Use a repo with data files, or provide the splits under ${MIRROR_ENV}.`,
        { cause: err },
      );
    }
    throw err;
  }
  await cache.writeRef(PARQUET_REVISION, pcommit);
  const pfiles = await client.listFiles(repoId, pcommit);
  const pByPath = new Map(pfiles.map((f) => [f.path, f]));
  const exp = resolveParquetExport(
    pfiles.map((f) => f.path),
    name,
  );
  if (exp.config === null) {
    throw new DatasetNotFoundError(
      `${ctx.label}: config '${name ?? 'default'}' not found in the Parquet conversion; available configs: ${exp.configs.join(', ') || '(none)'}`,
      'Set dataset_name to one of the available configs.',
    );
  }
  for (const split of splits) if (!exp.splits.has(split)) missingSplit(ctx, split, exp.splits.keys());
  const needed = splits.flatMap((s) => exp.splits.get(s)!);
  await fetchIntoCache(client, cache, repoId, pcommit, needed.map((p) => pByPath.get(p)!), ctx);
  const out = new Map<string, SplitSource>();
  for (const split of splits) {
    out.set(split, {
      files: exp.splits.get(split)!.map((f) => join(cache.snapshotDir(pcommit), ...f.split('/'))),
      builder: 'parquet',
      kwargs: {},
    });
  }
  return out;
}

function pick(m: Map<string, SplitSource>, splits: string[]): Map<string, SplitSource> {
  return new Map(splits.map((s) => [s, m.get(s)!]));
}

/** What the cache alone can serve: splits with at least one cached file (repo files, else the Parquet conversion). */
async function hubCachedSources(
  cache: HubRepoCache,
  revision: string,
  name: string | null,
  kwargs: Record<string, unknown>,
  ctx: Ctx,
): Promise<{ sources: Map<string, SplitSource> }> {
  const sources = new Map<string, SplitSource>();
  const commit = await cache.commitFor(revision);
  if (commit) {
    const listing = await cache.listSnapshot(commit);
    const readmePath = listing.includes('README.md') ? await cache.cachedFile(commit, 'README.md') : null;
    const readme = readmePath ? await readText(readmePath) : null;
    const resolved = resolveConfig(listing, {
      readme,
      configName: name,
      dataFiles: kwargs.data_files,
      dataDir: typeof kwargs.data_dir === 'string' ? kwargs.data_dir : null,
      label: ctx.label,
    });
    if (resolved) {
      for (const [split, files] of resolved.splits) {
        if (!files.length) continue;
        const { builder, kwargs: extKwargs } = inferBuilder(files, ctx.label);
        sources.set(split, {
          files: files.map((f) => join(cache.snapshotDir(commit), ...f.split('/'))),
          builder,
          kwargs: { ...extKwargs, ...resolved.builderKwargs, ...builderOptions(kwargs) },
        });
      }
    }
  }
  // The Parquet conversion stands in for the repo files only when they give nothing (as online).
  if (sources.size === 0 && revision === 'main' && (kwargs.data_files === undefined || kwargs.data_files === null)) {
    const pcommit = await cache.commitFor(PARQUET_REVISION);
    if (pcommit) {
      const exp = resolveParquetExport(await cache.listSnapshot(pcommit), name);
      for (const [split, files] of exp.splits) {
        sources.set(split, {
          files: files.map((f) => join(cache.snapshotDir(pcommit), ...f.split('/'))),
          builder: 'parquet',
          kwargs: {},
        });
      }
    }
  }
  return { sources };
}

/**
 * Makes sure each file is in the cache snapshot; returns local paths. All blobs are downloaded
 * before any snapshot link is made, so an interrupted download never leaves a split that looks
 * complete in the cache.
 */
/**
 * A data file given as `hf://datasets/<owner>/<name>[@<revision>]/<path or glob>` (the fsspec
 * URL `datasets` accepts): fetched from the Hub into the Hub cache like other Hub files, read from
 * the cache when it is there, and named as such when HF_HUB_OFFLINE is set and it is not.
 */
async function hfUrlFiles(url: string, split: string, ctx: Ctx): Promise<string[]> {
  const m = /^hf:\/\/datasets\/([^/@]+\/[^/@]+)(?:@([^/]+))?\/(.+)$/.exec(url);
  if (!m) {
    throw new DatasetNotFoundError(
      `${ctx.label}: data_files '${url}' of split '${split}' is not a Hub dataset file URL`,
      'write hf://datasets/<owner>/<name>/<path> (optionally <name>@<revision>); only dataset repos are supported',
    );
  }
  const [, repoId, rev, pattern] = m;
  const revision = rev ? decodeURIComponent(rev) : 'main';
  const cache = new HubRepoCache(hubCacheDir(ctx.env), repoId);
  const offline = envFlag(ctx.env.HF_HUB_OFFLINE) || envFlag(ctx.env.HF_DATASETS_OFFLINE);
  const cachedCommit = await cache.commitFor(revision);
  if (cachedCommit) {
    const listing = await cache.listSnapshot(cachedCommit).catch(() => [] as string[]);
    const hit = matchListing(listing, pattern);
    if (hit.length) return hit.map((f) => join(cache.snapshotDir(cachedCommit), ...f.split('/')));
  }
  if (offline) {
    throw new DatasetNotFoundError(
      `${ctx.label}: data file ${url} (split '${split}') is not in the Hugging Face Hub cache ${cache.root}, and HF_HUB_OFFLINE is set`,
      `Load it once online (unset HF_HUB_OFFLINE), copy a cache made elsewhere (HF_HUB_CACHE / HF_HOME), or point data_files at a local copy.`,
    );
  }
  const client = new HubClient({ endpoint: hubEndpoint(ctx.env), token: hubToken(ctx.env), fetch: ctx.fetch });
  const commit = await client.resolveRevision(repoId, revision);
  await cache.writeRef(revision, commit);
  const files = await client.listFiles(repoId, commit);
  const paths = files.map((f) => f.path);
  const wanted = matchListing(paths, pattern);
  if (!wanted.length) {
    throw new DatasetNotFoundError(`${ctx.label}: data file ${url} (split '${split}') matched no file in the Hub repo ${repoId}@${revision}`, 'check the path inside the repository');
  }
  const byPath = new Map(files.map((f) => [f.path, f]));
  return fetchIntoCache(client, cache, repoId, commit, wanted.map((p) => byPath.get(p)!), ctx);
}

async function fetchIntoCache(
  client: HubClient,
  cache: HubRepoCache,
  repoId: string,
  commit: string,
  files: HubFile[],
  ctx: Ctx,
): Promise<string[]> {
  const toLink: HubFile[] = [];
  for (const f of files) {
    if (await cache.cachedFile(commit, f.path)) continue;
    if (!(await cache.hasBlob(f.etag))) {
      ctx.progress(`Downloading ${repoId}/${f.path} (${f.size} bytes)`);
      await cache.writeBlob(f.etag, await client.download(repoId, commit, f.path));
    }
    toLink.push(f);
  }
  for (const f of toLink) await cache.linkSnapshot(commit, f.path, f.etag);
  return files.map((f) => join(cache.snapshotDir(commit), ...f.path.split('/')));
}
