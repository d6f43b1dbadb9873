/**
 * `lm-eval ls tasks|groups|subtasks|tags` and `lm-eval validate --tasks …` (lm-eval's lm_eval/_cli/ls.py and validate.py), also the
 * v0.4.4 `--tasks list|list_groups|list_tags|list_subtasks` listings.
 *
 * Imports only `@lm-eval/core/light` (the task index and the table writer) so these commands
 * start fast.
 */
import path from 'node:path';
import { LmEvalError, TaskIndex, defaultTasksDir, markdownTable, type IndexEntry, type Profile } from '@lm-eval/core/light';
import { ExitCode } from './exit.ts';
import { LOG_LEVELS as LEVELS } from './flags.ts';
import { resolveLevel } from './progress.ts';

export type Listing = 'tasks' | 'groups' | 'subtasks' | 'tags';
export const LISTINGS: Listing[] = ['tasks', 'groups', 'subtasks', 'tags'];

/** Config location as lm-eval prints it: built-in files as `lm_eval/tasks/...`, others in full, none `---`. */
function location(e: IndexEntry, builtin: string): string {
  if (!e.yamlPath) return '---';
  if (e.yamlPath.startsWith(builtin + path.sep)) return 'lm_eval/tasks/' + e.yamlPath.slice(builtin.length + 1).split(path.sep).join('/');
  return e.yamlPath;
}

/** Flag values as a list: repeated flags, and (unless `splitCommas` is false) comma-separated items. */
export function asList(v: unknown, splitCommas = true): string[] {
  if (v === undefined || v === null || v === false) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => (splitCommas ? String(x).split(',') : [String(x)])).map((s) => s.trim()).filter(Boolean);
}

/**
 * lm-eval's `list_all_tasks(list_groups, list_tags, list_subtasks)`: the group table, the tag
 * table and the subtask table (YAML tasks; Python-class tasks are left out), each sorted by name.
 * `ls tasks` prints all three. `verbose` adds an `Overrides` column: the other files that define
 * the same name and lost to the one listed (an --include_path copy of a built-in task, ...).
 */
export function renderListing(index: TaskIndex, what: Listing, verbose = false): string {
  const builtin = defaultTasksDir();
  // --verbose: the files a name was also defined in and that lost to the one listed (collisions)
  const others = new Map<string, string[]>();
  if (verbose) {
    for (const c of index.collisions) {
      const list = others.get(c.name) ?? [];
      list.push(location({ name: c.name, kind: c.kind, yamlPath: c.loser } as IndexEntry, builtin));
      others.set(c.name, list);
    }
  }
  const extra = (header: string[]) => (verbose ? [...header, 'Overrides'] : header);
  const row = (e: IndexEntry, cells: string[]) => (verbose ? [...cells, (others.get(e.name) ?? []).join(', ')] : cells);
  const tables: string[] = [];
  if (what === 'tasks' || what === 'groups') {
    tables.push(markdownTable(extra(['Group', 'Config Location']), index.allGroups().map((e) => row(e, [e.name, location(e, builtin)]))));
  }
  if (what === 'tasks' || what === 'tags') {
    tables.push(markdownTable(['Tag'], index.allTags().map((e) => [e.name])));
  }
  if (what === 'tasks' || what === 'subtasks') {
    const rows = index
      .allTasks()
      .filter((e) => e.kind === 'task')
      .map((e) => row(e, [e.name, location(e, builtin), e.outputType ?? '']));
    tables.push(markdownTable(extra(['Task', 'Config Location', 'Output Type']), rows));
  }
  return tables.join('\n\n') + '\n';
}

export interface IndexFlags {
  include_path?: string[] | string;
  compat?: string;
  verbose?: boolean;
}

/**
 * The task index of the flags, with lm-eval's collision warnings (a name defined in two files)
 * printed to stderr at their log level (LMEVAL_LOG_LEVEL, default INFO: WARNING lines show).
 */
