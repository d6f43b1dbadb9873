/**
 * `lm-eval run`: turns flags (and an optional --config YAML) into an EvaluationRequest, runs it,
 * prints the results table (after the results JSON with --show_config) and names the files
 * written. Every flag value is checked before anything is loaded, so a typo fails in
 * milliseconds with one line naming the flag.
 */
import { readFileSync } from 'node:fs';
import { LmEvalError, lmEvalEvents, type LmEvalEvent, type Profile } from '@lm-eval/core';
import { judgeModelSpecOf, parseShard, runEvaluation, shardFromEnv, type EvaluationRequest, type ShardSpec } from '@lm-eval/core/engine';
import { parseYaml } from '@lm-eval/core/tasks';
import { isPlainObject } from '@lm-eval/core/python';
import { HF_HUB_LOG_KEYS, LOG_LEVELS, RUN_FLAGS } from './flags.ts';
import {
  checkGenKwargs,
  parseBoolText,
  parseIntFlag,
  parseJsonObject,
  parseKeyValueArgs,
  parseLimit,
  parseSamples,
  parseSeed,
} from './values.ts';
import { Reporter, resolveLevel } from './progress.ts';
import { registerBackends } from './backends.ts';
import { ExitCode } from './exit.ts';
import { cliEnvironment } from './environment.ts';
import { asList, renderListing, type Listing } from './ls.ts';
import { limitHeapGrowth } from './heap.ts';

export type RunOptions = Record<string, unknown>;

/**
 * CLI > --config YAML > defaults. commander leaves absent flags undefined, so every value the
 * user typed wins over the file. Mappings (model_args: {…}) stay mappings.
 */
export function mergeConfigFile(opts: RunOptions): RunOptions {
  if (!opts.config) return opts;
  const file = String(opts.config);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LmEvalError(`--config: cannot read '${file}'`, 'give the path of a YAML file whose keys are lm-eval run option names');
  }
  const data = parseYaml(text, { file });
  if (data === null || data === undefined) return opts;
  if (!isPlainObject(data)) throw new LmEvalError(`--config ${file}: the top level must be a mapping of option names`, 'example: "model: hf\\ntasks: [arc_easy]"');
  const known = new Set(RUN_FLAGS.map((f) => f.name));
  const merged: RunOptions = {};
  for (const [k, v] of Object.entries(data)) {
    if (!known.has(k) || k === 'config') throw new LmEvalError(`--config ${file}: unknown option '${k}'`, `allowed keys: ${[...known].filter((x) => x !== 'config').join(', ')}`);
    if (v === null || v === undefined) continue;
    merged[k] = Array.isArray(v) ? v.map((x) => (isPlainObject(x) ? x : String(x))) : isPlainObject(v) ? v : typeof v === 'boolean' ? v : String(v);
  }
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) merged[k] = v;
  return merged;
}

const INTEGRATIONS: Record<string, string> = {
  hf_hub_log_args: 'the Hugging Face Hub',
  wandb_args: 'Weights & Biases',
  wandb_config_args: 'Weights & Biases',
  trackio_args: 'Trackio',
};

/** Logging integrations: values are parsed and checked, then a warning says nothing is pushed. */
function validateLoggingArgs(opts: RunOptions, reporter: Reporter): void {
  for (const [name, service] of Object.entries(INTEGRATIONS)) {
    if (!opts[name]) continue;
    const { values } = parseKeyValueArgs(opts[name] as string[], `--${name}`);
    if (name === 'hf_hub_log_args') {
      for (const k of Object.keys(values)) {
        if (k !== 'output_path' && k !== 'token' && !HF_HUB_LOG_KEYS.includes(k)) {
          throw new LmEvalError(`--hf_hub_log_args: unknown key '${k}'`, `allowed: ${HF_HUB_LOG_KEYS.join(', ')}`);
        }
      }
    }
    reporter.log('WARNING', `--${name}: logging to ${service} is not supported by this harness; the arguments were checked and are ignored (results stay in --output_path).`);
  }
}

