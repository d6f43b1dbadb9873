/**
 * `TaskIndex`: finds task, group and tag names in the built-in task folder and the
 * `--include_path` folders (lm_eval/tasks/_index.py `TaskIndex`, lm_eval/tasks/manager.py `TaskManager`) without fully parsing every YAML file.
 *
 * Each `*.yaml` is pre-scanned for its top-level `task`/`group`/`tag`/`include`/`class`/
 * `output_type` keys (scan.ts); includes are resolved over those partial dicts with the normal
 * include rules (so names, tags and output types inherited through `include` are right), and
 * each file is classified:
 *   has `class` -> Python task (cannot run here) | [latest] has `group` / [v0.4.4] `task` is a
 *   list -> group | `task` is a string -> task | otherwise ignored.
 * Collisions within a folder follow the run-level profile: [latest] sorted path order, first wins;
 * [v0.4.4] last file wins. Between folders a later one wins under both profiles: `--include_path`
 * folders override the built-in tasks and later include paths override earlier ones (lm-eval's
 * `TaskIndex.build`, "Task '…' from … overrides existing task from …"). lm-eval 0.4.4 let its own
 * built-ins win instead, but our built-in folder is not lm-eval 0.4.4's: a user who points at
 * their copy of a folder (MERA's `benchmark_tasks`) means their files. Every collision is recorded
 * in {@link TaskIndex.collisions} with both files, for the caller to print.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import type { Profile } from '../compat.ts';
import { LmEvalError, LmEvalErrors } from '../errors.ts';
import { defaultTasksDir } from './builtin-dir.ts';
import { closestNames } from './config.ts';
import { fnmatch, hasGlob } from './fnmatch.ts';
import { loadWithIncludes, type IncludeOptions, type YamlDict } from './include.ts';
import { noteFolderListing, profileForFile } from './profile.ts';
import { scanIndexKeys } from './scan.ts';
import { ScanCache } from './index-cache.ts';
import { readSnapshot, SnapshotDeps, writeSnapshot, type SnapshotKey, type SnapshotState } from './index-snapshot.ts';
import { profilePortSources } from './ports.ts';
import { parseYaml } from './yaml.ts';

export type IndexKind = 'task' | 'group' | 'tag' | 'python_task';

export interface IndexEntry {
  name: string;
  kind: IndexKind;
  /** YAML file defining the task/group (absent for tags). */
  yamlPath?: string;
  /** The folder root the file was found under ('' for files named on the command line). */
  root: string;
  /** Profile of the YAML file (marker file or run default). */
  profile: Profile;
  /** Tasks: output_type after includes (default generate_until). */
  outputType?: string;
  /** Tasks: tag names. Tags: member task names (sorted by name under latest). */
  tags?: string[];
  tasks?: string[];
}

/** Two files defining the same name; `winner` is used. */
export interface IndexCollision {
  name: string;
  kind: IndexKind;
  winner: string;
  loser: string;
  /** true: both in one folder tree; false: a later folder (or a file named in --tasks) overrides. */
  sameRoot: boolean;
  /** lm-eval's log level for it: WARNING for tasks and for overrides between folders, DEBUG for duplicate groups in one folder. */
  level: 'WARNING' | 'DEBUG';
  message: string;
}

export interface TaskIndexOptions {
  /** Run-level default profile (CLI `--compat`, else 'latest'). */
  profile?: Profile;
  /** Built-in task folder (default: the repository `tasks/` folder); null for none. */
  builtinDir?: string | null;
  /** `--include_path` folders, in order. */
  includePaths?: string[];
  /** Working directory (v0.4.4 include lookup, relative `--tasks` file paths). */
  cwd?: string;
  /** Per-file scan cache (default: the persistent one, index-cache.ts); null: none. */
  scanCache?: ScanCache | null;
}

const SKIP_DIRS = new Set(['__pycache__', '.ipynb_checkpoints', 'node_modules', '.git']);

