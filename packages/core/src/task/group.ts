/**
 * Groups and task loading (lm_eval/tasks/_factory.py `TaskFactory`, lm_eval/api/group.py;
 * v0.4.4: lm_eval/tasks/__init__.py `TaskManager`): turns requested names into fully built task
 * configs plus the group tree.
 *
 * - A group file has `group`, `group_alias`, `task` (string or list), `aggregate_metric_list`,
 *   `metadata`; every other key is a task-level override applied to all members. Conflicts with
 *   keys of a member entry `{task: x, key: ...}`: [latest] the member entry wins; [v0.4.4] the
 *   group-level key wins. Nested groups use the same rule between levels (the inner group plays
 *   the member's part) — our reading; lm-eval has no test for it.
 * - `task` entries: a name (task, group or tag; a tag expands to its tasks), `{task: name, ...}`
 *   (registered task with overrides, else an inline task named `<group>::<name>` [latest]),
 *   `{group: name, ...}` (registered group with overrides, else an inline subgroup named
 *   `<parent>::<name>` [latest]). [v0.4.4] the same task twice in one group -> `name-1`, ….
 * - [latest] metadata injection (`TaskFactory._build_task`, `_load_full_config`): `tag`/`group`/`task_list` removed, `metadata` made a dict,
 *   merged with the caller's metadata, `config_source` = YAML path or "inline".
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Profile } from '../compat.ts';
import { LmEvalError, LmEvalErrors } from '../errors.ts';
import { isPlainObject } from '../python/values.ts';
import { buildTaskConfig, validateTaskConfig, type TaskConfig, type TaskFunction } from './config.ts';
import { resolveFunctionsDeep } from './functions.ts';
import { applyIncludes, deepCopy, includeCandidates, loadYamlConfig, type YamlDict } from './include.ts';
import type { TaskIndex } from './index.ts';
import { profileForFile } from './profile.ts';
import { FunctionRef } from './yaml.ts';

export interface AggMetricConfig {
  metric: string;
  aggregation: string | TaskFunction;
  weight_by_size: boolean;
  /** Filters whose results are aggregated; null = every filter found in the children [latest]. */
  filter_list: string[] | null;
}

export interface GroupConfig {
  group: string;
  group_alias: string | null;
  task: unknown[];
  aggregate_metric_list: AggMetricConfig[] | null;
  metadata: unknown;
}

export interface ResolvedTask {
  /** Final task name (after `<group>::` prefixing or `-N` renaming). */
  name: string;
  /** Built TaskConfig (defaults, post-init normalisation; functions resolved unless disabled); read-only: a run applies its overrides to a copy. */
  config: Readonly<TaskConfig>;
  /** The dict given to TaskConfig, with `!function` values still unresolved (FunctionRef). */
  raw: YamlDict;
  /** YAML file of the task; null for inline tasks defined inside a group file. */
  yamlPath: string | null;
  profile: Profile;
  /** Name of the group that contains the task (null when requested directly or via a tag). */
  parent: string | null;
  /** A Python `class:` task: the class reference (`config` then holds only defaults and the name). */
  pythonClass?: FunctionRef;
}

export interface ResolvedGroup {
  name: string;
  config: GroupConfig;
  /** Names of member tasks and subgroups, in order. */
  children: string[];
  yamlPath: string | null;
  profile: Profile;
  parent: string | null;
}

export interface LoadedTasks {
  groups: Map<string, ResolvedGroup>;
  tasks: Map<string, ResolvedTask>;
  /** The requested names as loaded (groups and tasks; tags replaced by their tasks), in order. */
  topLevel: string[];
}

export interface LoadTasksOptions {
  /** [latest] TaskManager metadata merged into every task's metadata (CLI: model_args | --metadata). */
  metadata?: Record<string, unknown>;
  /** Caller overrides applied to every task config last. */
  overrides?: YamlDict;
  /** Resolve `!function` values to JS values (default true). */
  resolveFunctions?: boolean;
  warn?: (msg: string) => void;
}

