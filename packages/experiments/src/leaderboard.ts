/**
 * The leaderboard: runs grouped by experiment name (repeats together), models as rows sorted by a
 * main metric, tasks/metrics as columns. A cell is `mean ± std` over repeats (sample standard
 * deviation), or `value ± stderr` (lm-eval's) for a single run. Then one table per task.
 *
 * Answer metrics of a run with generation repeats (`lm-eval answers --repeat`, a task's
 * `repeats:`) count their per-repeat means as repeats: such a run contributes one value per
 * generation repeat instead of its overall value.
 */
import type { RunRecord } from './results-reader.ts';

export interface Column {
  task: string;
  /** "metric,filter" */
  key: string;
  metric: string;
  filter: string;
  higherIsBetter: boolean | null;
}

export interface Cell {
  mean: number | null;
  /** std over repeats (n > 1), else null */
  std: number | null;
  /** lm-eval stderr (n = 1) */
  stderr: number | null;
  /** one per repeat: each run's value, or each generation repeat's mean (answer metrics) */
  values: Array<number | null>;
}

export interface LeaderboardRow {
  name: string;
  model: string;
  runs: RunRecord[];
  cells: Map<string, Cell>;
}

export interface Leaderboard {
  columns: Column[];
  rows: LeaderboardRow[];
  main: Column | null;
}

export const colId = (c: Pick<Column, 'task' | 'key'>): string => `${c.task}|${c.key}`;

export function columnLabel(c: Column): string {
  return `${c.task} ${c.metric}${c.filter !== 'none' ? ` (${c.filter})` : ''}`;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1), as EvalAP and pandas report it. */
export function sampleStd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Finds the column a `metric`, `task/metric` or `task/metric,filter` names. */
export function findColumn(columns: Column[], spec: string | null | undefined): Column | null {
  if (!spec) return columns[0] ?? null;
  const slash = spec.lastIndexOf('/');
  const task = slash >= 0 ? spec.slice(0, slash) : null;
  const m = slash >= 0 ? spec.slice(slash + 1) : spec;
  return (
    columns.find((c) => (task === null || c.task === task) && (c.key === m || c.metric === m)) ?? null
  );
}

/** A run's values for a column: its generation repeats' means when it has several, else its value. */
function runValues(r: RunRecord, c: Column): Array<number | null> {
  const perRepeat = r.repeatValues.get(c.task)?.get(c.key);
  if (perRepeat && perRepeat.length > 1) return perRepeat;
  return [r.metrics.get(c.task)?.get(c.key)?.value ?? null];
}

