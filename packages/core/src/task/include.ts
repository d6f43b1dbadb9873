/**
 * `include:` resolution for task and group YAML files (lm_eval/tasks/_yaml_loader.py `load_yaml`; v0.4.4: lm_eval/utils.py
 * `load_yaml_config`).
 *
 * - `include` is a path or a list of paths, relative to the including file's folder (absolute
 *   paths allowed). Each included file contributes its *fully resolved* dict (its own includes
 *   applied first). The merge is shallow; the including file's own keys always win, and an
 *   explicit `null` is a value like any other.
 * - Precedence between several includes depends on the profile of the including file:
 *   '0.4.4': the list is reversed and applied in order => the FIRST listed file wins, and a
 *   relative path is tried against the current working directory before the YAML folder;
 *   'latest': applied in list order => the LAST listed file wins; `task_list` of included files
 *   is dropped.
 * - Diamonds (A includes B and C, both include D) are accepted in both profiles. Only a true cycle
 *   (a file already on the include stack) is an error.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import { isPlainObject } from '../python/values.ts';
import { profileForFile } from './profile.ts';
import { parseYaml } from './yaml.ts';

export type YamlDict = Record<string, unknown>;

export interface IncludeOptions {
  /** Run-level default profile, used where no `.lm-eval-profile` marker pins the file. */
  profile: Profile;
  /** Working directory for the v0.4.4 CWD-first include lookup (default: process.cwd()). */
  cwd?: string;
  /** Loads one file without resolving its includes (default: cached full YAML parse). */
  load?: (file: string) => YamlDict;
  /** Told of each include lookup: the paths tried in order, the one found, whether the working directory was among them. */
  onLookup?: (tried: string[], found: string | undefined, cwdRelative: boolean) => void;
  /** Whether an include candidate (absolute path) exists (default: `existsSync`). */
  exists?: (file: string) => boolean;
}

/** Deep copy of plain dicts and lists (class instances such as PyFloat/FunctionRef are shared). */
export function deepCopy<T>(v: T): T {
  if (Array.isArray(v)) {
    const out = v.map((x) => deepCopy(x));
    if (Object.getPrototypeOf(v) !== Array.prototype) Object.setPrototypeOf(out, Object.getPrototypeOf(v));
    return out as T;
  }
  if (isPlainObject(v)) {
    const out: YamlDict = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x);
    return out as T;
  }
  return v;
}

const parseCache = new Map<string, { mtimeMs: number; size: number; value: YamlDict }>();

/** Parses a YAML file (top level must be a mapping), cached by path + mtime + size. */
export function readYamlCached(file: string): YamlDict {
  const abs = path.resolve(file);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new LmEvalError(`${abs}: YAML file not found`);
  }
  const hit = parseCache.get(abs);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.value;
  const value = parseYaml(readFileSync(abs, 'utf8'), { file: abs }) as YamlDict;
  parseCache.set(abs, { mtimeMs: st.mtimeMs, size: st.size, value });
  return value;
}

/** Candidate absolute paths for one include entry, in lookup order. */
export function includeCandidates(entry: string, includingFile: string, profile: Profile, cwd: string): string[] {
  if (path.isAbsolute(entry)) return [entry];
  const dirPath = path.resolve(path.dirname(includingFile), entry);
  if (profile === '0.4.4') return [path.resolve(cwd, entry), dirPath];
  return [dirPath];
}

function includeList(value: unknown, file: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((x) => typeof x === 'string')) return value as string[];
  throw new LmEvalError(`${file}: 'include' must be a file path or a list of file paths`);
}

/**
 * Applies `include` of `dict` (which belongs to `file`): returns a new dict without `include`.
 * `stack` holds the files currently being resolved (for cycle detection).
 */
export function applyIncludes(dict: YamlDict, file: string, options: IncludeOptions, stack: string[] = []): YamlDict {
  if (!Object.prototype.hasOwnProperty.call(dict, 'include')) return { ...dict };
  const own = { ...dict };
  const entries = includeList(own.include, file);
  delete own.include;
  const abs = path.resolve(file);
  const profile = profileForFile(abs, options.profile);
  const cwd = options.cwd ?? process.cwd();
  const resolved = entries.map((entry) => {
    const candidates = includeCandidates(entry, abs, profile, cwd);
    const exists = options.exists ?? existsSync;
    const found = candidates.find((c) => exists(c));
    options.onLookup?.(candidates, found, profile === '0.4.4' && !path.isAbsolute(entry));
    if (!found) {
      throw new LmEvalError(
        `${file}: included file '${entry}' not found (tried: ${[...new Set(candidates)].join(', ')})`,
      );
    }
    const included = loadWithIncludes(found, options, [...stack, abs]);
    if (profile === 'latest') delete included.task_list;
    return included;
  });
  // v0.4.4: "inherit from right to left" => reversed list, so the first listed file wins.
  if (profile === '0.4.4') resolved.reverse();
  const out: YamlDict = {};
  for (const inc of resolved) Object.assign(out, inc);
  Object.assign(out, own);
  return out;
}

/** Loads `file` with every include resolved. Returns a fresh dict (nested values shared with the cache). */
export function loadWithIncludes(file: string, options: IncludeOptions, stack: string[] = []): YamlDict {
  const abs = path.resolve(file);
  const at = stack.indexOf(abs);
  if (at >= 0) {
    const cycle = [...stack.slice(at), abs].map((f) => path.relative(process.cwd(), f) || f);
    throw new LmEvalError(`Include cycle: ${cycle.join(' -> ')}`, 'Remove one of these includes.');
  }
  const load = options.load ?? readYamlCached;
  return applyIncludes(load(abs), abs, options, stack);
}

/** Loads `file` with includes resolved, as an independent deep copy safe to mutate. */
export function loadYamlConfig(file: string, options: IncludeOptions): YamlDict {
  return deepCopy(loadWithIncludes(file, options));
}
