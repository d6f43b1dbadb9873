/**
 * Commands over finished outputs: `lm-eval merge` (shards -> one run), `lm-eval report` (any
 * lm-eval outputs -> leaderboard.md, report.html), `lm-eval compare` (two runs, paired).
 */
import { LmEvalError } from '@lm-eval/core';
import { writeFileSync } from 'node:fs';
import { compareRuns, mergeShards, readRuns, renderComparison, singleRun, writeReports } from '@lm-eval/experiments';
import { Reporter } from './progress.ts';
import { asList } from './ls.ts';

export async function mergeCommand(inputs: string[], opts: Record<string, unknown>): Promise<void> {
  const reporter = new Reporter(undefined);
  const outputPath = opts.output_path as string | undefined;
  if (!outputPath) throw new LmEvalError('merge needs --output_path', 'add --output_path <new folder>');
  const out = await mergeShards(inputs, { outputPath, includePath: asList(opts.include_path), log: (m) => reporter.log('WARNING', m) });
  if (out.experimentSet) {
    const written = writeReports(outputPath, readRuns([outputPath]));
    out.files.push(...written.files);
  }
  for (const f of out.files) reporter.log('INFO', `wrote ${f}`);
  process.stdout.write(`merged ${inputs.length} shards into ${outputPath} (${out.files.length} files)\n`);
}

export async function reportCommand(inputs: string[], opts: Record<string, unknown>): Promise<void> {
  const reporter = new Reporter(undefined);
  const outputPath = opts.output_path as string | undefined;
  if (!outputPath) throw new LmEvalError('report needs --output_path', 'add --output_path <folder> (leaderboard.md and report.html go there)');
  if (inputs.length === 0) throw new LmEvalError('report: no results given', 'lm-eval report DIR_OR_RESULTS_FILE... --output_path OUT');
  const runs = readRuns(inputs);
  const written = writeReports(outputPath, runs, { mainMetric: (opts.main_metric as string | undefined) ?? null, title: (opts.title as string | undefined) ?? 'Leaderboard' });
  for (const f of written.files) reporter.log('INFO', `wrote ${f}`);
  process.stdout.write(written.markdown);
}

export async function compareCommand(a: string, b: string, opts: Record<string, unknown>): Promise<void> {
  const maxFlips = opts.max_flips === undefined ? 20 : Number(opts.max_flips);
  if (!Number.isInteger(maxFlips) || maxFlips < 0) throw new LmEvalError(`--max_flips: '${opts.max_flips}' is not a non-negative integer`);
  const runA = singleRun(readRuns([a]), a);
  const runB = singleRun(readRuns([b]), b);
  const comparison = compareRuns(runA, runB, { maxFlips });
  if (comparison.metrics.length === 0) throw new LmEvalError(`compare: '${a}' and '${b}' have no task in common`, `A: ${comparison.onlyA.join(', ') || 'none'}; B: ${comparison.onlyB.join(', ') || 'none'}`);
  if (opts.output_path) writeFileSync(String(opts.output_path), JSON.stringify(comparison, null, 2) + '\n');
  process.stdout.write(renderComparison(comparison));
}