export { defaultTasksDir };

/**
 * All `*.yaml` files under `dir`, recursively, sorted by path (symbolic links among them added to
 * `symlinks`); `onDir` sees each folder listed with its entries.
 */
export function listYamlFiles(dir: string, symlinks?: Set<string>, onDir?: (dir: string, entries: Dirent[]) => void): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    onDir?.(d, entries);
    // `d` is resolved (normalized), so a name is joined by a separator (no path.join per entry)
    const prefix = d.endsWith(path.sep) ? d : d + path.sep;
    for (const e of entries) {
      const p = prefix + e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if (e.name.endsWith('.yaml') && (e.isFile() || e.isSymbolicLink())) {
        out.push(p);
        if (symlinks && e.isSymbolicLink()) symlinks.add(p);
      }
    }
  };
  walk(path.resolve(dir));
  return out.sort();
}

/**
 * `--include_path` values: each may hold several folders separated by ':' (lm-eval's documented
 * form `"/path/to/tasks1:/path/to/tasks2"`), and the flag may be repeated; order is kept.
 */
export function splitIncludePaths(values: string[]): string[] {
  return values.flatMap((v) => v.split(path.delimiter)).map((v) => v.trim()).filter(Boolean);
}

/** A missing folder, or a file, given as include path is a user error naming the flag. */
function checkIncludePath(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new LmEvalError(`--include_path: folder not found: ${dir}`, 'pass an existing folder of task YAML files (several: repeat the flag or separate them with ":")');
  }
  if (!st.isDirectory()) {
    throw new LmEvalError(
      `--include_path: ${dir} is a file, not a folder`,
      dir.endsWith('.yaml') ? 'pass the folder that holds it, or name the YAML file in --tasks' : 'pass the folder that holds your task YAML files',
    );
  }
}

function strList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

interface Classified {
  name: string;
  kind: 'task' | 'group' | 'python_task';
  tags: string[];
  outputType?: string;
}

/** Classifies a file's include-resolved (partial) config as lm_eval/tasks/_index.py `TaskIndex._kind_of` does. */
export function classifyConfig(cfg: YamlDict, profile: Profile): Classified | undefined {
  const task = cfg.task;
  if ('class' in cfg) return typeof task === 'string' ? { name: task, kind: 'python_task', tags: strList(cfg.tag) } : undefined;
  if (profile === 'latest' && 'group' in cfg) {
    const g = cfg.group;
    return typeof g === 'string' ? { name: g, kind: 'group', tags: [] } : undefined;
  }
  if (profile === '0.4.4' && Array.isArray(task)) {
    const g = cfg.group;
    return typeof g === 'string' ? { name: g, kind: 'group', tags: [] } : undefined;
  }
  if (typeof task === 'string') {
    const tags = strList(cfg.tag);
    // [v0.4.4] a string/list `group:` in a task file is a deprecated synonym of `tag:`.
    if (profile === '0.4.4') for (const g of strList(cfg.group)) if (!tags.includes(g)) tags.push(g);
    const ot = cfg.output_type;
    return { name: task, kind: 'task', tags, outputType: typeof ot === 'string' ? ot : 'generate_until' };
  }
  return undefined;
}

export class TaskIndex {
  readonly profile: Profile;
  readonly roots: string[];
  readonly cwd: string;
  /** Warnings collected while indexing (collisions, unreadable files). */
  readonly warnings: string[] = [];
  /** Name collisions, in the order met (also in {@link warnings}). */
  readonly collisions: IndexCollision[] = [];
  private readonly entries = new Map<string, IndexEntry>();
  private readonly tagMembers = new Map<string, string[]>();
  private readonly scanCache = new Map<string, YamlDict>();
  /** Files that could not be indexed: why, by file and by the task/group name the file declares. */
  private readonly skippedFiles = new Map<string, string>();
  private readonly skippedNames = new Map<string, { file: string; reason: string }>();