const LEGACY_LISTINGS: Record<string, Listing> = { list: 'tasks', list_groups: 'groups', list_tags: 'tags', list_subtasks: 'subtasks' };

/** `--shard i/n` (or `auto`: from the array-job environment); merging needs the per-sample rows. */
function shardOption(opts: RunOptions, logSamples: boolean): ShardSpec | null {
  if (opts.shard === undefined) return null;
  const text = String(opts.shard).trim();
  const shard = text === 'auto' ? shardFromEnv() : parseShard(text);
  if (!shard) throw new LmEvalError('--shard auto: neither SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT nor JOB_COMPLETION_INDEX is set', 'give --shard i/n');
  if (shard.count > 1 && (!logSamples || !opts.output_path)) {
    throw new LmEvalError('--shard needs --log_samples and --output_path', '`lm-eval merge` recomputes the metrics from the shards\' per-sample rows');
  }
  return shard;
}

/** Validates every flag and builds the request (no task, dataset or model is loaded here). */
export function buildRequest(opts: RunOptions, reporter: Reporter): EvaluationRequest {
  const compat = opts.compat as Profile | undefined;
  const tasks = asList(opts.tasks);
  if (tasks.length === 0) throw new LmEvalError('no tasks given', 'pass --tasks, e.g. --tasks arc_easy (`lm-eval ls tasks` lists them)');

  const modelArgs = parseKeyValueArgs(opts.model_args as string[] | undefined, '--model_args', compat);
  for (const k of modelArgs.overridden) reporter.log('WARNING', `--model_args: '${k}' is given more than once; the last value is used`);
  let modelArgsRaw = modelArgs.raw;
  if (opts.trust_remote_code) {
    // latest sets the key; v0.4.4 appends to the string (giving ",trust_remote_code=True" when it was empty)
    modelArgs.values.trust_remote_code = true;
    modelArgsRaw = `${modelArgsRaw},trust_remote_code=True`;
    process.env.HF_DATASETS_TRUST_REMOTE_CODE = '1';
  }
  const genKwargs = opts.gen_kwargs ? parseKeyValueArgs(opts.gen_kwargs as string[], '--gen_kwargs', compat) : null;
  if (genKwargs) checkGenKwargs(genKwargs.values);
  for (const k of genKwargs?.overridden ?? []) reporter.log('WARNING', `--gen_kwargs: '${k}' is given more than once; the last value is used`);
  const { seeds, filledFromDefault } = parseSeed(String(opts.seed ?? '0,1234,1234,1234'));
  if (filledFromDefault) reporter.log('WARNING', '--seed: 3 values given; the few-shot seed takes its default 1234');

  const limit = opts.limit === undefined ? null : parseLimit(String(opts.limit));
  const samples = opts.samples ? parseSamples(String(opts.samples)) : null;
  if (samples && limit !== null) throw new LmEvalError('--samples and --limit cannot be used together', 'keep one of them');
  if (limit === 0) throw new LmEvalError('--limit 0 selects no documents', 'give a doc count (--limit 10) or a fraction of the docs (--limit 0.1), or drop --limit to run all');
  if (limit !== null) reporter.log('WARNING', '--limit SHOULD ONLY BE USED FOR TESTING: metrics computed on a subset are not the real scores.');

  const numFewshot = opts.num_fewshot === undefined ? undefined : parseIntFlag(String(opts.num_fewshot), '--num_fewshot');
  const maxBatchSize = opts.max_batch_size === undefined ? undefined : parseIntFlag(String(opts.max_batch_size), '--max_batch_size', 1);
  const batchSize = String(opts.batch_size ?? '1').trim();
  if (!/^(\d+|auto(:\d+)?)$/.test(batchSize)) {
    throw new LmEvalError(`--batch_size: '${batchSize}' is not an integer, 'auto' or 'auto:N'`, 'example: --batch_size 8 or --batch_size auto:4');
  }

  const chat = opts.apply_chat_template;
  const applyChatTemplate: boolean | string =
    chat === undefined || chat === false || String(chat).toLowerCase() === 'false' ? false : chat === true || String(chat).toLowerCase() === 'true' ? true : String(chat);
  let fewshotAsMultiturn: boolean | undefined;
  if (opts.fewshot_as_multiturn !== undefined) fewshotAsMultiturn = opts.fewshot_as_multiturn === true || parseBoolText(opts.fewshot_as_multiturn);
  if (fewshotAsMultiturn && !applyChatTemplate) {
    throw new LmEvalError('--fewshot_as_multiturn needs --apply_chat_template', 'add --apply_chat_template, or drop --fewshot_as_multiturn');
  }
  const predictOnly = Boolean(opts.predict_only);
  const logSamples = Boolean(opts.log_samples) || predictOnly;
  if (logSamples && !opts.output_path) {
    throw new LmEvalError(`${predictOnly ? '--predict_only' : '--log_samples'} needs --output_path`, 'add --output_path <folder>');
  }
  const cacheRequests = opts.cache_requests === undefined || opts.cache_requests === false ? undefined : String(opts.cache_requests).toLowerCase();
  if (cacheRequests !== undefined && !['true', 'refresh', 'delete'].includes(cacheRequests)) {
    throw new LmEvalError(`--cache_requests: '${opts.cache_requests}' is not one of true, refresh, delete`, 'a bare --cache_requests means true');
  }
  const metadata = opts.metadata === undefined ? {} : isPlainObject(opts.metadata) ? opts.metadata : parseJsonObject(String(opts.metadata), '--metadata');

  return {
    model: String(opts.model ?? 'hf'),
    modelArgs: modelArgs.values,
    modelArgsRaw,
    tasks,
    includePath: asList(opts.include_path, false),
    python: (opts.python as string | undefined) ?? undefined,
    profile: compat,
    numFewshot,
    batchSize,
    maxBatchSize,
    device: opts.device as string | undefined,
    useCache: (opts.use_cache as string | undefined) ?? null,
    cacheRequests: cacheRequests as EvaluationRequest['cacheRequests'],
    limit,
    samples,
    bootstrapIters: 100000,
    writeOut: Boolean(opts.write_out),
    logSamples,
    systemInstruction: (opts.system_instruction as string | undefined) ?? null,
    applyChatTemplate,
    fewshotAsMultiturn,
    genKwargs: genKwargs?.values ?? null,
    genKwargsRaw: genKwargs?.raw ?? null,
    predictOnly,
    seeds,
    confirmRunUnsafeCode: Boolean(opts.confirm_run_unsafe_code),
    skipUnsupportedTasks: Boolean(opts.skip_unsupported_tasks),
    strict: Boolean(opts.strict),
    metadata,
    outputPath: (opts.output_path as string | undefined) ?? null,
    shard: shardOption(opts, logSamples),
    // the CLI writes the records to the samples files and never reads them back
    keepSamples: false,
    log: (level, message) => reporter.log(level, message),
    onPhase: (phase) => {
      reporter.phase(phase);
      // with LMEVAL_LOG_LEVEL=DEBUG: when each phase starts, in seconds since the process started
      reporter.log('DEBUG', `phase '${phase}' at +${(performance.now() / 1000).toFixed(3)} s (${Date.now()})`);
    },
    onProgress: (p) => reporter.progress(p.label ?? `${p.requestType} requests`, p.done, p.total, p.tasks),
    judgeModel: opts.judge_model ? judgeModelSpecOf(parseKeyValueArgs(opts.judge_model as string[], '--judge_model').values, '--judge_model') : null,
    loadBackend: registerBackends,
  };
}