const GROUP_KEYS = new Set(['group', 'group_alias', 'task', 'aggregate_metric_list', 'metadata']);

/** Group-level vs member-level overrides: [latest] member wins, [v0.4.4] group wins. */
export function combineOverrides(groupLevel: YamlDict, member: YamlDict, profile: Profile): YamlDict {
  return profile === 'latest' ? { ...groupLevel, ...member } : { ...member, ...groupLevel };
}

/** `aggregate_metric_list` normalisation with the per-profile defaults. */
export function normaliseAggregateMetrics(value: unknown, profile: Profile, source: string): AggMetricConfig[] | null {
  if (value === undefined || value === null) return null;
  const list = Array.isArray(value) ? value : [value];
  return list.map((m, i) => {
    const where = `${source}: aggregate_metric_list[${i}]`;
    if (!isPlainObject(m)) throw new LmEvalError(`${where} must be a mapping {metric: ..., aggregation: mean, weight_by_size: ...}`);
    const unknown = Object.keys(m).filter((k) => !['metric', 'aggregation', 'weight_by_size', 'filter_list'].includes(k));
    if (unknown.length) throw new LmEvalError(`${where}: unknown key '${unknown[0]}' (allowed: metric, aggregation, weight_by_size, filter_list)`);
    if (typeof m.metric !== 'string') throw new LmEvalError(`${where}: 'metric' (a metric name) is required`);
    const aggregation = m.aggregation ?? 'mean';
    if (aggregation !== 'mean' && !(aggregation instanceof FunctionRef) && typeof aggregation !== 'function')
      throw new LmEvalError(`${where}: aggregation must be 'mean' or a !function, got '${String(aggregation)}'`);
    const wbs = m.weight_by_size ?? (profile === 'latest');
    if (typeof wbs !== 'boolean') throw new LmEvalError(`${where}: weight_by_size must be true or false`);
    let fl = m.filter_list === undefined ? (profile === 'latest' ? null : 'none') : m.filter_list;
    if (typeof fl === 'string') fl = [fl];
    if (fl !== null && !(Array.isArray(fl) && fl.every((x) => typeof x === 'string')))
      throw new LmEvalError(`${where}: filter_list must be a filter name or a list of filter names`);
    return { metric: m.metric, aggregation: aggregation as string | TaskFunction, weight_by_size: wbs, filter_list: fl as string[] | null };
  });
}

/** [latest] as `TaskFactory._build_task`: the config handed to TaskConfig. Mutates and returns `cfg`. */
export function injectLatestMetadata(cfg: YamlDict, source: string | null, metadata: Record<string, unknown> = {}): YamlDict {
  delete cfg.tag;
  delete cfg.group;
  delete cfg.task_list;
  let md = cfg.metadata;
  if (md === undefined || md === null) md = {};
  else if (!isPlainObject(md)) md = { _metadata: md };
  cfg.metadata = { ...(md as YamlDict), ...metadata, config_source: source ?? 'inline' };
  return cfg;
}

class Loader {
  readonly groups = new Map<string, ResolvedGroup>();
  readonly tasks = new Map<string, ResolvedTask>();
  readonly topLevel: string[] = [];
  private readonly pending: Array<Promise<void>> = [];

  constructor(
    private readonly index: TaskIndex,
    private readonly options: LoadTasksOptions,
  ) {}

  private fileProfile(file: string | null): Profile {
    return file ? profileForFile(file, this.index.profile) : this.index.profile;
  }

