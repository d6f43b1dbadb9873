/**
 * What report.html shows, as one JSON object embedded in the page: the leaderboard (columns,
 * rows, cells with every repeat's value), each run's details (config, versions, chat template
 * hash, timings, token counts) and, per task, a bounded number of samples per run (prompt,
 * response, filtered answer, target, per-sample metrics) for the sample browser.
 */
import { readFileSync } from 'node:fs';
import { parsePyJson, pyStr } from '@lm-eval/core/python';
import { colId, columnLabel, type Leaderboard } from './leaderboard.ts';
import type { RunRecord } from './results-reader.ts';

export interface ReportSample {
  doc_id: number;
  filter: string;
  prompt: string;
  target: string;
  response: string;
  filtered: string;
  metrics: Record<string, unknown>;
}

export interface ReportData {
  title: string;
  generated: string;
  main: string | null;
  columns: Array<{ id: string; task: string; key: string; metric: string; filter: string; label: string; higherIsBetter: boolean | null }>;
  rows: Array<{ name: string; model: string; runs: string[]; cells: Record<string, { mean: number | null; std: number | null; stderr: number | null; values: Array<number | null> }> }>;
  runs: Array<{ id: string; name: string; model: string; repeat: number; details: Record<string, unknown> }>;
  /** task -> run id -> samples */
  samples: Record<string, Record<string, ReportSample[]>>;
  /** samples left out per task (beyond the limit) */
  truncated: Record<string, number>;
}

const MAX_TEXT = 4000;

function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}… [${s.length - MAX_TEXT} more characters]` : s;
}

/** Finite numbers only: JSON has no NaN/Infinity (they show as missing). */
function finite(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : v;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length === 1) return text(v[0]);
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x));
}

function promptOf(row: Record<string, unknown>): string {
  const args = row.arguments as Record<string, Record<string, unknown>> | unknown[] | undefined;
  if (!args) return '';
  const first = Array.isArray(args) ? args[0] : Object.values(args)[0];
  const arg0 = Array.isArray(first) ? first[0] : (first as Record<string, unknown> | undefined)?.arg_0;
  return typeof arg0 === 'string' ? arg0 : text(arg0);
}

function runDetails(r: RunRecord): Record<string, unknown> {
  const last = (r.results[r.results.length - 1] ?? {}) as Record<string, any>;
  const tokens: Record<string, unknown> = {};
  for (const k of ['api_requests', 'token_counts', 'reasoning']) if (k in last) tokens[k] = last[k];
  return {
    folder: r.dir,
    results_files: r.resultFiles,
    model_name: last.model_name ?? null,
    config: last.config ?? null,
    versions: last.versions ?? null,
    'n-shot': last['n-shot'] ?? null,
    'n-samples': Object.assign({}, ...r.results.map((x: any) => x['n-samples'] ?? {})),
    lm_eval_version: last.lm_eval_version ?? null,
    transformers_version: last.transformers_version ?? null,
    git_hash: last.git_hash ?? null,
    system_instruction: last.system_instruction ?? null,
    chat_template_sha: last.chat_template_sha ?? null,
    fewshot_as_multiturn: last.fewshot_as_multiturn ?? null,
    total_evaluation_time_seconds: r.results.map((x: any) => x.total_evaluation_time_seconds ?? null),
    date: last.date ?? null,
    ...(Object.keys(tokens).length ? { tokens } : {}),
    ...(r.experiment ? { experiment: r.experiment } : {}),
  };
}

/** Plain JSON (PyFloat -> number, bigint -> number, NaN -> null). */
function plainJson(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : typeof x === 'number' && !Number.isFinite(x) ? null : x)));
}

export function buildReportData(runs: RunRecord[], board: Leaderboard, options: { title?: string; maxSamples?: number } = {}): ReportData {
  const maxSamples = options.maxSamples ?? 200;
  const samples: ReportData['samples'] = {};
  const truncated: Record<string, number> = {};
  for (const r of runs) {
    for (const [task, file] of r.samplesFiles) {
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      if (lines.length > maxSamples) truncated[task] = Math.max(truncated[task] ?? 0, lines.length - maxSamples);
      const out: ReportSample[] = [];
      for (const line of lines.slice(0, maxSamples)) {
        const row = parsePyJson(line) as Record<string, unknown>;
        const metricNames = Array.isArray(row.metrics) ? (row.metrics as string[]) : [...(r.metrics.get(task)?.keys() ?? [])].map((k) => k.slice(0, k.indexOf(',')));
        const metrics: Record<string, unknown> = {};
        for (const m of metricNames) if (m in row) metrics[m] = plainJson(row[m]);
        out.push({
          doc_id: Number(row.doc_id),
          filter: typeof row.filter === 'string' ? row.filter : 'none',
          prompt: clip(promptOf(row)),
          target: clip(pyStr(row.target ?? '')),
          response: clip(text(row.resps)),
          filtered: clip(text(row.filtered_resps)),
          metrics,
        });
      }
      (samples[task] ??= {})[r.id] = out;
    }
  }
  return {
    title: options.title ?? 'Leaderboard',
    generated: new Date().toISOString(),
    main: board.main ? colId(board.main) : null,
    columns: board.columns.map((c) => ({ id: colId(c), task: c.task, key: c.key, metric: c.metric, filter: c.filter, label: columnLabel(c), higherIsBetter: c.higherIsBetter })),
    rows: board.rows.map((row) => ({
      name: row.name,
      model: row.model,
      runs: row.runs.map((r) => r.id),
      cells: Object.fromEntries(
        [...row.cells].map(([k, c]) => [k, { mean: finite(c.mean), std: finite(c.std), stderr: finite(c.stderr), values: c.values.map((v) => finite(v)) }]),
      ),
    })),
    runs: runs.map((r) => ({ id: r.id, name: r.name, model: r.model, repeat: r.repeat, details: plainJson(runDetails(r)) as Record<string, unknown> })),
    samples,
    truncated,
  };
}
