/**
 * Reads lm-eval output (ours or Python's): an experiment-set folder (with experiments.json), any
 * folder holding results_*.json files (searched recursively), or single results files. Each
 * folder of results files is one run; results files in one folder are read together (later
 * files win for a task that appears twice).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { LmEvalError } from '@lm-eval/core';
import { parsePyJson } from '@lm-eval/core/python';
import { MANIFEST, MARKER } from './run-experiments.ts';

export interface MetricValue {
  value: number | null;
  stderr: number | null;
}

export interface RunRecord {
  /** unique label (experiment id or folder) */
  id: string;
  /** what repeats share (experiment name; the run's label otherwise) */
  name: string;
  model: string;
  repeat: number;
  /** the folder holding the results files */
  dir: string;
  resultFiles: string[];
  /** task -> "metric,filter" -> value and stderr */
  metrics: Map<string, Map<string, MetricValue>>;
  /** task -> metric -> higher is better */
  higherIsBetter: Map<string, Record<string, boolean | null>>;
  /**
   * task -> "metric,filter" -> the mean of each generation repeat, for answer metrics of a run
   * with repeats (`answer_metrics.<task>.<metric>.per_repeat` of `lm-eval answers` / `repeats:`)
   */
  repeatValues: Map<string, Map<string, Array<number | null>>>;
  /** task -> samples file (latest) */
  samplesFiles: Map<string, string>;
  /** the results files' contents (latest last) */
  results: Array<Record<string, unknown>>;
  /** the experiment description (experiment sets only) */
  experiment?: Record<string, unknown>;
}

function toNum(v: unknown): number | null {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean') return null;
  return Number(v);
}

function findResultFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/^results.*\.json$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function readJson(file: string): Record<string, unknown> {
  try {
    return parsePyJson(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new LmEvalError(`cannot read results file ${file}: ${(e as Error).message}`);
  }
}

/** The date part of results_<date>.json / samples_<task>_<date>.jsonl. */
function dateOf(file: string): string {
  const m = /_(\d{4}-\d\d-\d\dT[\d\-.]+)\.jsonl?$/.exec(path.basename(file));
  return m ? m[1] : '';
}

function buildRecord(id: string, name: string, repeat: number, dir: string, files: string[], experiment?: Record<string, unknown>): RunRecord {
  const sorted = [...files].sort((a, b) => (dateOf(a) < dateOf(b) ? -1 : dateOf(a) > dateOf(b) ? 1 : 0));
  const rec: RunRecord = { id, name, model: '', repeat, dir, resultFiles: sorted, metrics: new Map(), repeatValues: new Map(), higherIsBetter: new Map(), samplesFiles: new Map(), results: [], experiment };
  for (const f of sorted) {
    const r = readJson(f);
    rec.results.push(r);
    if (!rec.model) rec.model = String((experiment?.model as Record<string, unknown> | undefined)?.name ?? r.model_name ?? (r.config as Record<string, unknown> | undefined)?.model ?? '');
    const results = (r.results ?? {}) as Record<string, Record<string, unknown>>;
    for (const [task, entry] of Object.entries(results)) {
      const m = new Map<string, MetricValue>();
      for (const [k, v] of Object.entries(entry)) {
        const comma = k.indexOf(',');
        if (comma < 0 || k.slice(0, comma).endsWith('_stderr')) continue;
        const metric = k.slice(0, comma);
        const filter = k.slice(comma + 1);
        m.set(k, { value: toNum(v), stderr: toNum(entry[`${metric}_stderr,${filter}`]) });
      }
      if (m.size) rec.metrics.set(task, m);
      rec.repeatValues.delete(task); // a later file's task replaces the earlier one, repeats included
    }
    for (const [task, summary] of Object.entries((r.answer_metrics ?? {}) as Record<string, Record<string, { per_repeat?: unknown }>>)) {
      const keys = [...(rec.metrics.get(task)?.keys() ?? [])];
      const perKey = new Map<string, Array<number | null>>();
      for (const [metric, s] of Object.entries(summary ?? {})) {
        if (!Array.isArray(s?.per_repeat)) continue;
        const key = keys.find((k) => k.slice(0, k.indexOf(',')) === metric);
        if (key) perKey.set(key, s.per_repeat.map(toNum));
      }
      rec.repeatValues.set(task, perKey);
    }
    for (const [task, hib] of Object.entries((r.higher_is_better ?? {}) as Record<string, Record<string, boolean | null>>)) rec.higherIsBetter.set(task, hib);
    const fdir = path.dirname(f);
    const date = dateOf(f);
    for (const s of readdirSync(fdir)) {
      const m = /^samples_(.+)_(\d{4}-\d\d-\d\dT[\d\-.]+)\.jsonl$/.exec(s);
      if (m && m[2] === date) rec.samplesFiles.set(m[1], path.join(fdir, s));
    }
  }
  return rec;
}

export function readRuns(inputs: string[]): RunRecord[] {
  const out: RunRecord[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) throw new LmEvalError(`'${input}' does not exist`, 'give lm-eval output folders or results_*.json files');
    if (statSync(input).isFile()) {
      const label = path.basename(path.dirname(path.resolve(input)));
      out.push(buildRecord(`${label}/${path.basename(input)}`, label, 0, path.dirname(input), [input]));
      continue;
    }
    const manifestFile = path.join(input, MANIFEST);
    if (existsSync(manifestFile)) {
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { experiments: Array<Record<string, unknown>> };
      for (const e of manifest.experiments) {
        const dir = path.join(input, String(e.id));
        if (!existsSync(path.join(dir, MARKER))) continue; // not finished
        const files = findResultFiles(dir);
        if (files.length) out.push(buildRecord(String(e.id), String(e.name), Number(e.repeat ?? 0), dir, files, e));
      }
      continue;
    }
    const files = findResultFiles(input);
    if (files.length === 0) throw new LmEvalError(`no results_*.json files under '${input}'`, 'give the --output_path of an lm-eval run');
    const byDir = new Map<string, string[]>();
    for (const f of files) {
      const d = path.dirname(f);
      if (!byDir.has(d)) byDir.set(d, []);
      byDir.get(d)!.push(f);
    }
    for (const [d, fs] of byDir) {
      const rel = path.relative(input, d);
      const label = rel === '' ? path.basename(path.resolve(input)) : rel.split(path.sep).join('/');
      out.push(buildRecord(label, label, 0, d, fs));
    }
  }
  // labels that collide get their parent folder's name (arc_easy/out, gsm8k/out), then a number
  const counts = new Map<string, number>();
  for (const r of out) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
  const ids = new Set<string>();
  for (const r of out) {
    let id = r.id;
    if ((counts.get(id) ?? 0) > 1 && !r.experiment) id = `${path.basename(path.dirname(path.resolve(r.dir)))}/${id}`;
    for (let k = 2; ids.has(id); k++) id = `${r.id}#${k}`;
    if (!r.experiment) r.name = id;
    r.id = id;
    ids.add(id);
  }
  return out;
}