/** Prints the library's events: logs as `[source] message` at their level, phases and progress on the status line. */
export function printEvents(reporter: Reporter): (e: LmEvalEvent) => void {
  return (e) => {
    if (e.type === 'log') reporter.log(e.level, `[${e.source}] ${e.message}`);
    else if (e.type === 'phase') reporter.phase(e.phase);
    else reporter.progress(e.label, e.done, e.total);
  };
}

export async function runCommand(rawOpts: RunOptions): Promise<void> {
  const opts = mergeConfigFile(rawOpts);
  if (opts.verbosity !== undefined && !(LOG_LEVELS as readonly string[]).includes(String(opts.verbosity).trim().toUpperCase())) {
    throw new LmEvalError(`--verbosity: '${opts.verbosity}' is not a log level`, `use one of: ${LOG_LEVELS.join(', ')}`);
  }
  if (process.env.LMEVAL_LOG_LEVEL && !resolveLevel(undefined)) {
    throw new LmEvalError(`LMEVAL_LOG_LEVEL: '${process.env.LMEVAL_LOG_LEVEL}' is not a log level`, `use one of: ${LOG_LEVELS.join(', ')}`);
  }
  const reporter = new Reporter(opts.verbosity as string | undefined);
  if (opts.verbosity !== undefined) reporter.log('DEBUG', '--verbosity is deprecated in lm-eval; LMEVAL_LOG_LEVEL does the same');

  // v0.4.4: `--tasks list|list_groups|list_tags|list_subtasks` lists (latest treats them as names)
  const tasks = asList(opts.tasks);
  if (opts.compat === '0.4.4' && tasks.length === 1 && tasks[0] in LEGACY_LISTINGS) {
    const { TaskIndex } = await import('@lm-eval/core/light');
    const index = TaskIndex.build({ includePaths: asList(opts.include_path, false), profile: '0.4.4' });
    process.stdout.write(renderListing(index, LEGACY_LISTINGS[tasks[0]]));
    return;
  }

  const unsubscribe = lmEvalEvents.subscribe(printEvents(reporter));
  try {
    await evaluateCommand(opts, reporter);
  } finally {
    unsubscribe();
  }
}