  private constructor(options: TaskIndexOptions) {
    this.profile = options.profile ?? 'latest';
    this.cwd = options.cwd ?? process.cwd();
    const builtin = options.builtinDir === undefined ? defaultTasksDir() : options.builtinDir;
    this.builtinRoot = builtin ? path.resolve(this.cwd, builtin) : null;
    const includes = splitIncludePaths(options.includePaths ?? []).map((r) => path.resolve(this.cwd, r));
    for (const dir of includes) checkIncludePath(dir);
    this.roots = [...(this.builtinRoot ? [this.builtinRoot] : []), ...includes];
  }

  /** The built-in task folder (null when none). */
  readonly builtinRoot: string | null;

  /**
   * Scans the folders and builds the index. With the persistent scan cache, an index built before
   * from folders and files that have not changed since is restored from its snapshot
   * (index-snapshot.ts) instead.
   */
  static build(options: TaskIndexOptions = {}): TaskIndex {
    const index = new TaskIndex(options);
    const cache = options.scanCache === undefined ? ScanCache.open() : options.scanCache;
    const ports = profilePortSources();
    const key: SnapshotKey = { profile: index.profile, roots: index.roots, builtinRoot: index.builtinRoot, ports: ports.registered };
    const cacheFile = cache?.file ?? null;
    cache?.setRoots(index.roots);
    index.fileScan = cache ? (f) => cache.scan(f) : scanIndexKeys;
    if (cacheFile) {
      const snapshot = readSnapshot(cacheFile, key, index.cwd);
      if (snapshot) {
        index.restore(snapshot.state, snapshot.files);
        cache?.markUsed();
        return index;
      }
    }
    const deps = cacheFile ? new SnapshotDeps() : undefined;
    if (cache && deps) {
      index.fileScan = (f) => cache.scan(f, (st) => deps.file(f, st));
      index.onLookup = (tried, found, cwdRelative) => {
        for (const t of tried) {
          if (t === found) break;
          deps.absent(t);
        }
        if (cwdRelative) deps.cwdDependent = true;
      };
      if (ports.manifest) deps.file(ports.manifest);
    }
    const onDir = (d: string, entries: Dirent[]) => {
      noteFolderListing(d, entries.map((e) => e.name)); // the profile look-up lists no folder twice
      index.listed.set(d, entries);
      deps?.dir(d, entries);
    };
    const seen = new Set<string>();
    const scanned: string[] = [];
    for (const root of index.roots) {
      if (!existsSync(root)) {
        deps?.absent(root);
        index.warnings.push(`built-in task folder not found: ${root}`);
        continue;
      }
      scanned.push(root);
      cache?.enter(root);
      // folders are walked without following links, so only linked files need realpath
      const realRoot = realpathSync(root);
      const links = new Set<string>();
      for (const file of listYamlFiles(root, links, onDir)) {
        // an --include_path inside (or equal to) another scanned folder: index each file once
        const real = links.has(file) ? realpathSync(file) : realRoot + file.slice(root.length);
        if (seen.has(real)) continue;
        seen.add(real);
        index.addFile(file, root);
      }
    }
    index.finishTags();
    cache?.save(scanned);
    index.onLookup = undefined;
    index.listed.clear();
    if (cacheFile && deps && !deps.racy) writeSnapshot(cacheFile, key, index.cwd, deps, index.snapshotState(deps.fileIds()));
    return index;
  }

  /** The state a snapshot keeps (files by their position in the snapshot's file list). */
  private snapshotState(fileIds: Map<string, number>): SnapshotState {
    const file = (f: string | undefined) => (f === undefined ? null : (fileIds.get(f) ?? f));
    const entries = [...this.entries.values()].map((e) => [
      e.name,
      e.kind,
      file(e.yamlPath),
      e.root === '' ? -1 : this.roots.indexOf(e.root),
      e.profile,
      e.outputType ?? null,
      e.tags ?? null,
      e.tasks ?? null,
    ]);
    return {
      entries,
      collisions: this.collisions,
      warnings: this.warnings,
      skippedFiles: [...this.skippedFiles],
      skippedNames: [...this.skippedNames].map(([name, { file: f, reason }]) => [name, f, reason]),
    };
  }

