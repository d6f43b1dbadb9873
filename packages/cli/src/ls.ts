/**
 * `lm-eval ls tasks|groups|subtasks|tags` and `lm-eval validate --tasks …` (spec §6.2), also the
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
  if (e.yamlPath.startsWith(builtin + path.sep)) return 'lm_eval/tasks/' + path.relative(builtin, e.yamlPath).split(path.sep).join('/');
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
 * `ls tasks` prints all three.
 */
export function renderListing(index: TaskIndex, what: Listing): string {
  const builtin = defaultTasksDir();
  const tables: string[] = [];
  if (what === 'tasks' || what === 'groups') {
    tables.push(markdownTable(['Group', 'Config Location'], index.allGroups().map((e) => [e.name, location(e, builtin)])));
  }
  if (what === 'tasks' || what === 'tags') {
    tables.push(markdownTable(['Tag'], index.allTags().map((e) => [e.name])));
  }
  if (what === 'tasks' || what === 'subtasks') {
    const rows = index
      .allTasks()
      .filter((e) => e.kind === 'task')
      .map((e) => [e.name, location(e, builtin), e.outputType ?? '']);
    tables.push(markdownTable(['Task', 'Config Location', 'Output Type'], rows));
  }
  return tables.join('\n\n') + '\n';
}

export interface IndexFlags {
  include_path?: string[] | string;
  compat?: string;
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
  process.stdout.write(renderListing(buildIndex(opts), what as Listing));
}

/**
 * Checks names only: prints `Validating tasks: [...]` (a Python list repr), then
 * `All tasks found and valid`, or `Tasks not found: a, b` (+ suggestions) and exits 1.
 */
export async function validateCommand(opts: IndexFlags & { tasks: string[] | string }): Promise<void> {
  const tasks = asList(opts.tasks);
  process.stdout.write(`Validating tasks: [${tasks.map(pyStrRepr).join(', ')}]\n`);
  try {
    buildIndex(opts).matchTasks(tasks);
  } catch (e) {
    if (!(e instanceof LmEvalError) || !e.message.startsWith('Tasks not found')) throw e;
    process.stdout.write(`${e.message}${e.hint ? ` — ${e.hint}` : ''}\n`);
    throw new ExitCode(1);
  }
  process.stdout.write('All tasks found and valid\n');
}

/** Python repr of a str (single quotes unless the text holds one and no double quote). */
function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), '\\' + q).replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
  return q + body + q;
}