  /** Loads a registered name as a child of `parent` (null = top level). Returns the loaded names. */
  loadName(name: string, parent: ResolvedGroup | null, groupLevel: YamlDict, member: YamlDict): string[] {
    const entry = this.index.get(name);
    if (!entry) {
      throw new LmEvalError(
        `${parent ? `${parent.yamlPath ?? parent.name}: ` : ''}Tasks not found: ${name}`,
        'Check the task name (`lm-eval ls tasks`).',
      );
    }
    switch (entry.kind) {
      case 'python_task': {
        const raw = loadYamlConfig(entry.yamlPath!, { profile: this.index.profile, cwd: this.index.cwd });
        return [this.addPythonClassTask(raw, name, entry.yamlPath!, this.fileProfile(entry.yamlPath!), parent, combineOverrides(groupLevel, member, this.index.profile))];
      }
      case 'tag':
        return (entry.tasks ?? []).flatMap((t) => this.loadName(t, parent, groupLevel, member));
      case 'task': {
        const raw = loadYamlConfig(entry.yamlPath!, { profile: this.index.profile, cwd: this.index.cwd });
        const profile = this.fileProfile(entry.yamlPath!);
        return [this.addTask(raw, name, entry.yamlPath!, profile, parent, combineOverrides(groupLevel, member, profile))];
      }
      case 'group': {
        const raw = loadYamlConfig(entry.yamlPath!, { profile: this.index.profile, cwd: this.index.cwd });
        const profile = this.fileProfile(entry.yamlPath!);
        return [this.addGroup(raw, entry.yamlPath!, profile, parent, combineOverrides(groupLevel, member, profile), name)];
      }
    }
  }

  private addTask(
    rawIn: YamlDict,
    name: string,
    yamlPath: string | null,
    profile: Profile,
    parent: ResolvedGroup | null,
    overrides: YamlDict,
  ): string {
    let finalName = name;
    if (parent) {
      const already = parent.children.filter((c) => c === name || c.startsWith(name + '-')).length;
      if (already > 0) {
        if (profile === '0.4.4') finalName = `${name}-${already}`;
        else throw new LmEvalError(`${parent.yamlPath ?? parent.name}: Duplicate task '${name}' in group '${parent.name}'`);
      }
    }
    const existing = this.tasks.get(finalName);
    if (existing) {
      if (existing.parent === (parent?.name ?? null) || parent === null) return finalName;
      throw new LmEvalError(
        `Found tasks in multiple groups: '${finalName}' is in '${existing.parent ?? '(top level)'}' and '${parent.name}'`,
        'Request only one of these groups, or the task on its own.',
      );
    }
    // A member entry `{task: x, include: file, ...}` (e.g. lm-eval's benchmarks/flan/flan_held_in.yaml):
    // lm-eval resolves that `include` when it builds the task, as the LOWEST layer:
    // {**included, **{**registered_config, **member}} (both v0.4.4 and latest).
    let base: YamlDict = {};
    if (Object.prototype.hasOwnProperty.call(overrides, 'include')) {
      const { include, ...rest } = overrides;
      overrides = rest;
      const from = yamlPath ?? parent?.yamlPath ?? path.join(this.index.cwd, '<inline>');
      base = applyIncludes({ include }, from, { profile: this.index.profile, cwd: this.index.cwd });
    }
    const raw: YamlDict = { ...base, ...rawIn, ...overrides, ...(this.options.overrides ?? {}) };
    if (finalName !== name || raw.task !== finalName) raw.task = finalName;
    if (profile === 'latest') injectLatestMetadata(raw, yamlPath, this.options.metadata);
    const source = yamlPath ?? `${parent?.yamlPath ?? '<inline>'} (inline task '${finalName}')`;
    validateTaskConfig(raw, profile, source);
    const resolved: ResolvedTask = {
      name: finalName,
      config: undefined as unknown as TaskConfig,
      raw,
      yamlPath,
      profile,
      parent: parent?.name ?? null,
    };
    this.tasks.set(finalName, resolved);
    if (parent) parent.children.push(finalName);
    const build = async () => {
      const input = this.options.resolveFunctions === false ? deepCopy(raw) : ((await resolveFunctionsDeep(deepCopy(raw), profile)) as YamlDict);
      resolved.config = buildTaskConfig(input, { profile, source, warn: this.options.warn });
    };
    this.pending.push(build());
    return finalName;
  }

