/**
 * Assembles the results dict in lm-eval's key order (lm_eval/evaluator.py `simple_evaluate`, `evaluate`), per profile.
 */
import { createHash } from 'node:crypto';
import type { Profile } from '../compat.ts';
import { pyFloat, pyStr } from '../python/values.ts';
import { taskHash } from '../report/sample-record.ts';
import type { TaskOutcome } from './evaluator.ts';

export interface GroupOutcome {
  name: string;
  alias: string;
  /** direct children (task or group names) */
  children: string[];
  /** aggregated entry (alias, name, sample_len, metrics..., sample_count) or null without aggregate_metric_list */
  entry: Record<string, unknown> | null;
  version: unknown;
  nShot?: unknown;
  higherIsBetter: Record<string, boolean | null>;
}

export interface RunInfo {
  profile: Profile;
  model: string;
  modelArgs: Record<string, unknown> | string;
  modelConfigInfo?: Record<string, unknown>;
  batchSize: unknown;
  batchSizes: unknown[];
  device: unknown;
  useCache: string | null;
  limit: number | null;
  bootstrapIters: number;
  genKwargs: Record<string, unknown> | null;
  seeds: { random: number | null; numpy: number | null; torch: number | null; fewshot: number | null };
  gitHash: string | null;
  upperGitHash: string | null;
  date: number;
  lmEvalVersion: string;
  transformersVersion: string;
  prettyEnvInfo: string;
  modelResultsInfo?: Record<string, unknown>;
  logSamples: boolean;
  modelSource: string;
  modelName: string;
  modelNameSanitized: string;
  systemInstruction: string | null;
  fewshotAsMultiturn: boolean | null;
  chatTemplate: string | null;
  startTime: number;
  endTime: number;
  totalSeconds: number;
  /** `--judge_model`, recorded as `config.judge_model` (its secrets left out) */
  judgeModel?: { backend: string; model_args: Record<string, unknown> } | null;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function sortedObject<T>(entries: Array<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

export function assembleResults(outcomes: TaskOutcome[], groups: GroupOutcome[], info: RunInfo): Record<string, unknown> {
  const latest = info.profile === 'latest';
  const results: Record<string, unknown> = {};
  const taskEntry = (o: TaskOutcome): Record<string, unknown> => {
    const e: Record<string, unknown> = {};
    if (latest) {
      e.name = o.task.name;
      e.alias = (o.task.configDump.task_alias as string) ?? o.task.name;
      e.sample_len = o.sampleLen;
    } else {
      e.alias = (o.task.configDump.task_alias as string) ?? o.task.name;
    }
    for (const [k, v] of o.metrics) e[k] = v;
    return e;
  };
  if (latest) {
    for (const o of outcomes) results[o.task.name] = taskEntry(o);
    // a group without aggregate_metric_list gets only alias/name (and no `groups` entry)
    for (const g of groups) results[g.name] = g.entry ?? { alias: g.alias, name: g.name };
  } else {
    // v0.4.4: group-first, alphabetical per level; members' aliases indented
    const byName = new Map(outcomes.map((o) => [o.task.name, o]));
    const groupByName = new Map(groups.map((g) => [g.name, g]));
    const emitted = new Set<string>();
    const emit = (name: string, depth: number) => {
      const g = groupByName.get(name);
      const prefix = depth > 0 ? ' '.repeat(depth) + '- ' : '';
      if (g) {
        const entry = g.entry ? { ...g.entry } : { ' ': ' ', alias: g.alias };
        entry.alias = prefix + g.alias;
        results[name] = entry;
        emitted.add(name);
        for (const c of [...g.children].sort()) emit(c, depth + 1);
        return;
      }
      const o = byName.get(name);
      if (!o) return;
      const e = taskEntry(o);
      e.alias = prefix + String(e.alias);
      results[name] = e;
      emitted.add(name);
    };
    const childNames = new Set(groups.flatMap((g) => g.children));
    for (const g of [...groups].sort((a, b) => (a.name < b.name ? -1 : 1))) if (!childNames.has(g.name)) emit(g.name, 0);
    for (const o of [...outcomes].sort((a, b) => (a.task.name < b.task.name ? -1 : 1))) if (!emitted.has(o.task.name)) emit(o.task.name, 0);
  }

  const out: Record<string, unknown> = { results };
  const aggregated = groups.filter((g) => g.entry);
  if (aggregated.length) out.groups = Object.fromEntries(aggregated.map((g) => [g.name, g.entry]));
  if (latest) {
    out.group_subtasks = Object.fromEntries(groups.map((g) => [g.name, g.children]));
  } else {
    const gs: Array<[string, string[]]> = [];
    const inGroup = new Set(groups.flatMap((g) => g.children));
    for (const o of outcomes) if (!inGroup.has(o.task.name)) gs.push([o.task.name, []]);
    for (const g of groups) gs.push([g.name, g.children]);
    out.group_subtasks = Object.fromEntries(gs.reverse());
  }
  out.configs = sortedObject(outcomes.map((o) => [o.task.name, o.task.configDump]));
  out.versions = sortedObject<unknown>([
    ...outcomes.map((o) => [o.task.name, o.task.version] as [string, unknown]),
    ...groups.map((g) => [g.name, latest ? (g.version === undefined || g.version === null ? 'N/A' : pyStr(g.version)) : g.version ?? null] as [string, unknown]),
  ]);
  out['n-shot'] = sortedObject<unknown>([
    ...outcomes.map((o) => [o.task.name, o.task.nShot] as [string, unknown]),
    ...groups.filter((g) => g.nShot !== undefined).map((g) => [g.name, g.nShot] as [string, unknown]),
  ]);
  out.higher_is_better = sortedObject<unknown>([
    ...outcomes.map((o) => [o.task.name, o.task.higherIsBetter] as [string, unknown]),
    ...groups.filter((g) => g.entry).map((g) => [g.name, g.higherIsBetter] as [string, unknown]),
  ]);
  out['n-samples'] = sortedObject(
    outcomes.map((o) => [
      o.task.name,
      { original: o.task.evalDocs.length, effective: latest ? o.sampleLen : o.effective },
    ]),
  );
  const config: Record<string, unknown> = { model: info.model, model_args: info.modelArgs, ...(info.modelConfigInfo ?? {}) };
  config.batch_size = info.batchSize;
  config.batch_sizes = info.batchSizes;
  config.device = info.device;
  config.use_cache = info.useCache;
  config.limit = info.limit === null ? null : pyFloat(info.limit);
  config.bootstrap_iters = info.bootstrapIters;
  config.gen_kwargs = info.genKwargs;
  config.random_seed = info.seeds.random;
  config.numpy_seed = info.seeds.numpy;
  config.torch_seed = info.seeds.torch;
  config.fewshot_seed = info.seeds.fewshot;
  if (info.judgeModel) config.judge_model = info.judgeModel;
  out.config = config;
  out.git_hash = info.gitHash;
  out.date = pyFloat(info.date);
  out.pretty_env_info = info.prettyEnvInfo;
  out.transformers_version = info.transformersVersion;
  if (latest) out.lm_eval_version = info.lmEvalVersion;
  out.upper_git_hash = info.upperGitHash;
  Object.assign(out, info.modelResultsInfo ?? {});
  out.task_hashes = info.logSamples ? Object.fromEntries(outcomes.map((o) => [o.task.name, taskHash(o.samples)])) : {};
  out.model_source = info.modelSource;
  out.model_name = info.modelName;
  out.model_name_sanitized = info.modelNameSanitized;
  out.system_instruction = info.systemInstruction;
  out.system_instruction_sha = info.systemInstruction ? sha256(info.systemInstruction) : null;
  out.fewshot_as_multiturn = info.fewshotAsMultiturn;
  out.chat_template = info.chatTemplate;
  out.chat_template_sha = info.chatTemplate ? sha256(info.chatTemplate) : null;
  if (!latest) {
    out.start_time = pyFloat(info.startTime);
    out.end_time = pyFloat(info.endTime);
  }
  out.total_evaluation_time_seconds = pyStr(pyFloat(info.totalSeconds));
  // answer metrics: per-repeat means, None counts and judge identities, per task
  const answerMetrics = outcomes.filter((o) => o.answerSummary).map((o) => [o.task.name, o.answerSummary] as const);
  if (answerMetrics.length) out.answer_metrics = Object.fromEntries(answerMetrics);
  return out;
}
