/**
 * `lm-eval merge`: shard outputs (`--shard i/n` runs of an experiment set or of a plain run)
 * combined into the files one unsharded run would have written. Samples are the shards' lines,
 * ordered as the evaluator orders them (filter by filter, document by document), so they are
 * byte-identical; each task's metrics and standard errors are recomputed from the merged
 * per-sample rows with the task's aggregations, and group aggregates from the merged task
 * entries, so results match value for value. Environment fields (dates, timings) are the first
 * shard's.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LmEvalError, type Profile } from '@lm-eval/core';
import { serializeResults, taskHash } from '@lm-eval/core/engine';
import { TaskIndex, loadTasks } from '@lm-eval/core/tasks';
import { aggregateGroup, aggregationForKey, groupEntry, resolveMetricList, stderrOf, type GroupAggMetric, type LeafResult, type MetricSpec } from '@lm-eval/core/metrics';
import { parsePyJson, PyFloat } from '@lm-eval/core/python';
import { MANIFEST, MARKER, experimentFingerprint } from './run-experiments.ts';

/** Written next to a sharded plain run's results file: which shard it is. */
export const SHARD_SIDECAR_PREFIX = 'shard_';

export interface MergeOptions {
  outputPath: string;
  includePath?: string[];
  cwd?: string;
  log?: (message: string) => void;
}

export interface MergeOutput {
  files: string[];
  /** true when the inputs were experiment-set shards */
  experimentSet: boolean;
}

interface ShardInfo {
  index: number;
  count: number;
}

