/**
 * `lm-eval compare A B`: two runs on the same documents, per task and metric — both means, the
 * difference B − A over the paired documents with a 95% interval, a paired significance test,
 * and the documents whose outcome flipped. Pairs are (task, filter, doc_id) present in both
 * runs' samples. Binary metrics (every value 0 or 1) use McNemar's exact test (two-sided binomial
 * on the discordant pairs); other per-document numbers a paired sign-flip permutation test (10,000
 * seeded permutations). Corpus-level metrics (per-document tuples such as f1, bleu, perplexities)
 * have no per-document difference and are listed as not paired.
 */
import { readFileSync } from 'node:fs';
import { LmEvalError } from '@lm-eval/core';
import { PyRandom, PyFloat, parsePyJson } from '@lm-eval/core/python';
import type { RunRecord } from './results-reader.ts';

export interface Flip {
  doc_id: number;
  a: number;
  b: number;
  a_answer: string;
  b_answer: string;
}

export interface MetricComparison {
  task: string;
  metric: string;
  filter: string;
  /** paired documents */
  n: number;
  meanA: number | null;
  meanB: number | null;
  diff: number | null;
  ci95: [number, number] | null;
  pValue: number | null;
  test: 'mcnemar-exact' | 'paired-permutation' | 'not paired (corpus-level metric)' | 'no paired documents';
  /** documents where A scored higher / B scored higher */
  worse: number;
  better: number;
  flips: Flip[];
}

export interface Comparison {
  a: string;
  b: string;
  metrics: MetricComparison[];
  /** tasks only one of the runs has */
  onlyA: string[];
  onlyB: string[];
}

