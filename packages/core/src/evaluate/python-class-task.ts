/**
 * An {@link EvalTask} for a Python `class:` task (`class: !function task.MyTask`): the task object
 * lives in the Python helper worker (pyfn/class-task.ts) and the evaluator drives it as lm-eval's
 * evaluator does (lm_eval/evaluator.py `evaluate`): its eval docs, each doc's requests
 * (`fewshot_context` + `construct_requests`), `apply_filters`, `process_results` per doc and
 * filter, `aggregation()` per metric (lm-eval's own `lm_eval.api.metrics` aggregations get their
 * stderr as lm-eval's `stderr_for_metric` gives it; other functions none), `higher_is_better()`,
 * `dump_config()` and `VERSION` for the results.
 */
import path from 'node:path';
import { LmEvalError } from '../errors.ts';
import { loadAllDatasetSplits, loadDatasetSplits } from '../data/index.ts';
import type { TaskView } from '../prompt/task-view.ts';
import type { Instance, RequestArguments, RequestType } from '../request/instance.ts';
import type { ResolvedTask } from '../task/group.ts';
import { resolveFunctionsDeep } from '../task/functions.ts';
import { FunctionRef } from '../task/yaml.ts';
import { isPlainObject } from '../python/values.ts';
import { isPythonCallable, mapBatched } from '../pyfn/session.ts';
import { PythonClassTask } from '../pyfn/class-task.ts';
import { getAggregationDef, resolveAggregation } from './aggregations/registry.ts';
import type { EvalTask, MetricAggregation } from './eval-task.ts';
import type { PrepareOptions } from './prepare-task.ts';

const REQUEST_TYPES = new Set<string>(['loglikelihood', 'loglikelihood_rolling', 'generate_until']);

/** The YAML dict lm-eval hands the class (`!function` values other than `class` cannot cross: their text). */
function configForPython(raw: Record<string, unknown>): Record<string, unknown> {
  const plain = (v: unknown): unknown => {
    if (v instanceof FunctionRef) return String(v);
    if (Array.isArray(v)) return v.map(plain);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!['class', 'tag', 'group', 'task_list'].includes(k)) out[k] = plain(v);
  return out;
}