export function buildLeaderboard(runs: RunRecord[], mainMetric?: string | null): Leaderboard {
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (const r of runs) {
    for (const [task, metrics] of r.metrics) {
      for (const key of metrics.keys()) {
        const id = `${task}|${key}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const comma = key.indexOf(',');
        const metric = key.slice(0, comma);
        columns.push({ task, key, metric, filter: key.slice(comma + 1), higherIsBetter: r.higherIsBetter.get(task)?.[metric] ?? null });
      }
    }
  }
  columns.sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : 0));
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    if (!groups.has(r.name)) groups.set(r.name, []);
    groups.get(r.name)!.push(r);
  }
  const rows: LeaderboardRow[] = [];
  for (const [name, rs] of groups) {
    rs.sort((a, b) => a.repeat - b.repeat);
    const cells = new Map<string, Cell>();
    for (const c of columns) {
      const vals = rs.flatMap((r) => runValues(r, c));
      const present = vals.filter((v): v is number => v !== null && !Number.isNaN(v));
      if (present.length === 0) continue;
      cells.set(colId(c), {
        mean: mean(present),
        std: present.length > 1 ? sampleStd(present) : null,
        stderr: present.length === 1 && vals.length === 1 ? rs[0].metrics.get(c.task)?.get(c.key)?.stderr ?? null : null,
        values: vals,
      });
    }
    rows.push({ name, model: rs[0].model, runs: rs, cells });
  }
  const main = findColumn(columns, mainMetric);
  if (main) {
    const dir = main.higherIsBetter === false ? 1 : -1;
    rows.sort((a, b) => {
      const x = a.cells.get(colId(main))?.mean ?? null;
      const y = b.cells.get(colId(main))?.mean ?? null;
      if (x === null && y === null) return a.name < b.name ? -1 : 1;
      if (x === null) return 1;
      if (y === null) return -1;
      return x === y ? (a.name < b.name ? -1 : 1) : dir * (x - y);
    });
  }
  return { columns, rows, main };
}

export function formatCell(cell: Cell | undefined): string {
  if (!cell || cell.mean === null) return '—';
  const v = cell.mean.toFixed(4);
  if (cell.std !== null) return `${v} ± ${cell.std.toFixed(4)}`;
  if (cell.stderr !== null && Number.isFinite(cell.stderr)) return `${v} ± ${cell.stderr.toFixed(4)}`;
  return v;
}

const esc = (s: string) => s.replace(/\|/g, '\\|');

export function renderLeaderboardMarkdown(board: Leaderboard, title = 'Leaderboard'): string {
  const { columns, rows, main } = board;
  const lines: string[] = [`# ${title}`, ''];
  if (rows.length === 0) return lines.concat('No finished runs yet.', '').join('\n');
  const repeats = Math.max(...rows.flatMap((r) => [r.runs.length, ...[...r.cells.values()].map((c) => c.values.length)]));
  const generationRepeats = rows.some((r) => [...r.cells.values()].some((c) => c.values.length > r.runs.length));
  lines.push(
    `Sorted by **${main ? esc(columnLabel(main)) : '—'}** (${main?.higherIsBetter === false ? 'lower' : 'higher'} is better). ` +
      (repeats > 1
        ? `Cells: mean ± standard deviation over repeats (sample std${generationRepeats ? "; answer metrics of a run with generation repeats: over those repeats' means" : ''}); a single run shows lm-eval's stderr.`
        : "Cells: value ± lm-eval's standard error."),
    '',
  );
  const arrow = (c: Column) => (c.higherIsBetter === true ? ' ↑' : c.higherIsBetter === false ? ' ↓' : '');
  lines.push(`| # | experiment | model | runs | ${columns.map((c) => esc(columnLabel(c)) + arrow(c)).join(' | ')} |`);
  lines.push(`|--:|---|---|--:|${columns.map(() => '---:').join('|')}|`);
  rows.forEach((r, i) => {
    lines.push(`| ${i + 1} | ${esc(r.name)} | ${esc(r.model)} | ${r.runs.length} | ${columns.map((c) => formatCell(r.cells.get(colId(c)))).join(' | ')} |`);
  });
  const tasks = [...new Set(columns.map((c) => c.task))];
  for (const task of tasks) {
    const cols = columns.filter((c) => c.task === task);
    lines.push('', `## ${esc(task)}`, '');
    lines.push(`| experiment | model | ${cols.map((c) => esc(c.metric + (c.filter !== 'none' ? ` (${c.filter})` : '')) + arrow(c)).join(' | ')} |`);
    lines.push(`|---|---|${cols.map(() => '---:').join('|')}|`);
    const sorted = [...rows].filter((r) => cols.some((c) => r.cells.has(colId(c))));
    const first = cols[0];
    const dir = first.higherIsBetter === false ? 1 : -1;
    const key = (r: LeaderboardRow) => r.cells.get(colId(first))?.mean ?? dir * Infinity;
    sorted.sort((a, b) => dir * (key(a) - key(b)) || (a.name < b.name ? -1 : 1));
    for (const r of sorted) lines.push(`| ${esc(r.name)} | ${esc(r.model)} | ${cols.map((c) => formatCell(r.cells.get(colId(c)))).join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
