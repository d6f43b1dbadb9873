// Public API of @lm-eval/core, grouped along the flow of one evaluation
// (task index -> config -> dataset -> prompt -> requests -> model -> filters -> metrics -> reports).

// The library API for custom harnesses: evaluate(), typed results, task access
export * from './api/evaluate.ts';
export * from './api/results.ts';
export * from './api/task-manager.ts';

// Running an evaluation (the entry point most users need) and the pieces it is made of
export * from './evaluate/run-evaluation.ts';
export * from './evaluate/prepare-task.ts';
export * from './evaluate/validate-task.ts';
export * from './evaluate/evaluator.ts';
export * from './evaluate/eval-task.ts';
export * from './evaluate/run-requests.ts';
export * from './evaluate/results.ts';
export * from './evaluate/shard.ts';
export * from './compat.ts';
export * from './errors.ts';
export * from './util/limit.ts';
export * from './util/suggest.ts';
export * from './util/hub-snapshot.ts';
export * from './log/events.ts';
export * from './worker/python-worker.ts';

// Models: the backend contract, the registry, the deterministic `dummy`, shared token machinery
export * from './model/types.ts';
export * from './model/registry.ts';
export * from './model/model-args.ts';
export * from './model/sampling.ts';
export * from './model/chat-template.ts';
export * from './model/dummy.ts';
export * from './model/token-windows.ts';

// Tasks: YAML (PyYAML 1.1), includes, !function, configs, the index, groups, doc_to_*
export * from './task/yaml.ts';
export * from './task/profile.ts';
export * from './task/include.ts';
export * from './task/functions.ts';
export { setHelperImportPreparation } from './task/helper-import.ts';
export { registerPythonPort, recognisePort, type PythonPort } from './task/ports.ts';
export * from './task/config.ts';
export * from './task/fnmatch.ts';
export * from './task/scan.ts';
export * from './task/index.ts';
export * from './task/group.ts';
export * from './task/doc-to.ts';

// Templates with Python Jinja2 semantics
export * from './template/index.ts';

// Datasets: local files, the Hugging Face Hub and its cache, the offline mirror
export * from './data/index.ts';

// Prompts and requests
export * from './prompt/task-view.ts';
export * from './prompt/sampler.ts';
export * from './prompt/context.ts';
export * from './request/instance.ts';
export * from './request/build.ts';

// Filters, metrics, aggregations, standard errors, groups
export * from './evaluate/filters/index.ts';
export * from './evaluate/metrics/types.ts';
export * from './evaluate/metrics/registry.ts';
export { exactMatchCompute } from './evaluate/metrics/exact-match.ts';
export * from './evaluate/aggregations/types.ts';
export * from './evaluate/aggregations/registry.ts';
export * from './evaluate/aggregations/sacrebleu/index.ts';
export { f1Binary } from './evaluate/aggregations/f1.ts';
export { matthewsCorrcoef } from './evaluate/aggregations/matthews-corrcoef.ts';
export { exp as pyExp, log as pyLog } from './evaluate/aggregations/libm.ts';
export * from './evaluate/process-results.ts';
export * from './evaluate/answers/answer-metric.ts';
export * from './evaluate/answers/generation-record.ts';
export * from './evaluate/answers/judge-parsers.ts';
export * from './evaluate/answers/judge-models.ts';
export * from './evaluate/answers/registry.ts';
export * from './evaluate/answers/resolve.ts';
export * from './evaluate/answers/score-answers.ts';
export * from './evaluate/stderr.ts';
export * from './evaluate/group-aggregate.ts';

// Output files and the printed table
export * from './report/output-files.ts';
export * from './report/sample-record.ts';
export * from './report/table.ts';

// Caches: responses (--use_cache) and built requests (--cache_requests)
export * from './cache/pickle.ts';
export * from './cache/response-key.ts';
export * from './cache/sqlite-store.ts';
export * from './cache/response-cache.ts';
export * from './cache/request-cache.ts';

// Python value semantics (values, json, random, re, str.format, literals, str/list/dict methods)
export * from './python/values.ts';
export * from './python/json.ts';
export * from './python/random.ts';
export * from './python/hash.ts';
export * from './python/re.ts';
export * from './python/literal.ts';
export * from './python/format.ts';
export * from './python/types.ts';
export * from './python/str-methods.ts';
export * from './python/collections.ts';
export * from './python/methods.ts';
export * from './python/numeric.ts';
export { pythonDefinitionHash, pythonTopLevelNames } from './python/source-hash.ts';