export async function preparePythonClassTask(resolved: ResolvedTask, options: PrepareOptions): Promise<EvalTask> {
  const name = resolved.name;
  const where = `${resolved.yamlPath ?? 'inline'}: class: ${String(resolved.raw.class)}`;
  const cls = await resolveFunctionsDeep(resolved.raw.class, resolved.profile);
  if (!isPythonCallable(cls)) {
    throw new LmEvalError(`task '${name}' (${where}): 'class' must name a Python class in a .py file next to the YAML`);
  }
  const yamlDir = resolved.yamlPath ? path.dirname(resolved.yamlPath) : options.cwd ?? process.cwd();
  const task = await PythonClassTask.build(cls, {
    task: name,
    config: configForPython(resolved.raw),
    numFewshot: options.numFewshot,
    genKwargs: options.genKwargs,
    predictOnly: options.predictOnly,
    loadData: async (req) => {
      const spec = { datasetPath: req.path, datasetName: req.name, datasetKwargs: req.kwargs };
      const common = { yamlDir, cwd: options.cwd, env: options.env, onProgress: options.onProgress };
      if (req.split !== null) return (await loadDatasetSplits(spec, { ...common, splits: [req.split] }))[req.split];
      return loadAllDatasetSplits(spec, common);
    },
  });
  const info = task.info;
  const evalDocs = await task.docs();
  if (evalDocs.length === 0) throw new LmEvalError(`task '${name}' (${where}): the task has no evaluation docs`);

  const docToText = task.method('doc_to_text');
  const docToTarget = task.method('doc_to_target');
  const processResults = task.method('process_results');
  const outputType = (info.output_type ?? 'generate_until') as TaskView['outputType'];
  const view: TaskView = {
    name,
    profile: resolved.profile,
    config: info.config,
    outputType,
    task: { docToText, docToTarget, docToChoice: () => undefined, genPrefix: () => undefined },
    fewshot: { docToText, docToTarget, docToChoice: () => undefined, genPrefix: () => undefined },
    description: () => '',
    targetDelimiter: ' ',
    fewshotDelimiter: '\n\n',
    fewshotTargetDelimiter: ' ',
    fewshotFewshotDelimiter: '\n\n',
    multipleInput: false,
    multipleTarget: false,
    renderDocToText: () => {
      throw new LmEvalError(`task '${name}': a Python class task has no templates`);
    },
  };

  // lm_eval.api.metrics' own aggregations are lm-eval's registered ones (same numbers; their stderr as stderr_for_metric gives it)
  const aggregations = new Map<string, MetricAggregation>();
  for (const [metric, a] of Object.entries(task.aggregations())) {
    const m = /^lm_eval\.api\.metrics\.(\w+)$/.exec(a.qualname);
    const def = m ? getAggregationDef(m[1], resolved.profile) : undefined;
    if (def) {
      const r = resolveAggregation(def.name, resolved.profile);
      aggregations.set(metric, { name: r.name, fn: r.aggregate as (items: unknown[]) => unknown });
    } else aggregations.set(metric, { name: null, fn: a.fn });
  }
  const filterNames = info.filters.length ? info.filters : ['none'];
  const numFewshot = typeof info.num_fewshot === 'number' ? info.num_fewshot : 0;
  const nShot = 'num_fewshot' in info.config ? info.config.num_fewshot : 0;

  return {
    name,
    profile: resolved.profile,
    view,
    configDump: info.config,
    version: info.version,
    numFewshot,
    nShot,
    evalDocs,
    fewshotPool: () => [],
    makeSampler: () => {
      throw new Error('a Python class task builds its own few-shot contexts');
    },
    samplerName: 'python',
    excludeEvalDoc: false,
    generationKwargs: null,
    repeats: 1,
    mutualInfo: false,
    filters: filterNames.map((n) => ({
      name: n,
      apply: () => {
        throw new Error('a Python class task filters through applyFilters');
      },
    })),
    applyFilters: async (instances) => {
      const filtered = await task.filter(
        instances.map((i) => i.resps),
        instances.map((i) => i.doc),
      );
      instances.forEach((inst, k) => Object.assign(inst.filteredResps, filtered[k]));
    },
    buildRequests: async (selected, opts) => {
      if (opts.applyChatTemplate) {
        throw new LmEvalError(`task '${name}' (${where}): --apply_chat_template is not supported for Python class tasks`, 'run the task without --apply_chat_template');
      }
      const specs = await task.requests(
        selected.map(([docId]) => docId),
        { profile: resolved.profile, fewshotSeed: opts.fewshotSeed, systemInstruction: opts.systemInstruction, fewshotAsMultiturn: opts.fewshotAsMultiturn },
      );
      // targets for the samples (and --write_out), answered in one batch
      await mapBatched(selected, ([, doc]) => docToTarget(doc));
      return selected.map(([docId, doc], d) =>
        specs[d].map((s): Instance => {
          if (!REQUEST_TYPES.has(s.request_type)) {
            throw new LmEvalError(`task '${name}' (${where}): construct_requests made a request of type '${s.request_type}' (expected ${[...REQUEST_TYPES].join(', ')})`);
          }
          return {
            requestType: s.request_type as RequestType,
            doc,
            arguments: Array.from(s.arguments) as RequestArguments,
            idx: s.idx,
            taskName: name,
            docId,
            repeats: s.repeats,
            resps: [],
            filteredResps: {},
          };
        }),
      );
    },
    processResults: (doc, results) => processResults(doc, results) as Record<string, unknown>,
    aggregationFor: (metric) => {
      const a = aggregations.get(metric);
      if (!a) throw new LmEvalError(`task '${name}' (${where}): aggregation() has no function for metric '${metric}' that process_results returned`);
      return a;
    },
    higherIsBetter: info.higher_is_better,
  };
}
