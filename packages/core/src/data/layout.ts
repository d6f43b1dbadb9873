/**
 * Which files make which split of a dataset repository (a Hub repo or a local folder), from its
 * file listing — the rules of Hugging Face `datasets`:
 *
 * 1. README.md YAML `configs:` — `config_name`, `data_files` (per split, globs), `data_dir`,
 *    `default: true`; other keys are builder options (`sep`, `field`, …).
 * 2. Without configs, the "default" config is inferred from file names:
 *    `data/<split>-NNNNN-of-NNNNN.*` shards, else folders named after a split keyword
 *    (`train/`, `dev-x/` …), else file names containing one (`my_test.jsonl`), else everything
 *    is `train`. Keywords: train|training, validation|valid|dev|val, test|testing|eval|evaluation,
 *    delimited by `-._ 0-9` or `/`.
 * 3. The Hub's Parquet conversion (branch `refs/convert/parquet`): `<config>/<split>/*.parquet`,
 *    `<config>/partial-<split>/*.parquet`, or the older `<config>/[<name>-]<split>[-NNNNN-of-NNNNN].parquet`.
 */
import { parse as parseYaml } from 'yaml';
import { LmEvalError } from '../errors.ts';
import { isPlainObject } from '../python/values.ts';
import { FILES_TO_IGNORE, normalizeDataFiles, resolveInListing, type DataFilesSpec } from './data-files.ts';
import { DatasetNotFoundError } from './errors.ts';

/** Builder name by data file extension (after stripping `.gz`), with the builder options it implies. */
export const EXTENSION_BUILDERS: Record<string, { builder: Builder; kwargs?: Record<string, unknown> }> = {
  '.json': { builder: 'json' },
  '.jsonl': { builder: 'json' },
  '.ndjson': { builder: 'json' },
  '.csv': { builder: 'csv' },
  '.tsv': { builder: 'csv', kwargs: { sep: '\t' } },
  '.parquet': { builder: 'parquet' },
  '.arrow': { builder: 'arrow' },
  '.txt': { builder: 'text' },
};

export type Builder = 'json' | 'csv' | 'parquet' | 'text' | 'arrow';
export const PACKAGED_BUILDERS: readonly Builder[] = ['json', 'csv', 'parquet', 'text', 'arrow'];

/** The data-file extension of a path (`a/b.jsonl.gz` → `.jsonl`), or '' if unknown. */
export function dataExtension(path: string): string {
  const p = path.toLowerCase().replace(/\.gz$/, '');
  const m = /\.[a-z0-9]+$/.exec(p.slice(p.lastIndexOf('/') + 1));
  return m && m[0] in EXTENSION_BUILDERS ? m[0] : '';
}