  /** Restores the state {@link snapshotState} kept (`files`: the snapshot's file paths). */
  private restore(state: SnapshotState, files: string[]): void {
    type Row = [string, IndexKind, number | string | null, number, Profile, string | null, string[] | null, string[] | null];
    for (const [name, kind, f, root, profile, outputType, tags, tasks] of state.entries as Row[]) {
      const e: IndexEntry = { name, kind, root: root < 0 ? '' : this.roots[root], profile };
      if (f !== null) e.yamlPath = typeof f === 'number' ? files[f] : f;
      if (outputType !== null) e.outputType = outputType;
      if (tags !== null) e.tags = tags;
      if (tasks !== null) e.tasks = tasks;
      this.entries.set(name, e);
    }
    this.collisions.push(...(state.collisions as IndexCollision[]));
    this.warnings.push(...(state.warnings as string[]));
    for (const [f, reason] of state.skippedFiles as Array<[string, string]>) this.skippedFiles.set(f, reason);
    for (const [name, f, reason] of state.skippedNames as Array<[string, string, string]>) this.skippedNames.set(name, { file: f, reason });
  }

  private onLookup: IncludeOptions['onLookup'];

  /** Folders listed by this build's walk, by path: their entries answer include look-ups without a stat. */
  private readonly listed = new Map<string, Dirent[] | Map<string, Dirent>>();

  /**
   * Whether an include candidate exists: a regular file the walk listed does, a name missing from
   * a listed folder does not; anything else (links, folders outside the walk) is asked of the disk.
   */
  private exists = (file: string): boolean => {
    const dir = path.dirname(file);
    let entries = this.listed.get(dir);
    if (Array.isArray(entries)) {
      entries = new Map(entries.map((x) => [x.name, x]));
      this.listed.set(dir, entries);
    }
    if (entries) {
      const e = entries.get(path.basename(file));
      if (!e) return false;
      if (e.isFile()) return true;
    }
    return existsSync(file);
  };

  private fileScan: (file: string) => YamlDict = scanIndexKeys;

  private scan = (file: string): YamlDict => {
    let v = this.scanCache.get(file);
    if (!v) {
      v = this.fileScan(file);
      this.scanCache.set(file, v);
    }
    return v;
  };

  /** Classifies one file; undefined (with a warning) when it cannot be loaded. */
  private classifyFile(file: string): (Classified & { profile: Profile }) | undefined {
    const profile = profileForFile(file, this.profile);
    let cfg: YamlDict;
    try {
      cfg = loadWithIncludes(file, { profile: this.profile, cwd: this.cwd, load: this.scan, onLookup: this.onLookup, exists: this.exists });
    } catch (err) {
      if (err instanceof LmEvalError) {
        this.warnings.push(`skipped ${file}: ${err.message}`);
        this.skippedFiles.set(file, err.message);
        // the file's own name (without its includes), so `--tasks <name>` can say why it is missing
        try {
          const own = this.scan(file);
          for (const n of [own.task, own.group]) if (typeof n === 'string') this.skippedNames.set(n, { file, reason: err.message });
        } catch {
          // unreadable on its own: only the file is recorded
        }
        return undefined;
      }
      throw err;
    }
    const c = classifyConfig(cfg, profile);
    return c && { ...c, profile };
  }

  private addFile(file: string, root: string): void {
    const c = this.classifyFile(file);
    if (!c) return;
    const entry: IndexEntry = { name: c.name, kind: c.kind, yamlPath: file, root, profile: c.profile };
    if (c.kind !== 'group') {
      entry.tags = c.tags;
      entry.outputType = c.outputType;
    }
    this.register(entry);
  }

