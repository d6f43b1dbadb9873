/**
 * The native experiment file (docs/experiments.md): `models`, `tasks`, `include_path`, `common`
 * plus `grid` (cartesian product) or an explicit `experiments` list, `repeat`, `seed`,
 * `main_metric`. Every problem is one LmEvalError naming the file and the field.
 */
import { LmEvalError } from '@lm-eval/core';
import { isPlainObject } from '@lm-eval/core/python';
import { namePart, seedsFor, type EndpointSpec, type Experiment, type ExperimentPlan, type ModelSpec, type Settings, type TaskSpec } from './plan.ts';

/** Backends that talk to a server (`base_url`) and so can have several endpoints. */
export const API_BACKENDS = ['local-completions', 'local-chat-completions', 'openai-completions', 'openai-chat-completions'];

const TOP_KEYS = ['name', 'models', 'tasks', 'include_path', 'common', 'grid', 'experiments', 'repeat', 'seed', 'main_metric'];
const MODEL_KEYS = ['name', 'backend', 'model_args', 'gen_kwargs', 'system_instruction', 'apply_chat_template', 'num_concurrent', 'request_delay', 'endpoints', 'api_key_env', 'batch_size'];
const ENDPOINT_KEYS = ['base_url', 'api_key_env', 'num_concurrent'];
const TASK_KEYS = ['name', 'num_fewshot', 'limit', 'fewshot_as_multiturn'];
/** gen_kwargs shorthands allowed directly in common/grid/experiments */
const GEN_SHORTHANDS = ['temperature', 'top_p', 'top_k', 'max_gen_toks', 'do_sample'];
const SETTING_KEYS = ['model', 'name', 'tasks', 'num_fewshot', 'limit', 'fewshot_as_multiturn', 'apply_chat_template', 'system_instruction', 'gen_kwargs', ...GEN_SHORTHANDS];

export interface ParseContext {
  /** the file, for messages */
  file: string;
  env: NodeJS.ProcessEnv;
  /** values given on the command line that replace the file's (`--tasks`, `--include_path`) */
  tasks?: string[];
  includePath?: string[];
  /** a key written in a foreign file is allowed (native files must name an environment variable) */
  literalKeys?: Map<string, string>;
}

class Fields {
  constructor(
    readonly ctx: ParseContext,
    readonly where: string,
  ) {}
  fail(field: string, what: string, hint?: string): never {
    const at = field ? `${this.where ? this.where + '.' : ''}${field}` : this.where;
    throw new LmEvalError(`experiments file ${this.ctx.file}: ${at ? at + ': ' : ''}${what}`, hint);
  }
  keys(obj: Record<string, unknown>, allowed: string[]): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.fail(k, `unknown key '${k}'`, `allowed keys here: ${allowed.join(', ')}`);
    }
  }
  mapping(v: unknown, field: string): Record<string, unknown> {
    if (!isPlainObject(v)) this.fail(field, 'must be a mapping');
    return v;
  }
  str(v: unknown, field: string): string {
    if (typeof v !== 'string' || v.trim() === '') this.fail(field, 'must be a non-empty string');
    return v;
  }
  int(v: unknown, field: string, min = 0): number {
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) this.fail(field, `must be an integer >= ${min} (got ${JSON.stringify(v)})`);
    return n;
  }
  num(v: unknown, field: string, min = 0): number {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min) this.fail(field, `must be a number >= ${min} (got ${JSON.stringify(v)})`);
    return n;
  }
  bool(v: unknown, field: string): boolean {
    if (typeof v !== 'boolean') this.fail(field, `must be true or false (got ${JSON.stringify(v)})`);
    return v;
  }
  at(field: string): Fields {
    return new Fields(this.ctx, this.where ? `${this.where}.${field}` : field);
  }
}

/** `k=v,k2=v2` or a mapping; values stay as written in a mapping. */
function argsMapping(f: Fields, v: unknown, field: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (isPlainObject(v)) return { ...v };
  if (typeof v === 'string') {
    const out: Record<string, unknown> = {};
    for (const part of v.split(',')) {
      if (!part.trim()) continue;
      const eq = part.indexOf('=');
      if (eq <= 0) f.fail(field, `'${part}' is not key=value`);
      const raw = part.slice(eq + 1).trim();
      out[part.slice(0, eq).trim()] = /^-?\d+$/.test(raw) ? Number(raw) : /^-?\d*\.\d+(e-?\d+)?$/i.test(raw) ? Number(raw) : raw === 'True' || raw === 'true' ? true : raw === 'False' || raw === 'false' ? false : raw;
    }
    return out;
  }
  return f.fail(field, 'must be a mapping or a k=v,k2=v2 string');
}