export interface ResolvedConfig {
  /** Config name (`default` when inferred). */
  config: string;
  /** split → repo-relative files, sorted; a split may have no file (not cached, or a bad pattern). */
  splits: Map<string, string[]>;
  /** Patterns that matched no file. */
  unmatched: string[];
  /** Extra builder options of the README config. */
  builderKwargs: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// README configs

export interface ReadmeConfig {
  config_name: string;
  data_files?: unknown;
  data_dir?: string;
  default?: boolean;
  [key: string]: unknown;
}

/** The `configs:` list of a dataset card (README.md YAML front matter); [] when none. */
export function readmeConfigs(readme: string | null | undefined): ReadmeConfig[] {
  if (!readme) return [];
  const m = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(readme);
  if (!m) return [];
  let meta: unknown;
  try {
    meta = parseYaml(m[1], { version: '1.1' });
  } catch {
    return [];
  }
  if (!isPlainObject(meta) || !Array.isArray(meta.configs)) return [];
  return meta.configs
    .filter(isPlainObject)
    .map((c) => ({ ...c, config_name: typeof c.config_name === 'string' ? c.config_name : 'default' }) as ReadmeConfig);
}

const CONFIG_KEYS = new Set(['config_name', 'data_files', 'data_dir', 'default']);

// ---------------------------------------------------------------------------------------------
// Split inference

const SPLIT_KEYWORDS: [string, string[]][] = [
  ['train', ['train', 'training']],
  ['validation', ['validation', 'valid', 'dev', 'val']],
  ['test', ['test', 'testing', 'eval', 'evaluation']],
];
const SEP = '[-._ 0-9]';
const SPLIT_ORDER = ['train', 'validation', 'test'];

function splitSort(a: string, b: string): number {
  const ia = SPLIT_ORDER.indexOf(a);
  const ib = SPLIT_ORDER.indexOf(b);
  if (ia !== ib) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a file can be data for `datasets` inference (known extension, not hidden/ignored). */
function isCandidate(path: string): boolean {
  const parts = path.split('/');
  if (FILES_TO_IGNORE.has(parts[parts.length - 1])) return false;
  if (parts.some((p) => p.startsWith('.') || p.startsWith('__'))) return false;
  return dataExtension(path) !== '';
}

/** Infers split → files for files under `baseDir` (repo-relative, '' for the root). */
export function inferSplits(files: readonly string[], baseDir = ''): Map<string, string[]> {
  const prefix = baseDir ? baseDir.replace(/\/+$/, '') + '/' : '';
  const rel = files
    .filter((f) => f.startsWith(prefix))
    .map((f) => f.slice(prefix.length))
    .filter(isCandidate)
    .sort();
  const result = (groups: Map<string, string[]>) =>
    new Map(
      [...groups]
        .filter(([, fs]) => fs.length)
        .sort(([a], [b]) => splitSort(a, b))
        .map(([s, fs]) => [s, fs.map((f) => prefix + f)]),
    );

  // 1. data/<split>-00000-of-00003.<ext>  (any split name)
  const sharded = new Map<string, string[]>();
  for (const f of rel) {
    const m = /^data\/(\w+)-\d{5}-of-\d{5}[^/]*\.[^/]+$/.exec(f);
    if (m) sharded.set(m[1], [...(sharded.get(m[1]) ?? []), f]);
  }
  if (sharded.size) return result(sharded);

  // 2. a folder named after a split keyword
  const byDir = new Map<string, string[]>();
  for (const [split, keywords] of SPLIT_KEYWORDS) {
    const re = new RegExp(`^(?:.*${SEP})?(?:${keywords.join('|')})(?:${SEP}.*)?$`);
    byDir.set(split, rel.filter((f) => f.split('/').slice(0, -1).some((d) => re.test(d))));
  }
  if ([...byDir.values()].some((v) => v.length)) return result(byDir);

  // 3. a file name containing a split keyword
  const byName = new Map<string, string[]>();
  for (const [split, keywords] of SPLIT_KEYWORDS) {
    const re = new RegExp(`^(?:.*${SEP})?(?:${keywords.join('|')})${SEP}`);
    byName.set(split, rel.filter((f) => re.test(f.slice(f.lastIndexOf('/') + 1))));
  }
  if ([...byName.values()].some((v) => v.length)) return result(byName);

  // 4. everything is train
  return result(new Map([['train', rel]]));
}

// ---------------------------------------------------------------------------------------------
// Config resolution on a repository listing

export interface ResolveConfigOptions {
  /** README.md text, if the repo has one. */
  readme?: string | null;
  /** `dataset_name`. */
  configName?: string | null;
  /** `dataset_kwargs.data_files` (overrides the README config). */
  dataFiles?: unknown;
  /** `dataset_kwargs.data_dir`. */
  dataDir?: string | null;
  /** Dataset label for error messages. */
  label: string;
}

/**
 * Resolves the files of a config of a repository from its listing. Returns null when the repo
 * declares no configs, no `data_files` were given, and no data file can be inferred (the caller
 * may then try the Parquet conversion). Throws when `dataset_name` is not a declared config.
 */
export function resolveConfig(files: readonly string[], opts: ResolveConfigOptions): ResolvedConfig | null {
  const configs = readmeConfigs(opts.readme);
  const name = opts.configName ?? null;
  const dataDirKw = opts.dataDir ? String(opts.dataDir).replace(/^\.\/|\/+$/g, '') : '';

  if (opts.dataFiles !== undefined && opts.dataFiles !== null) {
    const spec = normalizeDataFiles(opts.dataFiles, 'dataset_kwargs.data_files');
    const { splits, unmatched } = resolveInListing(files, spec, dataDirKw);
    return { config: name ?? 'default', splits, unmatched, builderKwargs: {} };
  }

  let chosen: ReadmeConfig | undefined;
  if (configs.length) {
    if (name) chosen = configs.find((c) => c.config_name === name);
    else chosen = configs.find((c) => c.default === true) ?? (configs.length === 1 ? configs[0] : undefined);
    if (!chosen && !name) chosen = configs.find((c) => c.config_name === 'default');
    if (!chosen) {
      const names = configs.map((c) => `'${c.config_name}'`).join(', ');
      throw new DatasetNotFoundError(
        name
          ? `Config '${name}' not found for ${opts.label}; available configs: ${names}`
          : `${opts.label} has several configs (${names}) and none is the default`,
        'Set dataset_name in the task YAML to one of the available configs.',
      );
    }
  }

  if (chosen) {
    const builderKwargs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(chosen)) if (!CONFIG_KEYS.has(k)) builderKwargs[k] = v;
    const dataDir = dataDirKw || (chosen.data_dir ? String(chosen.data_dir).replace(/^\.\/|\/+$/g, '') : '');
    if (chosen.data_files !== undefined && chosen.data_files !== null) {
      const spec: DataFilesSpec = normalizeDataFiles(chosen.data_files, `README.md config '${chosen.config_name}' data_files`);
      const { splits, unmatched } = resolveInListing(files, spec, dataDir);
      return { config: chosen.config_name, splits, unmatched, builderKwargs };
    }
    return { config: chosen.config_name, splits: inferSplits(files, dataDir), unmatched: [], builderKwargs };
  }

  if (name && name !== 'default') return null;
  const splits = inferSplits(files, dataDirKw);
  if (splits.size === 0) return null;
  return { config: 'default', splits, unmatched: [], builderKwargs: {} };
}

// ---------------------------------------------------------------------------------------------
// Parquet conversion

export interface ParquetExport {
  /** Config folders present. */
  configs: string[];
  /** Config used. */
  config: string | null;
  splits: Map<string, string[]>;
}

/** Reads the layout of a `refs/convert/parquet` listing for a config (`dataset_name`). */
export function resolveParquetExport(files: readonly string[], configName: string | null): ParquetExport {
  const parquet = files.filter((f) => f.endsWith('.parquet') && f.includes('/'));
  const configs = [...new Set(parquet.map((f) => f.slice(0, f.indexOf('/'))))].sort();
  let config: string | null = configName ?? (configs.includes('default') ? 'default' : configs.length === 1 ? configs[0] : null);
  if (config !== null && !configs.includes(config)) config = null;
  const splits = new Map<string, string[]>();
  if (config === null) return { configs, config, splits };
  for (const f of parquet) {
    if (!f.startsWith(config + '/')) continue;
    const rest = f.slice(config.length + 1);
    let split: string;
    const slash = rest.indexOf('/');
    if (slash >= 0) {
      // <config>/<split>/0000.parquet; partially converted big splits are "partial-<split>".
      split = rest.slice(0, slash).replace(/^partial-/, '');
    } else {
      // <config>/[<dataset>-]<split>[-00000-of-00002].parquet
      const stem = rest.replace(/\.parquet$/, '').replace(/-\d{5}-of-\d{5}$/, '');
      split = stem.slice(stem.lastIndexOf('-') + 1);
    }
    splits.set(split, [...(splits.get(split) ?? []), f]);
  }
  for (const v of splits.values()) v.sort();
  return { configs, config, splits: new Map([...splits].sort(([a], [b]) => splitSort(a, b))) };
}

/** The builder for a set of files: the most common data extension (as `datasets` infers it). */
export function inferBuilder(files: readonly string[], label: string): { builder: Builder; kwargs: Record<string, unknown> } {
  const counts = new Map<string, number>();
  for (const f of files) {
    const ext = dataExtension(f);
    if (ext) counts.set(ext, (counts.get(ext) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (!best) {
    throw new LmEvalError(
      `Cannot tell the format of the data files of ${label}: ${files.slice(0, 5).join(', ')}`,
      `Supported extensions: ${Object.keys(EXTENSION_BUILDERS).join(', ')} (optionally .gz).`,
    );
  }
  const b = EXTENSION_BUILDERS[best[0]];
  return { builder: b.builder, kwargs: { ...(b.kwargs ?? {}) } };
}