  private register(entry: IndexEntry): void {
    const old = this.entries.get(entry.name);
    if (old) {
      const sameRoot = old.root === entry.root;
      // within a folder: latest first wins, v0.4.4 last wins; a later folder or an inline file wins.
      const replace = entry.root === '' ? true : sameRoot ? this.profile === '0.4.4' : true;
      const winner = replace ? entry : old;
      const loser = replace ? old : entry;
      const message = sameRoot
        ? `Duplicate ${entry.kind} name '${entry.name}': using ${winner.yamlPath}, ignoring ${loser.yamlPath}`
        : `${entry.kind === 'group' ? 'Group' : 'Task'} '${entry.name}' from ${winner.yamlPath} overrides existing ${old.kind === 'group' ? 'group' : 'task'} from ${loser.yamlPath}`;
      this.collisions.push({
        name: entry.name,
        kind: entry.kind,
        winner: winner.yamlPath ?? '',
        loser: loser.yamlPath ?? '',
        sameRoot,
        level: sameRoot && entry.kind === 'group' ? 'DEBUG' : 'WARNING',
        message,
      });
      this.warnings.push(message);
      if (!replace) return;
    }
    this.entries.set(entry.name, entry);
  }

  private finishTags(): void {
    this.tagMembers.clear();
    for (const e of this.entries.values()) {
      if (e.kind === 'tag') this.entries.delete(e.name);
    }
    for (const e of this.entries.values()) {
      if (e.kind === 'group') continue;
      for (const tag of e.tags ?? []) {
        const list = this.tagMembers.get(tag) ?? [];
        list.push(e.name);
        this.tagMembers.set(tag, list);
      }
    }
    for (const [tag, members] of this.tagMembers) {
      const clash = this.entries.get(tag);
      if (clash) {
        this.warnings.push(`tag '${tag}' has the name of a ${clash.kind}; the tag is not registered`);
        continue;
      }
      // latest sorts tag members by name; v0.4.4 keeps visit order (sorted paths here).
      const tasks = this.profile === 'latest' ? [...members].sort() : members;
      this.entries.set(tag, { name: tag, kind: 'tag', root: '', profile: this.profile, tasks });
    }
  }

