/**
 * `lm-eval experiments run FILE --output_path DIR`: loads the experiment file (native, EvalAP or
 * DeathMath shape), runs every experiment under one scheduler with a shared response cache, then
 * writes DIR/leaderboard.md and prints it. A rerun skips finished experiments and resumes the
 * others; Ctrl-C stops cleanly (exit 130) and says how to resume.
 */
import { LmEvalError } from '@lm-eval/core';
import { parseShard, shardFromEnv, type ShardSpec } from '@lm-eval/core/engine';
import { loadPlan, readRuns, runExperiments, writeReports, type ExperimentPlan } from '@lm-eval/experiments';
import { Reporter } from './progress.ts';
import { ExperimentsProgress } from './experiments-progress.ts';
import { registerBackends } from './backends.ts';
import { asList } from './ls.ts';
import { ExitCode } from './exit.ts';
import { cliEnvironment } from './environment.ts';
import { limitHeapGrowth } from './heap.ts';

export function resolveShard(value: unknown): ShardSpec | null {
  if (value !== undefined && value !== null && value !== '') return parseShard(String(value));
  return shardFromEnv();
}

function describePlan(plan: ExperimentPlan): string {
  const lines = [`${plan.name}: ${plan.experiments.length} experiment run(s) from a ${plan.source} file`];
  for (const m of plan.models) {
    lines.push(`  model ${m.name}: --model ${m.backend}${m.endpoints.length ? `, endpoints ${m.endpoints.map((e) => e.baseUrl).join(', ')} (num_concurrent ${m.numConcurrent})` : ''}`);
  }
  lines.push(`  tasks: ${plan.tasks.map((t) => t.name).join(', ')}`);
  for (const e of plan.experiments) {
    lines.push(`  ${e.id}: ${e.model.name}${Object.keys(e.varied).length ? ' ' + JSON.stringify(e.varied) : ''}, seeds ${e.seeds.random}/${e.seeds.numpy}/${e.seeds.torch}/${e.seeds.fewshot}`);
  }
  return lines.join('\n') + '\n';
}

export async function experimentsRunCommand(file: string, opts: Record<string, unknown>): Promise<void> {
  limitHeapGrowth();
  const reporter = new Reporter(opts.verbosity as string | undefined);
  const outputPath = opts.output_path as string | undefined;
  if (!outputPath) throw new LmEvalError('experiments run needs --output_path', 'add --output_path <folder>');
  const shard = resolveShard(opts.shard);
  const maxParallel = opts.max_parallel === undefined ? 8 : Number(opts.max_parallel);
  if (!Number.isInteger(maxParallel) || maxParallel < 1) throw new LmEvalError(`--max_parallel: '${opts.max_parallel}' is not a positive integer`);
  const plan = loadPlan(file, { tasks: asList(opts.tasks), includePath: asList(opts.include_path), warn: (m) => reporter.log('WARNING', m) });
  if (opts.dry_run) {
    process.stdout.write(describePlan(plan));
    return;
  }
  for (const backend of new Set(plan.models.map((m) => m.backend))) await registerBackends(backend);

  const progress = new ExperimentsProgress(plan.experiments.length);
  const log = (level: Parameters<Reporter['log']>[0], message: string) => {
    progress.clear();
    reporter.log(level, message);
  };
  if (shard && shard.count > 1) log('INFO', `shard ${shard.index}/${shard.count}: this run evaluates about 1/${shard.count} of the documents; combine the shards with \`lm-eval merge\``);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  let outcomes;
  try {
    outcomes = await runExperiments(plan, {
      outputPath,
      environment: cliEnvironment(),
      shard,
      maxParallel,
      signal: abort.signal,
      log: (level, m) => {
        // library warnings about --limit are expected here; keep them at DEBUG
        if (level === 'WARNING' && m.includes('--limit SHOULD ONLY BE USED FOR TESTING')) level = 'DEBUG';
        log(level, m);
      },
      onEvent: (e) => {
        switch (e.type) {
          case 'start':
            if (!progress.interactive) log('INFO', `${e.id}: started`);
            progress.start(e.id);
            break;
          case 'progress':
            progress.progress(e.id, `${e.label} requests`, e.done, e.total);
            break;
          case 'skip':
            log('INFO', `${e.id}: already finished (skipped)`);
            progress.end(e.id, 'skipped');
            break;
          case 'done':
            if (!progress.interactive) log('INFO', `${e.id}: finished in ${e.seconds.toFixed(1)} s`);
            progress.end(e.id, 'done');
            break;
          case 'fail':
            if (!abort.signal.aborted) log('ERROR', `${e.id}: ${e.error instanceof Error ? e.error.message : String(e.error)}`);
            progress.end(e.id, 'failed');
            break;
        }
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
  }
  if (abort.signal.aborted) {
    process.stderr.write('Interrupted (run the same command again to resume: finished experiments are skipped and answered requests come from the response cache).\n');
    throw new ExitCode(130);
  }
  const runs = readRuns([outputPath]);
  const written = writeReports(outputPath, runs, { mainMetric: (opts.main_metric as string | undefined) ?? plan.mainMetric, title: plan.name });
  for (const f of written.files) reporter.log('INFO', `wrote ${f}`);
  process.stdout.write(written.markdown);
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length) {
    const first = failed[0].error instanceof Error ? failed[0].error.message : String(failed[0].error);
    throw new LmEvalError(
      `${failed.length} of ${outcomes.length} experiment(s) failed: ${failed.map((f) => f.id).join(', ')} (first: ${first})`,
      'fix the cause and run the same command again: finished experiments are skipped, answered requests are not sent again',
    );
  }
}
