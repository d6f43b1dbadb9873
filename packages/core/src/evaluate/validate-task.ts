/**
 * `lm-eval validate`: configures each task fully without loading any data — YAML and includes,
 * group members and overrides, the TaskConfig, every `!function` (a TS module next to the YAML, a
 * recognised port, or a name defined in the Python file, checked statically — nothing Python runs),
 * Jinja templates compiled, the few-shot sampler, filter pipelines built, metrics and aggregations
 * resolved, group aggregate metrics. Each requested name gives one {@link TaskCheck}.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Profile } from '../compat.ts';
import { LmEvalError, LmEvalErrors } from '../errors.ts';
import { getSampler } from '../prompt/sampler.ts';
import { isPlainObject } from '../python/values.ts';
import { pythonRegisteredFilters, pythonTopLevelNames } from '../python/source-hash.ts';
import { buildTaskConfig, type TaskConfig } from '../task/config.ts';
import { pythonPaths, resolveWithoutPython } from '../task/functions.ts';
import { pythonModule } from '../task/ports.ts';
import { assertLoaderDatasetKwargs } from '../task/dataset-kwargs.ts';
import { lmEvalImportsMissingFromStandIn } from '../pyfn/stand-in.ts';
import { loadTasks, type ResolvedTask } from '../task/group.ts';
import { deepCopy, type YamlDict } from '../task/include.ts';
import type { TaskIndex } from '../task/index.ts';
import { FunctionRef } from '../task/yaml.ts';
import { compileTemplate } from '../template/index.ts';
import { buildFilterPipelines, knownFilters } from './filters/index.ts';
import { resolveMetricList, type MetricSpec } from './metrics/registry.ts';
import { withRegistry } from '../registry/active.ts';
import type { Registry } from '../registry/registry.ts';

/** Which Python the Python worker would use, and what it can do. */
export interface PythonStatus {
  executable: string;
  /** the interpreter starts */
  usable: boolean;
  /** `import lm_eval` works there (Python `class:` tasks); probed on first read */
  readonly lmEval: boolean;
}