  /**
   * A Python `class:` task: the class (run by the Python helper worker) builds its own config;
   * ours holds the defaults and the name (lm-eval's TaskManager sets `config.task`).
   */
  private addPythonClassTask(rawIn: YamlDict, name: string, yamlPath: string, profile: Profile, parent: ResolvedGroup | null, overrides: YamlDict): string {
    const existing = this.tasks.get(name);
    if (existing) return name;
    const raw: YamlDict = { ...rawIn, ...overrides, ...(this.options.overrides ?? {}), task: name };
    if (profile === 'latest') injectLatestMetadata(raw, yamlPath, this.options.metadata);
    if (!(raw.class instanceof FunctionRef)) throw new LmEvalError(`${yamlPath}: 'class' must be a !function naming a Python class (e.g. class: !function task.MyTask)`);
    const config = buildTaskConfig({ task: name }, { profile, source: yamlPath, warn: this.options.warn });
    this.tasks.set(name, { name, config, raw, yamlPath, profile, parent: parent?.name ?? null, pythonClass: raw.class });
    if (parent) parent.children.push(name);
    return name;
  }

  private addGroup(
    dictIn: YamlDict,
    file: string | null,
    profile: Profile,
    parent: ResolvedGroup | null,
    outer: YamlDict,
    registeredName?: string,
  ): string {
    const source = file ?? parent?.yamlPath ?? '<inline>';
    const dict = dictIn;
    if (typeof dict.group !== 'string') throw new LmEvalError(`${source}: group config needs a 'group' name (string)`);
    const inline = registeredName === undefined;
    const name = inline && parent && profile === 'latest' ? `${parent.name}::${dict.group}` : registeredName ?? dict.group;
    if (this.groups.has(name)) {
      const g = this.groups.get(name)!;
      if (g.parent === (parent?.name ?? null)) return name;
      throw new LmEvalError(`Found tasks in multiple groups: group '${name}' is in '${g.parent ?? '(top level)'}' and '${parent?.name ?? '(top level)'}'`);
    }
    const own: YamlDict = {};
    for (const [k, v] of Object.entries(dict)) if (!GROUP_KEYS.has(k)) own[k] = v;
    const effective = combineOverrides(outer, own, profile);
    const list = dict.task === undefined || dict.task === null ? [] : Array.isArray(dict.task) ? dict.task : [dict.task];
    const config: GroupConfig = {
      group: name,
      group_alias: typeof dict.group_alias === 'string' ? dict.group_alias : null,
      task: list,
      aggregate_metric_list: normaliseAggregateMetrics(dict.aggregate_metric_list, profile, source),
      metadata: dict.metadata ?? null,
    };
    const group: ResolvedGroup = { name, config, children: [], yamlPath: file, profile, parent: parent?.name ?? null };
    this.groups.set(name, group);
    if (parent) parent.children.push(name);
    const aggs = config.aggregate_metric_list;
    if (aggs && this.options.resolveFunctions !== false) {
      this.pending.push(
        (async () => {
          for (const a of aggs) a.aggregation = (await resolveFunctionsDeep(a.aggregation, profile)) as string | TaskFunction;
        })(),
      );
    }
    for (const item of list) {
      if (typeof item === 'string') {
        this.loadName(item, group, effective, {});
      } else if (isPlainObject(item) && typeof item.task === 'string') {
        const { task: taskName, ...member } = item;
        if (this.index.has(taskName)) this.loadName(taskName, group, effective, this.anchorInclude(member, file, profile));
        else {
          // inline task: its own dict (includes resolved relative to the group file)
          const cfg = file ? applyIncludes(deepCopy(item), file, { profile: this.index.profile, cwd: this.index.cwd }) : deepCopy(item);
          const taskName2 = profile === 'latest' ? `${name}::${taskName}` : taskName;
          this.addTask({ ...cfg, task: taskName2 }, taskName2, null, profile, group, effective);
        }
      } else if (isPlainObject(item) && typeof item.group === 'string') {
        const { group: gName, ...member } = item;
        const entry = this.index.get(gName);
        if (entry && entry.kind === 'group') this.loadName(gName, group, effective, this.anchorInclude(member, file, profile));
        else {
          const sub = file ? applyIncludes(deepCopy(item), file, { profile: this.index.profile, cwd: this.index.cwd }) : deepCopy(item);
          this.addGroup(sub, file, profile, group, effective);
        }
      } else {
        throw new LmEvalError(
          `${source}: entries of 'task' must be names, {task: name, ...} or {group: name, ...} mappings; got ${JSON.stringify(item)}`,
        );
      }
    }
    return name;
  }