async function evaluateCommand(opts: RunOptions, reporter: Reporter): Promise<void> {
  validateLoggingArgs(opts, reporter);
  limitHeapGrowth();
  if (opts.check_integrity) reporter.log('WARNING', "--check_integrity: this harness's own test-suite runs with `pnpm test`; continuing with the evaluation.");
  const request = buildRequest(opts, reporter);
  request.environment = cliEnvironment();
  await registerBackends(String(request.model));

  const abort = new AbortController();
  // first Ctrl-C: stop cleanly (answers so far stay in the cache); second: exit at once. The
  // SQLite cache commits each batch atomically, so an immediate exit leaves it consistent.
  const onSigint = () => {
    reporter.clear();
    if (abort.signal.aborted) {
      process.stderr.write('Interrupted twice: exiting now.\n');
      process.exit(130);
    }
    process.stderr.write('Stopping… (press Ctrl-C again to exit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  request.signal = abort.signal;
  try {
    const out = await runEvaluation(request);
    reporter.clear();
    if (request.shard && request.shard.count > 1) {
      const resultsFile = out.files.find((f) => /results_[^/\\]*\.json$/.test(f));
      if (resultsFile) {
        const { writeShardSidecar } = await import('@lm-eval/experiments');
        out.files.push(writeShardSidecar(resultsFile, request.shard));
      }
    }
    for (const f of out.files) reporter.log('INFO', `wrote ${f}`);
    if (opts.show_config) process.stdout.write(out.resultsJson + '\n');
    process.stdout.write(out.summary + '\n');
    if (out.unsaved) {
      const where = out.unsaved.fallbackFile
        ? `the results${request.logSamples ? ' and samples' : ''} were saved to ${out.unsaved.fallbackFile} instead`
        : 'no fallback file could be written either: copy the table above';
      throw new LmEvalError(`could not write the output files under --output_path ${request.outputPath} (${out.unsaved.reason})`, where);
    }
  } catch (e) {
    reporter.clear();
    if (abort.signal.aborted) {
      const hint = request.useCache ? 'run the same command again to resume from the response cache' : 'rerun with --use_cache <path> to keep answers across interruptions';
      process.stderr.write(`Interrupted (${hint}).\n`);
      throw new ExitCode(130);
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    reporter.close();
  }
}
