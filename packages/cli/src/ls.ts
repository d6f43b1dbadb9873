/**
 * `lm-eval ls tasks|groups|subtasks|tags` and `lm-eval validate --tasks …`.
 */
import path from 'node:path';
import { LmEvalError, TaskIndex, defaultTasksDir, markdownTable, type IndexEntry } from '@lm-eval/core';

function location(e: IndexEntry): string {
  if (!e.yamlPath) return '---';
  const builtin = defaultTasksDir();
  if (e.yamlPath.startsWith(builtin + path.sep)) return 'tasks/' + path.relative(builtin, e.yamlPath).split(path.sep).join('/');
  return e.yamlPath;
}

function asList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

export async function lsCommand(what: string, opts: { include_path?: string[] | string }): Promise<void> {
  const index = TaskIndex.build({ includePaths: asList(opts.include_path) });
  const byName = (a: IndexEntry, b: IndexEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  let table: string;
  switch (what) {
    case 'tasks':
    case 'subtasks': {
      const groupMembers = new Set<string>();
      if (what === 'subtasks') for (const t of index.allTags()) for (const m of t.tasks ?? []) groupMembers.add(m);
      const rows = index
        .allTasks()
        .filter((e) => what === 'tasks' || groupMembers.has(e.name))
        .sort(byName)
        .map((e) => [e.name, location(e), e.outputType ?? '---']);
      table = markdownTable(['Task', 'Config Location', 'Output Type'], rows);
      break;
    }
    case 'groups':
      table = markdownTable(['Group', 'Config Location'], index.allGroups().sort(byName).map((e) => [e.name, location(e)]));
      break;
    case 'tags':
      table = markdownTable(['Tag'], index.allTags().sort(byName).map((e) => [e.name]));
      break;
    default:
      throw new LmEvalError(`lm-eval ls: unknown listing '${what}'`, 'use one of: tasks, groups, subtasks, tags');
  }
  process.stdout.write(table + '\n');
}

export async function validateCommand(opts: { tasks: string[] | string; include_path?: string[] | string }): Promise<void> {
  const tasks = asList(opts.tasks);
  process.stdout.write(`Validating tasks: [${tasks.map((t) => `'${t}'`).join(', ')}]\n`);
  const index = TaskIndex.build({ includePaths: asList(opts.include_path) });
  index.matchTasks(tasks);
  process.stdout.write('All tasks found and valid\n');
}