  /**
   * A member entry's relative `include` paths point next to the group file that contains the entry
   * (our reading; lm-eval resolves them when the task is built). Entries found there are made
   * absolute; others stay relative and are looked up next to the registered task's own YAML.
   */
  private anchorInclude(member: YamlDict, groupFile: string | null, profile: Profile): YamlDict {
    if (!groupFile || !Object.prototype.hasOwnProperty.call(member, 'include')) return member;
    const anchor = (entry: unknown): unknown => {
      if (typeof entry !== 'string' || path.isAbsolute(entry)) return entry;
      const found = includeCandidates(entry, groupFile, profile, this.index.cwd).find((c) => existsSync(c));
      return found ?? entry;
    };
    const inc = member.include;
    return { ...member, include: Array.isArray(inc) ? inc.map(anchor) : anchor(inc) };
  }

  /** Waits for every pending build; returns the failures (none is left unhandled). */
  async finish(): Promise<unknown[]> {
    const settled = await Promise.allSettled(this.pending);
    return settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
  }
}

/**
 * Loads the named tasks, groups and tags (as returned by `TaskIndex.matchTasks`): includes
 * resolved, group overrides applied, [latest] metadata injected, configs validated and built,
 * `!function` values resolved. Returns the tasks and the group tree.
 */
export async function loadTasks(names: string[], index: TaskIndex, options: LoadTasksOptions = {}): Promise<LoadedTasks> {
  const loader = new Loader(index, options);
  // every requested name is tried, so one run reports all broken tasks at once
  const errors: unknown[] = [];
  for (const name of names) {
    try {
      for (const loaded of loader.loadName(name, null, {}, {})) {
        if (!loader.topLevel.includes(loaded)) loader.topLevel.push(loaded);
      }
    } catch (e) {
      errors.push(e);
    }
  }
  errors.push(...(await loader.finish()));
  if (errors.length) throw LmEvalErrors.combine(errors, 'tasks failed to load');
  return { groups: loader.groups, tasks: loader.tasks, topLevel: loader.topLevel };
}

/** Loads one task YAML file (no index needed): includes resolved, config built. */
export async function loadTaskFile(
  file: string,
  options: LoadTasksOptions & { profile?: Profile; cwd?: string } = {},
): Promise<ResolvedTask> {
  const profileDefault = options.profile ?? 'latest';
  const abs = path.resolve(options.cwd ?? process.cwd(), file);
  const profile = profileForFile(abs, profileDefault);
  const raw = { ...loadYamlConfig(abs, { profile: profileDefault, cwd: options.cwd }), ...(options.overrides ?? {}) };
  if (typeof raw.task !== 'string') throw new LmEvalError(`${abs}: a task file needs a 'task' name (string)`);
  if (profile === 'latest') injectLatestMetadata(raw, abs, options.metadata);
  validateTaskConfig(raw, profile, abs);
  const input = options.resolveFunctions === false ? deepCopy(raw) : ((await resolveFunctionsDeep(deepCopy(raw), profile)) as YamlDict);
  const config = buildTaskConfig(input, { profile, source: abs, warn: options.warn });
  return { name: raw.task, config, raw, yamlPath: abs, profile, parent: null };
}