  /** Entry for a name (task, group, tag, python task), or undefined. */
  get(name: string): IndexEntry | undefined {
    return this.entries.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Every registered name, sorted. */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  private byKind(...kinds: IndexKind[]): IndexEntry[] {
    return [...this.entries.values()].filter((e) => kinds.includes(e.kind)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Tasks (incl. Python-class tasks), sorted by name, with config path and output type. */
  allTasks(): IndexEntry[] {
    return this.byKind('task', 'python_task');
  }

  allGroups(): IndexEntry[] {
    return this.byKind('group');
  }

  allTags(): IndexEntry[] {
    return this.byKind('tag');
  }

  /** Registers a YAML file named on the command line (it wins over indexed names). */
  addInlineFile(file: string): string | undefined {
    const abs = path.resolve(this.cwd, file);
    const c = this.classifyFile(abs);
    if (!c) return undefined;
    const entry: IndexEntry = { name: c.name, kind: c.kind, yamlPath: abs, root: '', profile: c.profile };
    if (c.kind !== 'group') {
      entry.tags = c.tags;
      entry.outputType = c.outputType;
    }
    this.register(entry);
    return c.name;
  }

  /** Why a YAML file named in `--tasks` defines no task or group. */
  private whyNotATask(file: string): string {
    const skipped = this.skippedFiles.get(file);
    if (skipped) return skipped;
    let value: unknown;
    try {
      value = parseYaml(readFileSync(file, 'utf8'), { file, requireMapping: false });
    } catch (err) {
      return (err as Error).message;
    }
    if (value === null || value === undefined) return `${file} is empty`;
    if (Array.isArray(value)) return `${file}: the top level is a list; a task file is a mapping with a 'task' key`;
    if (typeof value !== 'object') return `${file}: the top level is a single value; a task file is a mapping with a 'task' key`;
    return `${file} has no 'task' name (nor a 'group' with a 'task' list)`;
  }

  private expandYamlEntry(entry: string): string[] {
    const abs = path.resolve(this.cwd, entry);
    if (!hasGlob(path.basename(abs))) return existsSync(abs) ? [abs] : [];
    const dir = path.dirname(abs);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => fnmatch(f, path.basename(abs)))
      .map((f) => path.join(dir, f))
      .sort();
  }

  /**
   * Resolves `--tasks` entries to registered names (lm_eval/tasks/manager.py `TaskManager.match_tasks`). Accepts a comma-separated string
   * ([latest] also space-separated) or a list. `.yaml` entries (glob allowed) and directories
   * are loaded as extra entries. Unknown entries -> LmEvalError "Tasks not found: …" with
   * suggestions ([v0.4.4] entries containing `*` are skipped instead).
   */
  matchTasks(patterns: string | string[]): string[] {
    const sep = this.profile === 'latest' ? /[,\s]+/ : /,/;
    const entries = (typeof patterns === 'string' ? patterns.split(sep) : patterns.flatMap((p) => p.split(sep)))
      .map((s) => s.trim())
      .filter(Boolean);
    const result: string[] = [];
    const missing: string[] = [];
    const broken: string[] = [];
    const all = this.names();
    for (const entry of entries) {
      let matched: string[] = [];
      const abs = path.resolve(this.cwd, entry);
      if (entry.endsWith('.yaml')) {
        for (const f of this.expandYamlEntry(entry)) {
          const name = this.addInlineFile(f);
          if (name) matched.push(name);
          else broken.push(this.whyNotATask(f));
        }
        if (broken.length && !matched.length) continue;
        if (matched.length) this.finishTags();
      } else if (!this.has(entry) && existsSync(abs) && statSync(abs).isDirectory()) {
        for (const f of readdirSync(abs).filter((x) => x.endsWith('.yaml')).sort()) {
          const name = this.addInlineFile(path.join(abs, f));
          if (name) matched.push(name);
        }
        if (matched.length) this.finishTags();
      } else {
        matched = all.filter((n) => fnmatch(n, entry)).sort();
      }
      if (matched.length === 0) {
        const skipped = this.skippedNames.get(entry);
        if (skipped) broken.push(`task '${entry}' (${skipped.file}) cannot be loaded: ${skipped.reason}`);
        else if (!(this.profile === '0.4.4' && entry.includes('*'))) missing.push(entry);
        continue;
      }
      for (const m of matched) if (!result.includes(m)) result.push(m);
    }
    if (broken.length > 0) {
      const hint = 'fix the file named, or drop it from --tasks';
      if (broken.length === 1 && missing.length === 0) throw new LmEvalError(broken[0], hint);
      const errs = [...broken.map((b) => new LmEvalError(b, hint)), ...(missing.length ? [new LmEvalError(`Tasks not found: ${missing.join(', ')}`)] : [])];
      throw new LmEvalErrors(`${errs.length} entries of --tasks cannot be loaded (each is listed above)`, errs);
    }
    if (missing.length > 0) {
      const suggestions = missing
        .map((m) => [m, closestNames(m, all)] as const)
        .filter(([, s]) => s.length > 0)
        .map(([m, s]) => `${m} -> ${s.join(', ')}`);
      throw new LmEvalError(
        `Tasks not found: ${missing.join(', ')}`,
        (suggestions.length ? `Did you mean: ${suggestions.join('; ')}. ` : '') +
          'Run `lm-eval ls tasks` to list the available tasks, or pass --include_path for your own task folder.',
      );
    }
    return this.profile === '0.4.4' ? [...new Set(result)].sort() : result;
  }
}