function num(v: unknown): number | null {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

function answer(row: Record<string, unknown>): string {
  const f = row.filtered_resps;
  const s = typeof f === 'string' ? f : JSON.stringify(Array.isArray(f) && f.length === 1 ? f[0] : f);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

interface Row {
  filter: string;
  doc_id: number;
  row: Record<string, unknown>;
}

function readRows(file: string, filtersInOrder: string[]): Row[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const rows = lines.map((l) => parsePyJson(l) as Record<string, unknown>);
  const hasFilter = rows.every((r) => typeof r.filter === 'string');
  const block = filtersInOrder.length ? rows.length / filtersInOrder.length : rows.length;
  return rows.map((row, i) => ({ filter: hasFilter ? (row.filter as string) : filtersInOrder[Math.floor(i / block)] ?? 'none', doc_id: Number(row.doc_id), row }));
}

/** log C(n, k) */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** Two-sided exact binomial p-value for k of n at p = 1/2 (McNemar's exact test). */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/** Paired sign-flip permutation test of mean(d) = 0 (two-sided), seeded. */
export function pairedPermutation(d: number[], iterations = 10000, seed = 1234): number {
  const n = d.length;
  if (n === 0) return 1;
  const observed = Math.abs(d.reduce((a, b) => a + b, 0));
  if (observed === 0) return 1;
  const rnd = new PyRandom(seed);
  let extreme = 0;
  for (let it = 0; it < iterations; it++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rnd.random() < 0.5 ? -d[i] : d[i];
    if (Math.abs(s) >= observed - 1e-12) extreme++;
  }
  return (extreme + 1) / (iterations + 1);
}

function filtersOf(run: RunRecord, task: string): string[] {
  const out: string[] = [];
  for (const k of run.metrics.get(task)?.keys() ?? []) {
    const f = k.slice(k.indexOf(',') + 1);
    if (!out.includes(f)) out.push(f);
  }
  return out.length ? out : ['none'];
}

export function compareRuns(a: RunRecord, b: RunRecord, options: { maxFlips?: number } = {}): Comparison {
  const maxFlips = options.maxFlips ?? 20;
  const tasksA = [...a.metrics.keys()];
  const tasksB = [...b.metrics.keys()];
  const common = tasksA.filter((t) => tasksB.includes(t));
  const out: MetricComparison[] = [];
  for (const task of common) {
    const fa = a.samplesFiles.get(task);
    const fb = b.samplesFiles.get(task);
    const keys = [...(a.metrics.get(task)?.keys() ?? [])].filter((k) => b.metrics.get(task)?.has(k));
    if (!fa || !fb) {
      for (const key of keys) {
        const [metric, filter] = [key.slice(0, key.indexOf(',')), key.slice(key.indexOf(',') + 1)];
        const ma = a.metrics.get(task)!.get(key)!.value;
        const mb = b.metrics.get(task)!.get(key)!.value;
        out.push({ task, metric, filter, n: 0, meanA: ma, meanB: mb, diff: ma !== null && mb !== null ? mb - ma : null, ci95: null, pValue: null, test: 'no paired documents', worse: 0, better: 0, flips: [] });
      }
      continue;
    }
    const rowsA = readRows(fa, filtersOf(a, task));
    const rowsB = readRows(fb, filtersOf(b, task));
    const byKey = new Map(rowsB.map((r) => [`${r.filter}|${r.doc_id}`, r]));
    for (const key of keys) {
      const metric = key.slice(0, key.indexOf(','));
      const filter = key.slice(key.indexOf(',') + 1);
      const pairs: Array<[Row, Row]> = [];
      for (const r of rowsA) {
        if (r.filter !== filter || !(metric in r.row)) continue;
        const o = byKey.get(`${filter}|${r.doc_id}`);
        if (o && metric in o.row) pairs.push([r, o]);
      }
      const va = pairs.map(([x]) => num(x.row[metric]));
      const vb = pairs.map(([, y]) => num(y.row[metric]));
      const base: MetricComparison = { task, metric, filter, n: pairs.length, meanA: null, meanB: null, diff: null, ci95: null, pValue: null, test: 'no paired documents', worse: 0, better: 0, flips: [] };
      if (pairs.length === 0) {
        out.push(base);
        continue;
      }
      if (va.some((v) => v === null) || vb.some((v) => v === null)) {
        out.push({ ...base, meanA: a.metrics.get(task)!.get(key)!.value, meanB: b.metrics.get(task)!.get(key)!.value, test: 'not paired (corpus-level metric)' });
        continue;
      }
      const xa = va as number[];
      const xb = vb as number[];
      const d = xb.map((v, i) => v - xa[i]);
      const n = d.length;
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      const md = mean(d);
      const sd = n > 1 ? Math.sqrt(d.reduce((s, x) => s + (x - md) ** 2, 0) / (n - 1)) : 0;
      const se = sd / Math.sqrt(n);
      const binary = [...xa, ...xb].every((v) => v === 0 || v === 1);
      const better = d.filter((x) => x > 0).length;
      const worse = d.filter((x) => x < 0).length;
      const flips: Flip[] = [];
      pairs.forEach(([x, y], i) => {
        if (d[i] !== 0 && flips.length < maxFlips) flips.push({ doc_id: x.doc_id, a: xa[i], b: xb[i], a_answer: answer(x.row), b_answer: answer(y.row) });
      });
      out.push({
        ...base,
        meanA: mean(xa),
        meanB: mean(xb),
        diff: md,
        ci95: [md - 1.96 * se, md + 1.96 * se],
        pValue: binary ? mcnemarExact(better, worse) : pairedPermutation(d),
        test: binary ? 'mcnemar-exact' : 'paired-permutation',
        worse,
        better,
        flips,
      });
    }
  }
  return { a: a.id, b: b.id, metrics: out, onlyA: tasksA.filter((t) => !common.includes(t)), onlyB: tasksB.filter((t) => !common.includes(t)) };
}

const f4 = (v: number | null) => (v === null ? '—' : v.toFixed(4));
const signed = (v: number | null) => (v === null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(4)}`);
const pText = (p: number | null) => (p === null ? '—' : p < 0.0001 ? '<0.0001' : p.toFixed(4));

export function renderComparison(c: Comparison): string {
  const lines = [`# ${c.b} vs ${c.a}`, '', 'B − A over documents scored in both runs; p: McNemar exact (binary metrics) or paired permutation test.', ''];
  lines.push('| task | metric | filter | n | A | B | B − A | 95% CI | p | test | B better / worse |');
  lines.push('|---|---|---|--:|--:|--:|--:|---|--:|---|--:|');
  for (const m of c.metrics) {
    const ci = m.ci95 ? `[${signed(m.ci95[0])}, ${signed(m.ci95[1])}]` : '—';
    lines.push(`| ${m.task} | ${m.metric} | ${m.filter} | ${m.n} | ${f4(m.meanA)} | ${f4(m.meanB)} | ${signed(m.diff)} | ${ci} | ${pText(m.pValue)} | ${m.test} | ${m.better} / ${m.worse} |`);
  }
  if (c.onlyA.length) lines.push('', `Only in A: ${c.onlyA.join(', ')}`);
  if (c.onlyB.length) lines.push('', `Only in B: ${c.onlyB.join(', ')}`);
  const flipped = c.metrics.filter((m) => m.flips.length);
  if (flipped.length) {
    lines.push('', '## Flipped documents');
    for (const m of flipped) {
      lines.push('', `### ${m.task} ${m.metric} (${m.filter}): ${m.better + m.worse} changed${m.flips.length < m.better + m.worse ? `, first ${m.flips.length} shown` : ''}`, '');
      lines.push('| doc_id | A | B | A answer | B answer |', '|--:|--:|--:|---|---|');
      for (const f of m.flips) lines.push(`| ${f.doc_id} | ${f.a} | ${f.b} | ${f.a_answer.replace(/\|/g, '\\|').replace(/\n/g, '⏎')} | ${f.b_answer.replace(/\|/g, '\\|').replace(/\n/g, '⏎')} |`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The one run a path names (a results file or a folder holding one run). */
export function singleRun(runs: RunRecord[], input: string): RunRecord {
  if (runs.length !== 1) {
    throw new LmEvalError(`compare: '${input}' holds ${runs.length} runs (${runs.slice(0, 5).map((r) => r.id).join(', ')}${runs.length > 5 ? ', …' : ''})`, 'give one run: its folder or its results_*.json file');
  }
  return runs[0];
}
