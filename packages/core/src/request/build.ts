/**
 * Request expansion per output type (lm_eval/api/task.py `ConfigurableTask.construct_requests`).
 */
import type { Context, GenKwargs } from '../model/types.ts';
import { pyDeepCopy, pyStr } from '../python/values.ts';
import { endsWithPyWhitespace, type BuiltContext } from '../prompt/context.ts';
import type { Doc, TaskView } from '../prompt/task-view.ts';
import type { Instance, RequestArguments, RequestType } from './instance.ts';
import { LmEvalError } from '../errors.ts';

export interface BuildOptions {
  applyChatTemplate: boolean;
  /** normalised generation_kwargs (after --gen_kwargs) */
  generationKwargs?: GenKwargs | null;
  /** acc_mutual_info is among the task's metrics */
  mutualInfo: boolean;
  repeats: number;
}


/** The continuation delimiter for multiple-choice requests (TD'). */
export function choiceDelimiter(task: TaskView, doc: Doc, applyChatTemplate: boolean): string {
  if (task.profile === '0.4.4' || !applyChatTemplate) return task.targetDelimiter;
  // lm-eval tests the task's configured gen_prefix (the template as written, not rendered).
  const raw = task.config.gen_prefix;
  const g = typeof raw === 'string' ? raw : task.task.genPrefix(doc);
  return g && !endsWithPyWhitespace(g) ? task.targetDelimiter : '';
}

function targetString(task: TaskView, doc: Doc): string {
  const t = task.task.docToTarget(doc);
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return pyStr(t[0]);
  return pyStr(t);
}

export function buildInstances(doc: Doc, docId: number, built: BuiltContext, task: TaskView, options: BuildOptions): Instance[] {
  const make = (requestType: RequestType, args: RequestArguments, idx: number): Instance => ({
    requestType,
    doc,
    arguments: args,
    idx,
    taskName: task.name,
    docId,
    repeats: options.repeats,
    resps: [],
    filteredResps: {},
  });
  const single = (): Context => {
    if (built.kind !== 'single') throw new LmEvalError(`task '${task.name}': multiple-input contexts need output_type multiple_choice`);
    return built.context;
  };
  switch (task.outputType) {
    case 'loglikelihood':
      return [make('loglikelihood', [single(), targetString(task, doc)], 0)];
    case 'loglikelihood_rolling':
      return [make('loglikelihood_rolling', [targetString(task, doc)], 0)];
    case 'generate_until':
      return [make('generate_until', [single(), pyDeepCopy(options.generationKwargs ?? {})], 0)];
    case 'multiple_choice': {
      const td = choiceDelimiter(task, doc, options.applyChatTemplate);
      const out: Instance[] = [];
      const choices = task.task.docToChoice(doc);
      if (!choices) throw new LmEvalError(`task '${task.name}': output_type multiple_choice needs doc_to_choice`);
      if (built.kind === 'per-choice') {
        // multiple-input (Winogrande style): one context per choice, shared continuation
        // (an f-string in lm-eval: str() of whatever doc_to_target returned)
        const cont = td + pyStr(task.task.docToTarget(doc));
        built.contexts.forEach((ctx, i) => out.push(make('loglikelihood', [ctx, cont], i)));
      } else {
        choices.forEach((c, i) => out.push(make('loglikelihood', [built.context, td + pyStr(c)], i)));
      }
      // mutual information: unconditional requests are appended for both layouts (lm-eval
      // extends the argument list after either branch)
      if (options.mutualInfo) {
        const k = choices.length;
        choices.forEach((c, i) =>
          out.push(make('loglikelihood', ['', (task.profile === '0.4.4' ? '' : td) + pyStr(c)], k + i)),
        );
      }
      return out;
    }
    default:
      throw new LmEvalError(`task '${task.name}': unknown output_type '${String(task.outputType)}'`);
  }
}