function chatValue(f: Fields, v: unknown, field: string): boolean | string {
  if (typeof v === 'boolean') return v;
  return f.str(v, field);
}

function resolveKey(f: Fields, envName: string, field: string): void {
  if (f.ctx.env[envName] === undefined || f.ctx.env[envName] === '') {
    f.fail(field, `environment variable '${envName}' is not set`, `export ${envName}=<key> before running (the key itself never goes in the file)`);
  }
}

function parseModel(f: Fields, raw: unknown): ModelSpec {
  const m = f.mapping(raw, '');
  f.keys(m, MODEL_KEYS);
  const name = f.str(m.name, 'name');
  const backend = f.str(m.backend, 'backend');
  const modelArgs = argsMapping(f, m.model_args, 'model_args');
  for (const k of Object.keys(modelArgs)) {
    if (/^(api_?key|token)$/i.test(k)) f.fail(`model_args.${k}`, 'API keys may not be written in the file', 'name an environment variable with api_key_env instead');
  }
  const numConcurrent = m.num_concurrent === undefined ? Number(modelArgs.num_concurrent ?? 1) : f.int(m.num_concurrent, 'num_concurrent', 1);
  const endpoints: EndpointSpec[] = [];
  const defaultKeyEnv = m.api_key_env === undefined ? undefined : f.str(m.api_key_env, 'api_key_env');
  if (m.endpoints !== undefined && m.endpoints !== null) {
    if (!API_BACKENDS.includes(backend)) f.fail('endpoints', `backend '${backend}' runs in-process and has no endpoints`, `endpoints need one of: ${API_BACKENDS.join(', ')}`);
    if (!Array.isArray(m.endpoints) || m.endpoints.length === 0) f.fail('endpoints', 'must be a non-empty list of {base_url, api_key_env, num_concurrent}');
    m.endpoints.forEach((e, i) => {
      const ef: Fields = f.at(`endpoints[${i}]`);
      const em = ef.mapping(e, '');
      ef.keys(em, ENDPOINT_KEYS);
      const ep: EndpointSpec = { baseUrl: ef.str(em.base_url, 'base_url') };
      const keyEnv = em.api_key_env === undefined ? defaultKeyEnv : ef.str(em.api_key_env, 'api_key_env');
      const literal = f.ctx.literalKeys?.get(keyEnv ?? '');
      if (literal !== undefined) ep.apiKey = literal;
      else if (keyEnv) {
        resolveKey(ef, keyEnv, 'api_key_env');
        ep.apiKeyEnv = keyEnv;
      }
      if (em.num_concurrent !== undefined) ep.numConcurrent = ef.int(em.num_concurrent, 'num_concurrent', 1);
      endpoints.push(ep);
    });
    if ('base_url' in modelArgs) f.fail('model_args.base_url', 'give either model_args.base_url or endpoints, not both');
  } else if (API_BACKENDS.includes(backend)) {
    const base = modelArgs.base_url;
    const ep: EndpointSpec = { baseUrl: typeof base === 'string' ? base : '' };
    if (defaultKeyEnv) {
      const literal = f.ctx.literalKeys?.get(defaultKeyEnv);
      if (literal !== undefined) ep.apiKey = literal;
      else {
        resolveKey(f, defaultKeyEnv, 'api_key_env');
        ep.apiKeyEnv = defaultKeyEnv;
      }
    }
    delete modelArgs.base_url;
    endpoints.push(ep);
  } else if (defaultKeyEnv) f.fail('api_key_env', `backend '${backend}' runs in-process and takes no API key`);
  delete modelArgs.num_concurrent;
  return {
    name,
    backend,
    modelArgs,
    genKwargs: argsMapping(f, m.gen_kwargs, 'gen_kwargs'),
    systemInstruction: m.system_instruction === undefined || m.system_instruction === null ? null : f.str(m.system_instruction, 'system_instruction'),
    applyChatTemplate: m.apply_chat_template === undefined ? false : chatValue(f, m.apply_chat_template, 'apply_chat_template'),
    numConcurrent,
    requestDelay: m.request_delay === undefined ? 0 : f.num(m.request_delay, 'request_delay'),
    endpoints,
    ...(m.batch_size !== undefined ? { batchSize: m.batch_size as string | number } : {}),
  };
}

function parseTask(f: Fields, raw: unknown): TaskSpec {
  if (typeof raw === 'string') return { name: f.str(raw, '') };
  const t = f.mapping(raw, '');
  f.keys(t, TASK_KEYS);
  const spec: TaskSpec = { name: f.str(t.name, 'name') };
  if (t.num_fewshot !== undefined) spec.numFewshot = f.int(t.num_fewshot, 'num_fewshot');
  if (t.limit !== undefined) spec.limit = f.num(t.limit, 'limit');
  if (t.fewshot_as_multiturn !== undefined) spec.fewshotAsMultiturn = f.bool(t.fewshot_as_multiturn, 'fewshot_as_multiturn');
  return spec;
}