export function buildIndex(opts: IndexFlags): TaskIndex {
  const index = TaskIndex.build({ includePaths: asList(opts.include_path, false), profile: opts.compat as Profile | undefined });
  const shown = LEVELS.indexOf(resolveLevel(undefined) ?? 'INFO');
  for (const c of index.collisions) if (LEVELS.indexOf(c.level) >= shown) process.stderr.write(`WARNING ${c.message}\n`);
  return index;
}

export async function lsCommand(what: string, opts: IndexFlags): Promise<void> {
  if (!(LISTINGS as string[]).includes(what)) {
    throw new LmEvalError(`lm-eval ls: unknown listing '${what}'`, `use one of: ${LISTINGS.join(', ')}`);
  }
  process.stdout.write(renderListing(buildIndex(opts), what as Listing, opts.verbose === true));
}

/**
 * `lm-eval validate [--tasks a,b] [--include_path DIR ...]`: configures each task fully without
 * loading data (core `validateTasks`) and prints one line per failing task with its file and the
 * reason, then `N of M tasks configure`; exit 1 when any fails. Without --tasks, every task (and
 * group) defined in the include paths is checked. Python helpers count as runnable when the Python
 * the worker would use (--python, else LM_EVAL_PYTHON, else python3) starts; they are checked statically (the
 * name is defined in the .py file), never run.
 */
export async function validateCommand(opts: IndexFlags & { tasks?: string[] | string; python?: string }): Promise<void> {
  const index = buildIndex(opts);
  const requested = asList(opts.tasks);
  let names: string[];
  let groups: string[] = [];
  if (requested.length > 0) {
    process.stdout.write(`Validating tasks: [${requested.map(pyStrRepr).join(', ')}]\n`);
    try {
      names = index.matchTasks(requested);
    } catch (e) {
      if (!(e instanceof LmEvalError) || !e.message.startsWith('Tasks not found')) throw e;
      process.stdout.write(`${e.message}${e.hint ? ` — ${e.hint}` : ''}\n`);
      throw new ExitCode(1);
    }
  } else {
    const roots = index.roots.filter((r) => r !== index.builtinRoot);
    if (roots.length === 0) throw new LmEvalError('lm-eval validate: nothing to validate', 'name tasks with --tasks, or a folder with --include_path (every task in it is checked)');
    const inRoots = (e: IndexEntry) => !!e.yamlPath && roots.some((r) => e.yamlPath!.startsWith(r + path.sep));
    names = index.allTasks().filter(inRoots).map((e) => e.name);
    groups = index.allGroups().filter(inRoots).map((e) => e.name);
    process.stdout.write(`Validating ${names.length} tasks and ${groups.length} groups in ${roots.join(', ')}\n`);
  }
  const { probePython, validateTasks } = await import('@lm-eval/core/engine');
  let probed: ReturnType<typeof probePython> | undefined;
  const python = () => (probed ??= probePython(process.env, opts.python || process.env.LM_EVAL_PYTHON || 'python3'));
  const checks = await validateTasks([...names, ...groups], index, { python });
  for (const c of checks) {
    if (c.ok) continue;
    process.stdout.write(`${c.kind === 'group' ? 'group ' : ''}${c.name}${c.file ? ` (${c.file})` : ''}: ${c.reason}\n`);
  }
  const isGroup = (c: { kind: string }) => c.kind === 'group';
  const tasks = requested.length > 0 ? checks : checks.filter((c) => !isGroup(c));
  if (requested.length === 0 && groups.length > 0) {
    const g = checks.filter(isGroup);
    process.stdout.write(`${g.filter((c) => c.ok).length} of ${g.length} groups configure\n`);
  }
  const okCount = tasks.filter((c) => c.ok).length;
  const withoutPython = tasks.filter((c) => c.ok && c.python.length === 0).length;
  if (probed?.usable && withoutPython !== okCount) process.stdout.write(`${withoutPython} of ${tasks.length} tasks configure without Python\n`);
  process.stdout.write(`${okCount} of ${tasks.length} tasks configure\n`);
  if (checks.some((c) => !c.ok)) throw new ExitCode(1);
}

/** Python repr of a str (single quotes unless the text holds one and no double quote). */
function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), '\\' + q).replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
  return q + body + q;
}
