/**
 * Which tasks a run evaluates (lm-eval's `TaskManager.match_tasks` + `get_task_dict`): the names
 * `--tasks` selects, their loaded configs and groups, the run's profile and the order the tasks
 * are evaluated in.
 */
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import { loadTasks, type LoadedTasks, type ResolvedTask } from '../task/group.ts';
import { TaskIndex } from '../task/index.ts';
import type { RunLog } from './run-log.ts';

export interface TaskSelectionRequest {
  tasks: readonly string[];
  includePath?: readonly string[];
  profile?: Profile;
  /** `--samples`: its keys must name selected tasks */
  samples?: Record<string, number[]> | null;
  /** `metadata` passed to every task (the model args, then `--metadata`) */
  metadata: Record<string, unknown>;
  cwd: string;
}

export interface TaskSelection {
  loaded: LoadedTasks;
  profile: Profile;
  /** the tasks in evaluation order */
  ordered: ResolvedTask[];
}

export async function selectTasks(request: TaskSelectionRequest, { log, warn, phase }: RunLog): Promise<TaskSelection> {
  phase('indexing tasks');
  const index = TaskIndex.build({ profile: request.profile ?? 'latest', includePaths: [...(request.includePath ?? [])], cwd: request.cwd });
  for (const c of index.collisions) log(c.level, c.message);
  phase('loading task configs');
  const loaded = await loadTasks(index.matchTasks([...request.tasks]), index, { metadata: request.metadata, warn });
  const tasks = [...loaded.tasks.values()];
  if (tasks.length === 0) throw new LmEvalError(`no tasks selected by --tasks ${request.tasks.join(',')}`);
  checkSamplesKeys(request.samples, loaded);
  const profile = request.profile ?? runProfileOf(tasks);
  return { loaded, profile, ordered: evaluationOrder(tasks, profile) };
}

/** lm-eval looks `--samples` up by task name, so a misspelled key would silently run the whole task. */
export function checkSamplesKeys(samples: Record<string, number[]> | null | undefined, loaded: LoadedTasks): void {
  const unknown = Object.keys(samples ?? {}).filter((n) => !loaded.tasks.has(n));
  if (unknown.length === 0) return;
  throw new LmEvalError(
    `--samples names ${unknown.map((n) => `'${n}'`).join(', ')}, not among the tasks being run (${[...loaded.tasks.keys()].join(', ')})`,
    'use the task names exactly as --tasks selects them (group members by their own names)',
  );
}

/** 0.4.4 when every task comes from a 0.4.4-pinned folder, else latest. */
export function runProfileOf(tasks: readonly ResolvedTask[]): Profile {
  return tasks.every((t) => t.profile === '0.4.4') ? '0.4.4' : 'latest';
}

/** v0.4.4 evaluates tasks sorted by name; latest in the order they were selected. */
export function evaluationOrder(tasks: readonly ResolvedTask[], profile: Profile): ResolvedTask[] {
  if (profile === 'latest') return [...tasks];
  return [...tasks].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
