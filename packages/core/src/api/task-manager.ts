/**
 * Task access for custom harnesses (lm-eval's `TaskManager`): list the indexed names, load task
 * configs (built-in tasks plus your own folders), prepare a task's documents and build its
 * requests without running a model.
 */
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import type { EvalTask } from '../evaluate/eval-task.ts';
import { buildTaskRequests, selectDocs } from '../evaluate/evaluator.ts';
import { prepareTasks } from '../evaluate/prepare-task.ts';
import { DummyLM } from '../model/dummy.ts';
import type { LM } from '../model/types.ts';
import type { Instance } from '../request/instance.ts';
import { loadTasks, type LoadedTasks } from '../task/group.ts';
import { TaskIndex } from '../task/index.ts';
import { withRegistry } from '../registry/active.ts';
import type { Registry } from '../registry/registry.ts';

export interface TaskManagerOptions {
  /** Extra folders of task YAML files (searched with the built-in tasks). */
  includePath?: string[];
  /** Index profile (default `latest`). */
  profile?: Profile;
  /** Leave out the built-in `tasks/` folder (only `includePath`). */
  builtin?: boolean;
  cwd?: string;
  /** Where metric, aggregation, filter and sampler names are looked up (default: the process-wide registry). */
  registry?: Registry;
}

export interface BuildRequestsOptions {
  /** Documents: a count, or a fraction below 1. */
  limit?: number | null;
  numFewshot?: number;
  systemInstruction?: string | null;
  /** Chat-templated prompts need the model whose template renders them. */
  applyChatTemplate?: boolean;
  fewshotAsMultiturn?: boolean;
  /** Default 1234 (lm-eval's few-shot seed). */
  fewshotSeed?: number;
  /** The model the prompts are built for (chat templates); default: the deterministic `dummy`. */
  lm?: LM;
}

export class TaskManager {
  readonly index: TaskIndex;
  private readonly cwd: string;
  private readonly registry: Registry | undefined;

  constructor(options: TaskManagerOptions = {}) {
    this.cwd = options.cwd ?? process.cwd();
    this.registry = options.registry;
    this.index = TaskIndex.build({
      profile: options.profile ?? 'latest',
      includePaths: options.includePath ?? [],
      cwd: this.cwd,
      ...(options.builtin === false ? { builtinDir: null } : {}),
    });
  }

  /** Indexed task names (sorted). */
  tasks(): string[] {
    return this.index.allTasks().map((e) => e.name).sort();
  }

  /** Indexed group names (sorted). */
  groups(): string[] {
    return this.index.allGroups().map((e) => e.name).sort();
  }

  /** Indexed tag names (sorted). */
  tags(): string[] {
    return this.index.allTags().map((e) => e.name).sort();
  }

  /** Names selected by patterns as `--tasks` selects them (globs, paths); unknown names are an error. */
  match(patterns: string[]): string[] {
    return this.index.matchTasks(patterns);
  }

  /** Resolved configs of the named tasks, groups and tags (YAML includes, `!function`, group members). */
  load(names: string[]): Promise<LoadedTasks> {
    return withRegistry(this.registry, () => loadTasks(this.match(names), this.index));
  }

  /** One task with its documents loaded and its prompts, filters and metrics set up. */
  prepare(name: string, options: Pick<BuildRequestsOptions, 'numFewshot'> = {}): Promise<EvalTask> {
    return withRegistry(this.registry, () => this.prepareTask(name, options));
  }

  /** The requests the task sends to a model, per document, without running one. */
  buildRequests(name: string, options: BuildRequestsOptions = {}): Promise<Instance[][]> {
    return withRegistry(this.registry, () => this.taskRequests(name, options));
  }

  private async prepareTask(name: string, options: Pick<BuildRequestsOptions, 'numFewshot'>): Promise<EvalTask> {
    const loaded = await this.load([name]);
    const task = loaded.tasks.get(name);
    if (!task) throw new LmEvalError(`'${name}' is not a task`, `a group or tag names several tasks: ${[...loaded.tasks.keys()].join(', ')}`);
    // as a run prepares it: a user error names the task and its YAML file
    const [prepared] = await prepareTasks([task], { runProfile: task.profile, numFewshot: options.numFewshot, predictOnly: false, confirmRunUnsafeCode: false, cwd: this.cwd });
    return prepared;
  }

  private async taskRequests(name: string, options: BuildRequestsOptions): Promise<Instance[][]> {
    const task = await this.prepareTask(name, options);
    const docs = selectDocs(task, { limit: options.limit ?? null, samples: null });
    return buildTaskRequests(task, docs, options.lm ?? new DummyLM(), {
      applyChatTemplate: options.applyChatTemplate ?? false,
      fewshotAsMultiturn: options.fewshotAsMultiturn ?? false,
      systemInstruction: options.systemInstruction ?? null,
      fewshotSeed: options.fewshotSeed ?? 1234,
      bootstrapIters: 0,
      logSamples: false,
    });
  }
}
