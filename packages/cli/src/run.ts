/**
 * `lm-eval run`: turns flags (and an optional --config YAML) into an evaluation, prints the
 * results table, writes the output files.
 */
import { readFileSync } from 'node:fs';
import {
  LmEvalError,
  parseYaml,
  runEvaluation,
  type EvaluationRequest,
  type Profile,
} from '@lm-eval/core';
import { RUN_FLAGS, HF_HUB_LOG_KEYS } from './flags.ts';
import { parseJsonObject, parseKeyValueArgs, parseSamples, parseSeed, pythonFloat } from './values.ts';
import { Reporter } from './progress.ts';
import { registerBackends } from './backends.ts';
import { ExitCode } from './main.ts';

type Opts = Record<string, unknown>;

/** CLI > --config YAML > defaults; only CLI values that are set override. */
function mergeConfigFile(opts: Opts): Opts {
  if (!opts.config) return opts;
  const file = String(opts.config);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LmEvalError(`--config: cannot read '${file}'`);
  }
  const data = parseYaml(text, { file }) as Record<string, unknown>;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new LmEvalError(`--config ${file}: the top level must be a mapping of option names`);
  const known = new Set(RUN_FLAGS.map((f) => f.name));
  const merged: Opts = {};
  for (const [k, v] of Object.entries(data)) {
    if (!known.has(k)) throw new LmEvalError(`--config ${file}: unknown option '${k}'`, `allowed: ${[...known].join(', ')}`);
    merged[k] = Array.isArray(v) ? v.map(String) : typeof v === 'object' && v !== null ? [JSON.stringify(v)] : v;
  }
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) merged[k] = v;
  return merged;
}

function asList(v: unknown): string[] {
  if (v === undefined || v === null || v === false) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

function parseBool(v: unknown): boolean {
  return ['true', '1', 'yes'].includes(String(v).toLowerCase());
}

function validateLoggingArgs(opts: Opts, reporter: Reporter): void {
  for (const name of ['hf_hub_log_args', 'wandb_args', 'wandb_config_args', 'trackio_args']) {
    if (!opts[name]) continue;
    const { values } = parseKeyValueArgs(opts[name] as string[], `--${name}`);
    if (name === 'hf_hub_log_args') {
      for (const k of Object.keys(values)) {
        if (!HF_HUB_LOG_KEYS.includes(k)) {
          throw new LmEvalError(`--hf_hub_log_args: unknown key '${k}'`, `allowed: ${HF_HUB_LOG_KEYS.join(', ')}`);
        }
      }
    }
    reporter.log('WARNING', `--${name} is accepted and validated, but this harness does not push to ${name.startsWith('hf') ? 'the Hugging Face Hub' : name.startsWith('trackio') ? 'Trackio' : 'Weights & Biases'}; results stay in --output_path.`);
  }
}

export async function runCommand(rawOpts: Opts): Promise<void> {
  const opts = mergeConfigFile(rawOpts);
  const reporter = new Reporter(opts.verbosity as string | undefined);
  validateLoggingArgs(opts, reporter);
  if (opts.check_integrity) reporter.log('WARNING', "--check_integrity: this harness's own test-suite runs with `pnpm test`; continuing with the evaluation.");

  const tasks = asList(opts.tasks);
  if (tasks.length === 0) throw new LmEvalError('no tasks given', 'pass --tasks, e.g. --tasks arc_easy (list them with `lm-eval ls tasks`)');

  const modelArgs = parseKeyValueArgs(opts.model_args as string[] | string | undefined, '--model_args');
  if (opts.trust_remote_code) modelArgs.values.trust_remote_code = true;
  const genKwargs = opts.gen_kwargs ? parseKeyValueArgs(opts.gen_kwargs as string[], '--gen_kwargs') : null;
  const seeds = parseSeed(String(opts.seed ?? '0,1234,1234,1234'));

  let limit: number | null = null;
  if (opts.limit !== undefined) {
    const f = pythonFloat(String(opts.limit));
    if (f === undefined) throw new LmEvalError(`--limit: '${opts.limit}' is not a number`, 'use a count (--limit 10) or a fraction (--limit 0.1)');
    limit = Number(f);
  }
  const samples = opts.samples ? parseSamples(String(opts.samples)) : null;
  if (samples && limit !== null) throw new LmEvalError('--samples and --limit cannot be used together', 'pick one of them');

  let numFewshot: number | undefined;
  if (opts.num_fewshot !== undefined) {
    if (!/^-?\d+$/.test(String(opts.num_fewshot))) throw new LmEvalError(`--num_fewshot: '${opts.num_fewshot}' is not an integer`);
    numFewshot = Number(opts.num_fewshot);
  }
  const batchSize = String(opts.batch_size ?? '1');
  if (!/^(\d+|auto(:\d+)?)$/.test(batchSize)) throw new LmEvalError(`--batch_size: '${batchSize}' is not an integer, 'auto' or 'auto:N'`);

  const chat = opts.apply_chat_template;
  const applyChatTemplate: boolean | string = chat === undefined || chat === false ? false : chat === true || chat === 'true' ? true : String(chat);
  let fewshotAsMultiturn: boolean | undefined;
  if (opts.fewshot_as_multiturn !== undefined) fewshotAsMultiturn = opts.fewshot_as_multiturn === true ? true : parseBool(opts.fewshot_as_multiturn);
  if (fewshotAsMultiturn && !applyChatTemplate) {
    throw new LmEvalError('--fewshot_as_multiturn needs --apply_chat_template', 'add --apply_chat_template, or drop --fewshot_as_multiturn');
  }
  const predictOnly = Boolean(opts.predict_only);
  const logSamples = Boolean(opts.log_samples) || predictOnly;
  if (logSamples && !opts.output_path) {
    throw new LmEvalError(`${predictOnly ? '--predict_only' : '--log_samples'} needs --output_path`, 'add --output_path <folder>');
  }
  const cacheRequests = opts.cache_requests === undefined ? undefined : String(opts.cache_requests);
  if (cacheRequests !== undefined && !['true', 'refresh', 'delete'].includes(cacheRequests)) {
    throw new LmEvalError(`--cache_requests: '${cacheRequests}' is not one of true, refresh, delete`);
  }

  await registerBackends(String(opts.model ?? 'hf'));

  const request: EvaluationRequest = {
    model: String(opts.model ?? 'hf'),
    modelArgs: modelArgs.values,
    modelArgsRaw: modelArgs.raw,
    tasks,
    includePath: asList(opts.include_path),
    profile: opts.compat as Profile | undefined,
    numFewshot,
    batchSize,
    maxBatchSize: opts.max_batch_size === undefined ? undefined : Number(opts.max_batch_size),
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
    metadata: opts.metadata ? parseJsonObject(String(opts.metadata), '--metadata') : {},
    outputPath: (opts.output_path as string | undefined) ?? null,
    log: (level, message) => reporter.log(level, message),
    onPhase: (phase) => reporter.phase(phase),
    onProgress: (p) => reporter.progress(`${p.requestType} requests`, p.done, p.total),
  };

  const abort = new AbortController();
  const onSigint = () => {
    reporter.clear();
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  request.signal = abort.signal;
  try {
    const out = await runEvaluation(request);
    reporter.clear();
    if (opts.show_config) process.stdout.write(out.resultsJson + '\n');
    process.stdout.write(out.summary + '\n');
    for (const f of out.files) reporter.log('INFO', `wrote ${f}`);
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
  }
}
