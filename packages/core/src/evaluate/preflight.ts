/**
 * The run's preflight (beyond lm-eval): before the first request, every task's request types are
 * put to the backend (`LM.preflight`), so a server that cannot serve some of them is reported for
 * all tasks at once, with what would make each work, instead of failing mid-run after others were
 * computed. By default the run is refused; `skipUnsupported` runs only the tasks that can run.
 */
import { LmEvalError } from '../errors.ts';
import type { LM, PreflightProblem, PreflightQuery } from '../model/types.ts';
import type { Instance, RequestType } from '../request/instance.ts';
import { toGenerateRequests, toLoglikelihoodRequests, toRollingRequests } from './run-requests.ts';

export interface PreflightFailure {
  task: string;
  type: RequestType;
  problem: PreflightProblem;
}

/** The preflight's questions for one task: one per request type, with that type's first request as the sample. */
function queriesOf(task: string, instances: Instance[]): PreflightQuery[] {
  const firstOf = new Map<RequestType, Instance>();
  for (const inst of instances) if (!firstOf.has(inst.requestType)) firstOf.set(inst.requestType, inst);
  return [...firstOf].map(([type, inst]): PreflightQuery => {
    const args = [inst.arguments];
    if (type === 'loglikelihood') return { type, task, sample: toLoglikelihoodRequests(args) };
    if (type === 'loglikelihood_rolling') return { type, task, sample: toRollingRequests(args) };
    return { type, task, sample: toGenerateRequests(args) };
  });
}

/** Asks the backend about every task; returns the tasks (and request types) it cannot serve. */
export async function preflightTasks(lm: LM, tasks: Array<{ name: string; instances: Instance[] }>): Promise<PreflightFailure[]> {
  if (!lm.preflight) return [];
  const failures: PreflightFailure[] = [];
  for (const t of tasks) {
    for (const q of queriesOf(t.name, t.instances)) {
      const problem = await lm.preflight(q);
      if (problem) failures.push({ task: t.name, type: q.type, problem });
    }
  }
  return failures;
}

/** One line per task that cannot run, then what would make each work. */
export function describePreflightFailures(lmName: string, failures: PreflightFailure[]): string {
  const lines = failures.map((f) => `  - ${f.task} (${f.type}): ${f.problem.reason}\n      to make it work: ${f.problem.fix}`);
  return `${lmName} cannot serve ${new Set(failures.map((f) => f.task)).size} task(s):\n${lines.join('\n')}`;
}

export function preflightError(lmName: string, failures: PreflightFailure[], runnable: number): LmEvalError {
  return new LmEvalError(
    `${describePreflightFailures(lmName, failures)}\nNothing was run.`,
    runnable > 0
      ? `Fix the above, or pass --skip_unsupported_tasks to run only the ${runnable} task(s) this server can serve.`
      : 'Fix the above: none of the selected tasks can run on this server.',
  );
}