/** The interpreter named by `LM_EVAL_PYTHON` (else `python3`), probed once: does it start, does it have `lm_eval`. */
export function probePython(env: NodeJS.ProcessEnv = process.env, executable = env.LM_EVAL_PYTHON || 'python3'): PythonStatus {
  const run = (code: string) => {
    const r = spawnSync(executable, ['-c', code], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return r.status === 0 && r.stdout.trim() === 'ok';
  };
  const usable = run('print("ok")');
  let lmEval: boolean | undefined;
  return {
    executable,
    usable,
    get lmEval() {
      return (lmEval ??= usable && run('import lm_eval; print("ok")'));
    },
  };
}

export interface TaskCheck {
  /** the requested name (task, group or tag) */
  name: string;
  kind: 'task' | 'group' | 'tag' | 'python_task' | 'unknown';
  /** YAML file of the name ('' for tags and unknown names) */
  file: string;
  /** configures and can run with the Python at hand */
  ok: boolean;
  /** why not (one line) */
  reason?: string;
  /** Python helpers it needs (`utils.process_docs`, ...); empty when it runs without Python */
  python: string[];
}

/** A `!function` whose target is defined in Python only: stands in for it while the config is checked (never called). */
const standIns = new WeakSet<object>();

function pythonStandIn(ref: FunctionRef): (...args: unknown[]) => never {
  const fn = () => {
    throw new LmEvalError(`validate: ${ref.raw} is Python code and is not run while validating`);
  };
  Object.defineProperty(fn, 'name', { value: ref.name });
  standIns.add(fn);
  return fn;
}

interface RefResolution {
  value: unknown;
  python: string | null;
  pyFile?: string;
}

class FunctionChecker {
  private readonly cache = new Map<string, Promise<RefResolution>>();
  private readonly pyNames = new Map<string, Set<string> | null>();

  definedIn(pyFile: string): Set<string> | null {
    let names = this.pyNames.get(pyFile);
    if (names === undefined) {
      const statements = pythonModule(pyFile)?.statements;
      names = statements ? pythonTopLevelNames(statements) : null;
      this.pyNames.set(pyFile, names);
    }
    return names;
  }

  /** The module adds names to its namespace at import time (globals()/setattr/exec/module __getattr__). */
  dynamicNamespace(pyFile: string): boolean {
    const text = pythonModule(pyFile)?.text;
    return text !== undefined && /\bglobals\(\)|\bsetattr\(|\bexec\(|^def __getattr__\(/m.test(text);
  }

  resolve(ref: FunctionRef, profile: Profile): Promise<RefResolution> {
    const key = `${profile}\u0000${ref.yamlDir}\u0000${ref.raw}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.resolveUncached(ref, profile);
      this.cache.set(key, p);
    }
    return p;
  }

  private async resolveUncached(ref: FunctionRef, profile: Profile): Promise<RefResolution> {
    const js = await resolveWithoutPython(ref, profile);
    if (js) return { value: js.value, python: null };
    const pyFiles = pythonPaths(ref, profile).filter((p) => existsSync(p));
    if (pyFiles.length === 0) {
      throw new LmEvalError(`!function ${ref.raw}: no module '${ref.module}' next to the YAML (no .ts/.js/.py file; tried ${pythonPaths(ref, profile).join(', ')})`);
    }
    const names = this.definedIn(pyFiles[0]);
    if (!names) throw new LmEvalError(`!function ${ref.raw}: ${pyFiles[0]} cannot be read as Python source`);
    // names made at import time (`globals()[f"process_{s}"] = ...`, setattr on the module) cannot be checked statically
    if (!names.has(ref.name) && !this.dynamicNamespace(pyFiles[0])) throw new LmEvalError(`!function ${ref.raw}: ${pyFiles[0]} defines no '${ref.name}'`);
    return { value: pythonStandIn(ref), python: ref.raw, pyFile: pyFiles[0] };
  }
}

/** Replaces every FunctionRef in `value` (deeply) by its JS value or a Python stand-in; collects the Python ones. */
async function substitute(value: unknown, profile: Profile, checker: FunctionChecker, python: Map<string, string>): Promise<unknown> {
  if (value instanceof FunctionRef) {
    const r = await checker.resolve(value, profile);
    if (r.python) python.set(r.python, r.pyFile as string);
    return r.value;
  }
  if (Array.isArray(value)) {
    const out = [];
    for (const x of value) out.push(await substitute(x, profile, checker, python));
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await substitute(v, profile, checker, python);
    return out;
  }
  return value;
}

const TEMPLATE_FIELDS = ['doc_to_text', 'doc_to_target', 'doc_to_choice', 'description', 'gen_prefix'] as const;
const templateCache = new Map<string, string | null>();

function checkTemplate(where: string, source: unknown): void {
  if (typeof source !== 'string') {
    if (Array.isArray(source)) source.forEach((s, i) => checkTemplate(`${where}[${i}]`, s));
    return;
  }
  let err = templateCache.get(source);
  if (err === undefined) {
    try {
      compileTemplate(source);
      err = null;
    } catch (e) {
      err = (e as Error).message.split('\n')[0];
    }
    templateCache.set(source, err);
  }
  if (err) throw new LmEvalError(`${where}: template does not compile: ${err}`);
}

const isFn = (v: unknown): v is (...a: unknown[]) => unknown => typeof v === 'function';

/** Marks the Python needs that also need the lm_eval package there (class tasks, sampler classes). */
const LM_EVAL_NEEDED = '\u0000lm_eval: ';

/** Checks one loaded task; returns the Python helpers it needs. Throws LmEvalError with the reason. */
async function checkTask(t: ResolvedTask, checker: FunctionChecker): Promise<Map<string, string>> {
  const python = new Map<string, string>();
  const source = t.yamlPath ?? 'inline';
  const input = (await substitute(deepCopy(t.raw), t.profile, checker, python)) as YamlDict;
  const cfg: TaskConfig = buildTaskConfig(input, { profile: t.profile, source });
  const c = cfg as unknown as Record<string, unknown>;
  if (cfg.doc_to_image != null || cfg.doc_to_audio != null) throw new LmEvalError('multimodal task (doc_to_image/doc_to_audio): text backends cannot run it');
  if (!cfg.test_split && !cfg.validation_split) throw new LmEvalError('no test_split or validation_split is set');
  if (!cfg.dataset_path && !isFn(c.custom_dataset)) throw new LmEvalError('no dataset_path (and no custom_dataset)');
  if (!isFn(c.custom_dataset)) assertLoaderDatasetKwargs(c.dataset_kwargs, '');

  for (const f of TEMPLATE_FIELDS) checkTemplate(f, c[f]);
  const ft = (cfg.fewshot_config ?? {}) as Record<string, unknown>;
  for (const f of TEMPLATE_FIELDS) checkTemplate(`fewshot_config.${f}`, ft[f]);

  const sampler = ft.sampler ?? 'default';
  if (!isFn(sampler)) getSampler(String(sampler), 'fewshot_config.sampler');
  else if (standIns.has(sampler)) {
    if (t.profile === '0.4.4') {
      throw new LmEvalError(`fewshot_config.sampler: ${sampler.name} is a Python sampler class, which runs for the latest profile only (write a TypeScript sampler next to the YAML)`);
    }
    // run by the worker through lm_eval's sampler API (pyfn/sampler.ts)
    python.set(`${LM_EVAL_NEEDED}fewshot_config.sampler: ${sampler.name} is a Python sampler class`, '');
  }

  // filters: Python filter classes (a !function or a name their module registers) are checked statically
  const pyFilters = new Set<string>();
  for (const pyFile of new Set(python.values())) {
    const statements = pyFile ? pythonModule(pyFile)?.statements : null;
    if (statements) for (const name of pythonRegisteredFilters(statements).keys()) pyFilters.add(name);
  }
  const known = new Set(knownFilters());
  let filterList = cfg.filter_list as unknown;
  if (Array.isArray(filterList)) {
    filterList = filterList.map((p) =>
      isPlainObject(p) && Array.isArray(p.filter)
        ? {
            ...p,
            filter: p.filter.filter((step: unknown) => {
              const fn = isPlainObject(step) ? step.function : step;
              if (isFn(fn) && standIns.has(fn)) return false;
              if (typeof fn === 'string' && !known.has(fn) && pyFilters.has(fn)) {
                python.set(`filter ${fn}`, '');
                return false;
              }
              return true;
            }),
          }
        : p,
    );
  }
  buildFilterPipelines(filterList ?? undefined, { profile: t.profile, confirmRunUnsafeCode: true });

  resolveMetricList({
    task: t.name,
    outputType: cfg.output_type,
    metricList: (cfg.metric_list as MetricSpec[] | null) ?? null,
    customProcessResults: isFn(c.process_results),
    profile: t.profile,
  });
  if (c.context_based === true && (!isFn(c.request_updater) || !isFn(c.storage_updater))) {
    throw new LmEvalError('context_based tasks need request_updater and storage_updater (!function)');
  }
  return python;
}

function firstLine(e: unknown): string {
  if (e instanceof LmEvalErrors) return e.errors.map(firstLine).join('; ');
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0];
}

export interface ValidateOptions {
  /** the Python the worker would use; a function is called (once) only when some task needs Python */
  python: PythonStatus | (() => PythonStatus);
  /** where metric, aggregation, filter and sampler names are looked up (default: the process-wide registry) */
  registry?: Registry;
}

/** Validates each name (task, group or tag registered in `index`). */
export function validateTasks(names: string[], index: TaskIndex, options: ValidateOptions): Promise<TaskCheck[]> {
  return withRegistry(options.registry, () => validateEach(names, index, options));
}

async function validateEach(names: string[], index: TaskIndex, options: ValidateOptions): Promise<TaskCheck[]> {
  const checker = new FunctionChecker();
  const out: TaskCheck[] = [];
  let pythonStatus: PythonStatus | undefined;
  const python = (): PythonStatus => (pythonStatus ??= typeof options.python === 'function' ? options.python() : options.python);
  for (const name of names) {
    const entry = index.get(name);
    const check: TaskCheck = { name, kind: entry?.kind ?? 'unknown', file: entry?.yamlPath ?? '', ok: false, python: [] };
    out.push(check);
    if (!entry) {
      check.reason = 'not found';
      continue;
    }
    if (entry.kind === 'python_task') {
      check.python = ['class'];
      const py = python();
      if (py.lmEval) check.ok = true;
      else check.reason = `Python class task (key 'class'): needs a Python with the lm_eval package (${py.executable}: ${py.usable ? 'no lm_eval' : 'not usable'})`;
      continue;
    }
    try {
      const loaded = await loadTasks([name], index, { resolveFunctions: false, warn: () => {} });
      const needed = new Map<string, string>();
      for (const t of loaded.tasks.values()) {
        if (t.pythonClass) {
          // a group member that is a Python class task: what the kind check above asks of it
          needed.set(`${LM_EVAL_NEEDED}member '${t.name}' is a Python class task (key 'class')`, t.yamlPath ?? '');
          continue;
        }
        try {
          for (const [k, v] of await checkTask(t, checker)) needed.set(k, v);
        } catch (e) {
          throw new LmEvalError(loaded.tasks.size > 1 || t.name !== name ? `member '${t.name}': ${firstLine(e)}` : firstLine(e));
        }
      }
      for (const g of loaded.groups.values()) {
        for (const m of g.config.aggregate_metric_list ?? []) {
          if (m.aggregation instanceof FunctionRef) {
            const r = await checker.resolve(m.aggregation, g.profile);
            if (r.python) needed.set(r.python, r.pyFile as string);
          }
        }
      }
      const lmEvalNeeds = [...needed.keys()].filter((k) => k.startsWith(LM_EVAL_NEEDED)).map((k) => k.slice(LM_EVAL_NEEDED.length));
      // helper files importing what the worker's lm_eval stand-in does not have need the real package
      for (const f of new Set(needed.values())) {
        const missing = f ? lmEvalImportsMissingFromStandIn(f) : [];
        if (missing.length) lmEvalNeeds.push(`${path.basename(f)} imports ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}, which the worker's stand-in lm_eval does not provide`);
      }
      check.python = [...needed.keys()].map((k) => (k.startsWith(LM_EVAL_NEEDED) ? k.slice(LM_EVAL_NEEDED.length) : k));
      if (lmEvalNeeds.length && !python().lmEval) {
        check.reason = `${lmEvalNeeds[0]}${lmEvalNeeds.length > 1 ? ` (and ${lmEvalNeeds.length - 1} more)` : ''}: needs a Python with the lm_eval package (${python().executable}: ${python().usable ? 'no lm_eval' : 'not usable'})`;
      } else if (check.python.length && !python().usable) {
        check.reason = `needs Python for ${check.python.slice(0, 3).join(', ')}${check.python.length > 3 ? ', …' : ''} (no usable Python: ${python().executable}; pass --python or set LM_EVAL_PYTHON)`;
      } else check.ok = true;
    } catch (e) {
      check.reason = firstLine(e);
    }
  }
  return out;
}