function parseShardText(s: unknown, where: string): ShardInfo {
  const m = typeof s === 'string' ? /^(\d+)\/(\d+)$/.exec(s) : null;
  if (!m) throw new LmEvalError(`${where} is not the output of a sharded run (no 'i/n' shard recorded)`, 'merge the output folders of `--shard i/n` runs');
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** All n shards, each once. */
function checkComplete(shards: Array<{ input: string; shard: ShardInfo }>, what: string): void {
  const n = shards[0].shard.count;
  const seen = new Map<number, string>();
  for (const { input, shard } of shards) {
    if (shard.count !== n) throw new LmEvalError(`${what}: '${input}' is shard ${shard.index}/${shard.count} but '${shards[0].input}' is of ${n}`, 'merge shards of one sharded run');
    if (seen.has(shard.index)) throw new LmEvalError(`${what}: shard ${shard.index}/${n} is given twice ('${seen.get(shard.index)}' and '${input}')`);
    seen.set(shard.index, input);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new LmEvalError(`${what}: shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} missing`, 'give the output folder of every shard');
}

function findFiles(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

const DATE_RE = /(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(?:\.\d+)?)/;

interface ShardResults {
  input: string;
  file: string;
  results: Record<string, any>;
  /** task -> samples file text lines */
  lines: Map<string, string[]>;
}

function readShardResults(input: string, file: string): ShardResults {
  const text = readFileSync(file, 'utf8');
  const results = parsePyJson(text) as Record<string, any>;
  const date = DATE_RE.exec(path.basename(file))?.[1] ?? '';
  const lines = new Map<string, string[]>();
  for (const task of Object.keys(results.configs ?? {})) {
    const f = path.join(path.dirname(file), `samples_${task}_${date}.jsonl`);
    if (!existsSync(f)) throw new LmEvalError(`merge: ${f} is missing`, 'shards must be run with --log_samples (experiment sets always log samples): metrics are recomputed from the per-sample rows');
    lines.set(task, readFileSync(f, 'utf8').split('\n').filter((l) => l !== ''));
  }
  return { input, file, results, lines };
}

function profileOf(results: Record<string, unknown>): Profile {
  return 'lm_eval_version' in results ? 'latest' : '0.4.4';
}

/** Python floats stay floats in JSON; items for aggregation are plain numbers (and lists). */
function plain(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

interface TaskScoring {
  aggregationFor(metric: string): ReturnType<typeof aggregationForKey>['aggregation'];
}

/** A task's aggregations: from its definition (index + include_path), else from the results' config dump. */
function taskScoring(task: string, dump: Record<string, any>, profile: Profile, index: TaskIndex | null, loaded: Map<string, any>): TaskScoring {
  const cfg = loaded.get(task)?.config ?? dump;
  let metrics;
  try {
    metrics = resolveMetricList({
      task,
      outputType: cfg.output_type,
      metricList: (cfg.metric_list as MetricSpec[] | null) ?? null,
      customProcessResults: typeof cfg.process_results === 'function' || (typeof cfg.process_results === 'string' && cfg.process_results.startsWith('<function')),
      profile,
    }).metrics;
  } catch (e) {
    throw new LmEvalError(
      `merge: cannot recompute the metrics of task '${task}': ${(e as Error).message}`,
      index ? 'give the task folder with --include_path so its !function aggregations can be loaded' : undefined,
    );
  }
  return { aggregationFor: (metric) => aggregationForKey(metrics, metric, profile, task).aggregation };
}

/** Merges one results file family (same folder, same tasks) across the shards. */
async function mergeFamily(shards: ShardResults[], outDir: string, options: MergeOptions): Promise<string[]> {
  // the first shard's results (read again: it is rewritten in place) are the template
  const base = parsePyJson(readFileSync(shards[0].file, 'utf8')) as Record<string, any>;
  const profile = profileOf(base);
  const latest = profile === 'latest';
  const tasks = Object.keys(base.configs ?? {});
  const bootstrapIters = Number(base.config?.bootstrap_iters ?? 100000);

  // task and group definitions from the task folders (group aggregation needs the group configs)
  let index: TaskIndex | null = null;
  const loadedTasks = new Map<string, any>();
  const loadedGroups = new Map<string, any>();
  try {
    index = TaskIndex.build({ profile, includePaths: options.includePath ?? [], cwd: options.cwd ?? process.cwd() });
    for (const name of [...tasks, ...Object.keys(base.groups ?? {})]) {
      try {
        const l = await loadTasks([name], index, { warn: () => {} });
        for (const [k, v] of l.tasks) if (!loadedTasks.has(k)) loadedTasks.set(k, v);
        for (const [k, v] of l.groups) if (!loadedGroups.has(k)) loadedGroups.set(k, v);
      } catch {
        // not in the index: the results' own config is used (tasks); groups then fail below
      }
    }
  } catch {
    index = null;
  }

  const date = DATE_RE.exec(path.basename(shards[0].file))?.[1] ?? 'merged';
  const files: string[] = [];
  mkdirSync(outDir, { recursive: true });
  const taskEntries = new Map<string, Record<string, unknown>>();
  const sampleLens = new Map<string, number>();

  for (const task of tasks) {
    // the filter order and metric keys, from a shard whose entry has metrics
    const withKeys = shards.map((s) => s.results.results?.[task] as Record<string, unknown> | undefined).find((e) => e && Object.keys(e).some((k) => k.includes(',') && !k.includes('_stderr,')));
    const entryTemplate = withKeys ?? (base.results?.[task] as Record<string, unknown>) ?? {};
    const keys = Object.keys(entryTemplate).filter((k) => k.includes(',') && !k.slice(0, k.indexOf(',')).endsWith('_stderr'));
    const filters: string[] = [];
    for (const k of keys) {
      const f = k.slice(k.indexOf(',') + 1);
      if (!filters.includes(f)) filters.push(f);
    }
    if (filters.length === 0) filters.push('none');

    // rows per filter: latest records name their filter; v0.4.4 ones come filter block by filter block
    const perFilter = new Map<string, Array<{ docId: number; line: string; row: Record<string, unknown> }>>(filters.map((f) => [f, []]));
    for (const s of shards) {
      const lines = s.lines.get(task) ?? [];
      const rows = lines.map((line) => ({ line, row: parsePyJson(line) as Record<string, unknown> }));
      const hasFilter = rows.every((r) => typeof r.row.filter === 'string');
      if (!hasFilter && rows.length % filters.length !== 0) throw new LmEvalError(`merge: ${s.file}: the samples of '${task}' do not split into its ${filters.length} filters`);
      const block = rows.length / filters.length;
      rows.forEach((r, i) => {
        const f = hasFilter ? (r.row.filter as string) : filters[Math.floor(i / block)];
        if (!perFilter.has(f)) perFilter.set(f, []);
        perFilter.get(f)!.push({ docId: Number(r.row.doc_id), line: r.line, row: r.row });
      });
    }
    const ordered: Array<{ docId: number; line: string; row: Record<string, unknown> }> = [];
    for (const rows of perFilter.values()) {
      rows.sort((a, b) => a.docId - b.docId);
      for (let i = 1; i < rows.length; i++) {
        if (rows[i].docId === rows[i - 1].docId) throw new LmEvalError(`merge: document ${rows[i].docId} of '${task}' is in two shards`, 'give each shard once');
      }
      ordered.push(...rows);
    }
    const samplesFile = path.join(outDir, `samples_${task}_${date}.jsonl`);
    writeFileSync(samplesFile, ordered.map((r) => r.line + '\n').join(''));

    // metrics from the rows, in the evaluator's key order
    const scoring = taskScoring(task, base.configs[task], profile, index, loadedTasks);
    const entry: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entryTemplate)) if (!k.includes(',')) entry[k] = v;
    let sampleLen = 0;
    for (const key of keys) {
      const metric = key.slice(0, key.indexOf(','));
      const filter = key.slice(key.indexOf(',') + 1);
      const items = (perFilter.get(filter) ?? []).filter((r) => metric in r.row).map((r) => plain(r.row[metric]));
      const agg = scoring.aggregationFor(metric);
      entry[key] = agg.aggregate(items);
      entry[`${metric}_stderr,${filter}`] = stderrOf(agg, metric, items, bootstrapIters);
      sampleLen = items.length;
    }
    if (latest && 'sample_len' in entry) entry.sample_len = sampleLen;
    // keep the template's key order (name, alias, sample_len, metric, stderr, ...)
    const orderedEntry: Record<string, unknown> = {};
    for (const k of Object.keys(entryTemplate)) orderedEntry[k] = entry[k];
    for (const k of Object.keys(entry)) if (!(k in orderedEntry)) orderedEntry[k] = entry[k];
    base.results[task] = orderedEntry;
    taskEntries.set(task, orderedEntry);
    const docs = perFilter.get(filters[0])?.length ?? 0;
    sampleLens.set(task, latest ? sampleLen : docs);
    if (base['n-samples']?.[task]) base['n-samples'][task].effective = latest ? sampleLen : docs;
    if (base.task_hashes && task in base.task_hashes) base.task_hashes[task] = taskHash(ordered.map((r) => r.row));
    files.push(samplesFile);
  }

  // group aggregates from the merged task entries (children before parents)
  const aggregated = Object.keys(base.groups ?? {});
  const subtasks = (base.group_subtasks ?? {}) as Record<string, string[]>;
  const leavesOf = (name: string): string[] => (subtasks[name] && subtasks[name].length ? subtasks[name].flatMap(leavesOf) : taskEntries.has(name) ? [name] : []);
  const depth = (name: string): number => {
    let d = 0;
    for (let p = Object.keys(subtasks).find((g) => subtasks[g].includes(name)); p; p = Object.keys(subtasks).find((g) => subtasks[g].includes(p!))) d++;
    return d;
  };
  for (const g of [...aggregated].sort((a, b) => depth(b) - depth(a))) {
    const def = loadedGroups.get(g);
    const list = def?.config?.aggregate_metric_list as GroupAggMetric[] | null | undefined;
    if (!list) throw new LmEvalError(`merge: group '${g}' is not in the task index, so its aggregate cannot be recomputed`, 'give the task folder the shards used with --include_path');
    const leaves: LeafResult[] = leavesOf(g).map((n) => ({ name: n, results: taskEntries.get(n)!, sampleLen: sampleLens.get(n) ?? 0 }));
    const agg = aggregateGroup(g, list, leaves, profile);
    const entry = groupEntry(g, def.config.group_alias, agg, profile);
    const alias = (base.results?.[g] as Record<string, unknown> | undefined)?.alias;
    if (alias !== undefined) entry.alias = alias;
    base.results[g] = entry;
    const gAlias = (base.groups[g] as Record<string, unknown>).alias;
    base.groups[g] = { ...entry, ...(gAlias !== undefined ? { alias: gAlias } : {}) };
  }

  const resultsFile = path.join(outDir, path.basename(shards[0].file));
  writeFileSync(resultsFile, serializeResults(base));
  return [resultsFile, ...files];
}

/** Results files of a shard output, by family key (relative folder + task list). */
function families(input: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of findFiles(input, /^results_.*\.json$/)) {
    const r = parsePyJson(readFileSync(f, 'utf8')) as Record<string, any>;
    const key = `${path.relative(input, path.dirname(f))}|${Object.keys(r.configs ?? {}).sort().join(',')}`;
    const prev = out.get(key);
    // several runs of the same tasks in one folder: the latest
    if (!prev || path.basename(f) > path.basename(prev)) out.set(key, f);
  }
  return out;
}

async function mergeTree(inputs: string[], outRoot: string, options: MergeOptions, only?: (rel: string) => boolean): Promise<string[]> {
  const byInput = inputs.map((i) => families(i));
  const keys = [...new Set(byInput.flatMap((m) => [...m.keys()]))].filter((k) => !only || only(k.slice(0, k.indexOf('|'))));
  const files: string[] = [];
  for (const key of keys.sort()) {
    const rel = key.slice(0, key.indexOf('|'));
    const missing = inputs.filter((_, i) => !byInput[i].has(key));
    if (missing.length) throw new LmEvalError(`merge: '${rel || '.'}' (tasks ${key.slice(key.indexOf('|') + 1)}) is missing from ${missing.join(', ')}`, 'every shard must have finished the same runs');
    const shards = inputs.map((input, i) => readShardResults(input, byInput[i].get(key)!));
    files.push(...(await mergeFamily(shards, path.join(outRoot, rel), options)));
  }
  return files;
}

export async function mergeShards(inputs: string[], options: MergeOptions): Promise<MergeOutput> {
  if (inputs.length === 0) throw new LmEvalError('merge: no shard output folders given', 'lm-eval merge DIR1 DIR2 ... --output_path OUT');
  for (const i of inputs) {
    if (!existsSync(i) || !statSync(i).isDirectory()) throw new LmEvalError(`merge: '${i}' is not a folder`, 'give the --output_path folders of the shard runs');
  }
  if (inputs.some((i) => path.resolve(i) === path.resolve(options.outputPath))) throw new LmEvalError('merge: --output_path must be a new folder, not one of the shards');
  const manifests = inputs.map((i) => (existsSync(path.join(i, MANIFEST)) ? (JSON.parse(readFileSync(path.join(i, MANIFEST), 'utf8')) as Record<string, any>) : null));
  if (manifests.some((m) => m) && manifests.some((m) => !m)) {
    throw new LmEvalError('merge: some folders are experiment-set outputs and others are not', `experiment sets have ${MANIFEST}: ${inputs.filter((_, i) => manifests[i]).join(', ')}`);
  }

  if (manifests[0]) {
    checkComplete(inputs.map((input, i) => ({ input, shard: parseShardText(manifests[i]!.shard, `'${input}'`) })), 'merge');
    const first = manifests[0];
    for (const [i, m] of manifests.entries()) {
      const ids = (m!.experiments as Array<{ id: string }>).map((e) => e.id).join(',');
      if (ids !== (first.experiments as Array<{ id: string }>).map((e) => e.id).join(',')) throw new LmEvalError(`merge: '${inputs[i]}' ran a different experiment list than '${inputs[0]}'`, 'shards must run the same experiment file');
    }
    const finished = (first.experiments as Array<Record<string, any>>).filter((e) => inputs.every((input) => existsSync(path.join(input, e.id, MARKER))));
    const unfinished = (first.experiments as Array<Record<string, any>>).filter((e) => !finished.includes(e));
    if (unfinished.length) options.log?.(`not merged (unfinished in some shard): ${unfinished.map((e) => e.id).join(', ')}`);
    const ids = new Set(finished.map((e) => e.id as string));
    const files = await mergeTree(inputs, options.outputPath, options, (rel) => ids.has(rel.split(path.sep)[0]));
    // markers and manifest as an unsharded run writes them (a later unsharded run skips these)
    for (const e of finished) {
      const desc = { ...e, shard: null };
      const dir = path.join(options.outputPath, e.id);
      mkdirSync(dir, { recursive: true });
      const expFiles = files.filter((f) => f.startsWith(dir + path.sep)).map((f) => path.relative(dir, f));
      writeFileSync(path.join(dir, MARKER), JSON.stringify({ ...desc, fingerprint: experimentFingerprint(desc), files: expFiles, merged_from: inputs.length }, null, 2) + '\n');
    }
    writeFileSync(path.join(options.outputPath, MANIFEST), JSON.stringify({ ...first, shard: null, experiments: first.experiments.map((e: Record<string, unknown>) => ({ ...e, shard: null })) }, null, 2) + '\n');
    return { files, experimentSet: true };
  }

  // plain runs: each results file has a shard sidecar
  const shardOf = (input: string): ShardInfo => {
    const side = findFiles(input, new RegExp(`^${SHARD_SIDECAR_PREFIX}.*\\.json$`));
    if (side.length === 0) throw new LmEvalError(`merge: '${input}' is not the output of a sharded run (no ${SHARD_SIDECAR_PREFIX}*.json)`, 'run with --shard i/n --log_samples --output_path DIR');
    const infos = side.map((f) => parseShardText((JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>).shard, f));
    if (infos.some((s) => s.index !== infos[0].index || s.count !== infos[0].count)) throw new LmEvalError(`merge: '${input}' holds outputs of different shards`);
    return infos[0];
  };
  checkComplete(inputs.map((input) => ({ input, shard: shardOf(input) })), 'merge');
  const files = await mergeTree(inputs, options.outputPath, options);
  return { files, experimentSet: false };
}

/** Records the shard of a plain run next to its results file (read by mergeShards). */
export function writeShardSidecar(resultsFile: string, shard: { index: number; count: number }): string {
  const date = DATE_RE.exec(path.basename(resultsFile))?.[1] ?? 'run';
  const f = path.join(path.dirname(resultsFile), `${SHARD_SIDECAR_PREFIX}${date}.json`);
  writeFileSync(f, JSON.stringify({ shard: `${shard.index}/${shard.count}`, results: path.basename(resultsFile) }, null, 2) + '\n');
  return f;
}