/** One common/grid/experiments entry's settings (model and name are read by the caller). */
function applySetting(f: Fields, s: Settings, key: string, v: unknown): void {
  switch (key) {
    case 'num_fewshot':
      s.numFewshot = f.int(v, key);
      return;
    case 'limit':
      s.limit = f.num(v, key);
      return;
    case 'fewshot_as_multiturn':
      s.fewshotAsMultiturn = f.bool(v, key);
      return;
    case 'apply_chat_template':
      s.applyChatTemplate = chatValue(f, v, key);
      return;
    case 'system_instruction':
      s.systemInstruction = v === null ? null : f.str(v, key);
      return;
    case 'gen_kwargs':
      s.genKwargs = { ...(s.genKwargs ?? {}), ...argsMapping(f, v, key) };
      return;
    case 'tasks': {
      const list = typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : v;
      if (!Array.isArray(list) || list.length === 0) f.fail(key, 'must be a non-empty list of task names');
      s.tasks = list.map((x, i) => f.str(x, `${key}[${i}]`));
      return;
    }
    default:
      if (GEN_SHORTHANDS.includes(key)) {
        s.genKwargs = { ...(s.genKwargs ?? {}), [key]: v };
        return;
      }
      f.fail(key, `unknown setting '${key}'`, `settings: ${SETTING_KEYS.join(', ')}`);
  }
}

interface Entry {
  name?: string;
  models: string[];
  values: Array<[string, unknown]>;
  /** the keys whose values name the experiment */
  naming: string[];
}

function cartesian(axes: Array<[string, unknown[]]>): Array<Array<[string, unknown]>> {
  let out: Array<Array<[string, unknown]>> = [[]];
  for (const [k, values] of axes) out = out.flatMap((combo) => values.map((v) => [...combo, [k, v] as [string, unknown]]));
  return out;
}

export function parseNativePlan(raw: unknown, ctx: ParseContext, source: ExperimentPlan['source'] = 'native'): ExperimentPlan {
  const root: Fields = new Fields(ctx, '');
  if (!isPlainObject(raw)) root.fail('', 'the top level must be a mapping', 'see docs/experiments.md for the file format');
  root.keys(raw, TOP_KEYS);
  if (!Array.isArray(raw.models) || raw.models.length === 0) root.fail('models', 'must be a non-empty list of models', 'each model: {name, backend, model_args, ...}');
  const models = raw.models.map((m, i) => parseModel(root.at(`models[${i}]`), m));
  const byName = new Map<string, ModelSpec>();
  models.forEach((m, i) => {
    if (byName.has(m.name)) root.fail(`models[${i}].name`, `duplicate model name '${m.name}'`, 'model names must be unique');
    byName.set(m.name, m);
  });
  for (const [i, m] of models.entries()) {
    if (API_BACKENDS.includes(m.backend) && m.endpoints.some((e) => !e.baseUrl)) {
      root.fail(`models[${i}]`, `backend '${m.backend}' needs an endpoint`, 'add endpoints: [{base_url: http://host:port/v1/completions}] or model_args.base_url');
    }
  }

  let tasks: TaskSpec[];
  if (ctx.tasks && ctx.tasks.length) tasks = ctx.tasks.map((t) => ({ name: t }));
  else {
    if (raw.tasks === undefined || raw.tasks === null) root.fail('tasks', 'is missing', 'list the lm-eval tasks to run (or pass --tasks)');
    const list = typeof raw.tasks === 'string' ? raw.tasks.split(',').map((x) => x.trim()).filter(Boolean) : raw.tasks;
    if (!Array.isArray(list) || list.length === 0) root.fail('tasks', 'must be a non-empty list of tasks');
    tasks = list.map((t, i) => parseTask(root.at(`tasks[${i}]`), t));
  }
  const includeRaw = raw.include_path;
  const includePath = ctx.includePath?.length
    ? ctx.includePath
    : includeRaw === undefined || includeRaw === null
      ? []
      : (Array.isArray(includeRaw) ? includeRaw : [includeRaw]).map((p, i) => root.str(p, `include_path[${i}]`));

  const repeat = raw.repeat === undefined ? 1 : root.int(raw.repeat, 'repeat', 1);
  const seed = raw.seed === undefined ? undefined : root.int(raw.seed, 'seed');

  // common settings
  const common: Settings = {};
  let commonModels: string[] | null = null;
  if (raw.common !== undefined && raw.common !== null) {
    const cf: Fields = root.at('common');
    const c = cf.mapping(raw.common, '');
    for (const [k, v] of Object.entries(c)) {
      if (k === 'name') cf.fail(k, 'an experiment name belongs in an experiments entry');
      if (k === 'model') commonModels = (Array.isArray(v) ? v : [v]).map((x, i) => cf.str(x, `model[${i}]`));
      else applySetting(cf, common, k, v);
    }
  }

  // entries: from the grid or the explicit list
  if (raw.grid !== undefined && raw.experiments !== undefined) root.fail('grid', 'give either grid or experiments, not both');
  const entries: Entry[] = [];
  if (raw.experiments !== undefined) {
    if (!Array.isArray(raw.experiments) || raw.experiments.length === 0) root.fail('experiments', 'must be a non-empty list', 'or use common + grid');
    raw.experiments.forEach((e, i) => {
      const ef: Fields = root.at(`experiments[${i}]`);
      const em = ef.mapping(e, '');
      for (const k of Object.keys(em)) if (!SETTING_KEYS.includes(k)) ef.fail(k, `unknown setting '${k}'`, `settings: ${SETTING_KEYS.join(', ')}`);
      const models = em.model === undefined ? commonModels ?? models0() : [ef.str(em.model, 'model')];
      const values = Object.entries(em).filter(([k]) => k !== 'model' && k !== 'name');
      entries.push({ name: em.name === undefined ? undefined : ef.str(em.name, 'name'), models, values, naming: values.map(([k]) => k) });
    });
  } else {
    const axes: Array<[string, unknown[]]> = [];
    let gridModels: string[] | null = null;
    if (raw.grid !== undefined && raw.grid !== null) {
      const gf: Fields = root.at('grid');
      const g = gf.mapping(raw.grid, '');
      if (Object.keys(g).length === 0) gf.fail('', 'is empty', 'give at least one key with a list of values, e.g. num_fewshot: [0, 5], or drop grid');
      for (const [k, v] of Object.entries(g)) {
        if (!SETTING_KEYS.includes(k) || k === 'name') gf.fail(k, `unknown setting '${k}'`, `settings: ${SETTING_KEYS.filter((x) => x !== 'name').join(', ')}`);
        const values = Array.isArray(v) ? v : [v];
        if (values.length === 0) gf.fail(k, 'has no values', 'give a non-empty list');
        if (k === 'model') gridModels = values.map((x, i) => gf.str(x, `model[${i}]`));
        else axes.push([k, values]);
      }
    }
    const modelsList = gridModels ?? commonModels ?? models0();
    for (const combo of cartesian(axes)) {
      entries.push({ models: modelsList, values: combo, naming: axes.filter(([, vs]) => vs.length > 1).map(([k]) => k) });
    }
  }
  function models0(): string[] {
    return models.map((m) => m.name);
  }

  const experiments: Experiment[] = [];
  const seen = new Map<string, string>();
  entries.forEach((entry, i) => {
    for (const modelName of entry.models) {
      const where = raw.experiments !== undefined ? `experiments[${i}]` : 'grid';
      const model = byName.get(modelName);
      if (!model) root.fail(`${where}.model`, `unknown model '${modelName}'`, `models in this file: ${[...byName.keys()].join(', ')}`);
      const settings: Settings = { ...common, genKwargs: { ...(common.genKwargs ?? {}) } };
      const sf = root.at(where);
      for (const [k, v] of entry.values) applySetting(sf, settings, k, v);
      if (settings.genKwargs && Object.keys(settings.genKwargs).length === 0) delete settings.genKwargs;
      const varied: Record<string, unknown> = {};
      for (const [k, v] of entry.values) if (entry.naming.includes(k)) varied[k] = v;
      const name = entry.name ?? [namePart(model.name), ...Object.entries(varied).map(([k, v]) => `${namePart(k)}-${namePart(v)}`)].join('_');
      if (seen.has(name)) root.fail(`${where}`, `duplicate experiment name '${name}' (also ${seen.get(name)})`, 'give each experiment a distinct name, or vary a setting');
      seen.set(name, where);
      const taskList = settings.tasks ? settings.tasks.map((t) => tasks.find((x) => x.name === t) ?? { name: t }) : tasks;
      for (let r = 0; r < repeat; r++) {
        experiments.push({
          id: repeat > 1 ? `${name}_r${r + 1}` : name,
          name,
          model,
          tasks: taskList,
          settings,
          varied,
          repeat: r,
          repeats: repeat,
          seeds: seedsFor(seed, r),
        });
      }
    }
  });
  return {
    name: raw.name === undefined ? 'experiments' : root.str(raw.name, 'name'),
    source,
    models,
    tasks,
    includePath,
    experiments,
    mainMetric: raw.main_metric === undefined ? null : root.str(raw.main_metric, 'main_metric'),
  };
}
