/**
 * `lm-eval answers`: EvalAP-style answer generation inside the task framework. The dataset of
 * questions becomes a generate_until task (the YAML shown in docs/judges.md, written to a
 * temporary folder and recorded in the details file), evaluated by `runEvaluation` like any
 * task — response cache, concurrency window, retries, samples file — with the answer and judge
 * metrics of --metrics. Then, per repetition r, `<output_path>/<run_name>__<r>.json` (EvalAP's
 * answers file: one record per question, plus what the backend reported and the scores) and
 * `<run_name>__details.json` (model, endpoint, sampling, system prompt, judge, versions, timings).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LmEvalError } from '@lm-eval/core';
import { judgeModelSpecOf, publicJudgeArgs, runEvaluation, type EvaluationOutput, type JudgeModelSpec } from '@lm-eval/core/engine';
import { parsePyJson, pyJsonDumps } from '@lm-eval/core/python';
import { LOG_LEVELS } from './flags.ts';
import { parseKeyValueArgs, parseIntFlag, parseLimit } from './values.ts';
import { Reporter } from './progress.ts';
import { registerBackends } from './backends.ts';
import { ExitCode } from './exit.ts';
import { cliEnvironment } from './environment.ts';
import { asList } from './ls.ts';
import { limitHeapGrowth } from './heap.ts';

export type AnswersOptions = Record<string, unknown>;

const API_BACKEND = /^(local|openai)-(chat-)?completions$/;

const DATA_BUILDERS: Record<string, string> = { '.jsonl': 'json', '.json': 'json', '.csv': 'csv', '.parquet': 'parquet' };

export interface AnswersTaskSpec {
  taskName: string;
  /** local file (absolute) or Hub dataset id */
  dataset: string;
  split: string;
  repeat: number;
  /** set when sampling: repetition r gets seed repeatSeed + r */
  repeatSeed: number | null;
  metricList: Array<Record<string, unknown>>;
}

const q = (v: unknown): string => JSON.stringify(v);

/** The generate_until task `lm-eval answers` runs, as YAML (the template docs/judges.md shows). */
export function answersTaskYaml(spec: AnswersTaskSpec): string {
  const local = DATA_BUILDERS[path.extname(spec.dataset).toLowerCase()] !== undefined && path.isAbsolute(spec.dataset);
  const lines = [`task: ${spec.taskName}`];
  if (local) {
    lines.push(`dataset_path: ${DATA_BUILDERS[path.extname(spec.dataset).toLowerCase()]}`, 'dataset_kwargs:', '  data_files:', `    test: ${q(spec.dataset)}`, 'test_split: test');
  } else {
    lines.push(`dataset_path: ${q(spec.dataset)}`, `test_split: ${q(spec.split)}`);
  }
  lines.push(
    'output_type: generate_until',
    'doc_to_text: "{{ query }}"',
    `doc_to_target: "{{ output_true if output_true is defined and output_true is not none else '' }}"`,
    'generation_kwargs:',
    '  until: []',
    `repeats: ${spec.repeat}`,
  );
  if (spec.repeatSeed !== null) lines.push('metadata:', `  repeat_seed: ${spec.repeatSeed}`);
  lines.push('metric_list:');
  for (const entry of spec.metricList) {
    const [first, ...rest] = Object.entries(entry);
    lines.push(`  - ${first[0]}: ${q(first[1])}`, ...rest.map(([k, v]) => `    ${k}: ${q(v)}`));
  }
  return lines.join('\n') + '\n';
}

function required(opts: AnswersOptions, name: string, example: string): string {
  const v = opts[name];
  if (v === undefined || v === null || String(v).trim() === '') throw new LmEvalError(`lm-eval answers needs --${name}`, `e.g. --${name} ${example}`);
  return String(v);
}

/** `--judge_template` names a file or is the template itself. */
function templateText(value: string): string {
  return existsSync(value) ? readFileSync(value, 'utf8') : value;
}

function parserValue(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{')) return t;
  try {
    return parsePyJson(t);
  } catch (e) {
    throw new LmEvalError(`--judge_parser: ${t} is not a JSON object (${(e as Error).message})`, 'e.g. --judge_parser \'{"type": "number", "min": 1, "max": 10}\'');
  }
}

const num = (v: unknown): unknown => (v !== null && typeof v === 'object' && 'value' in (v as object) ? Number((v as { value: unknown }).value) : v);

/** EvalAP answers records of repetition `r`, in question order. */
function repetitionRecords(samples: Array<Record<string, any>>, r: number, metricKeys: string[]): Array<Record<string, unknown>> {
  return samples.map((s) => {
    const g = s.generations?.[r] ?? {};
    const scores: Record<string, unknown> = {};
    for (const key of metricKeys) scores[key] = s.answer_scores?.[key]?.[r] ?? null;
    const judgements: Record<string, unknown> = {};
    for (const [metric, verdicts] of Object.entries((s.judgements ?? {}) as Record<string, unknown[]>)) judgements[metric] = verdicts[r] ?? null;
    const rec: Record<string, unknown> = {
      num_line: s.doc_id,
      success: true,
      execution_time: g.latency_s ?? null,
      query: s.doc?.query ?? null,
      output: g.output ?? null,
      error: null,
      reasoning: g.reasoning ?? null,
      finish_reason: g.finish_reason ?? null,
      prompt_tokens: g.prompt_tokens ?? null,
      completion_tokens: g.completion_tokens ?? null,
    };
    if (s.doc && 'output_true' in s.doc) rec.output_true = s.doc.output_true;
    if (s.doc && 'context' in s.doc) rec.context = s.doc.context;
    rec.metrics = scores;
    rec.judgements = judgements;
    return rec;
  });
}

const writeJson = (file: string, value: unknown): void => writeFileSync(file, pyJsonDumps(value, { indent: 2, ensureAscii: false }) + '\n', 'utf8');

export async function answersCommand(opts: AnswersOptions): Promise<void> {
  if (opts.verbosity !== undefined && !(LOG_LEVELS as readonly string[]).includes(String(opts.verbosity).trim().toUpperCase())) {
    throw new LmEvalError(`--verbosity: '${opts.verbosity}' is not a log level`, `use one of: ${LOG_LEVELS.join(', ')}`);
  }
  limitHeapGrowth();
  const reporter = new Reporter(opts.verbosity as string | undefined);
  const datasetArg = required(opts, 'dataset', 'questions.jsonl');
  const runName = required(opts, 'run_name', 'my-model_faq');
  if (/[/\\]/.test(runName)) throw new LmEvalError(`--run_name: '${runName}' contains a path separator`, 'the run name becomes a file name; use --output_path for the folder');
  const model = String(opts.model ?? 'local-chat-completions');
  const repeat = opts.repeat === undefined ? 1 : parseIntFlag(String(opts.repeat), '--repeat', 1);
  const seed = opts.seed === undefined ? 1234 : parseIntFlag(String(opts.seed), '--seed');
  const limit = opts.limit === undefined ? null : parseLimit(String(opts.limit));
  const outputPath = String(opts.output_path ?? 'results');

  const modelArgs = parseKeyValueArgs(opts.model_args as string[] | undefined, '--model_args');
  const api = API_BACKEND.test(model);
  if (opts.num_concurrent !== undefined) {
    const n = parseIntFlag(String(opts.num_concurrent), '--num_concurrent', 1);
    if (api) modelArgs.values.num_concurrent ??= n;
    else reporter.log('WARNING', `--num_concurrent: the ${model} backend runs one batch at a time; ignored`);
  }
  const genKwargs = opts.gen_kwargs ? parseKeyValueArgs(opts.gen_kwargs as string[], '--gen_kwargs').values : {};
  const temperature = Number(num(genKwargs.temperature) ?? 0);
  const sampling = temperature > 0 || genKwargs.do_sample === true;

  let judgeModel: JudgeModelSpec | null = null;
  if (opts.judge_model) {
    const values = parseKeyValueArgs(opts.judge_model as string[], '--judge_model').values;
    judgeModel = judgeModelSpecOf(values, '--judge_model');
    if (API_BACKEND.test(judgeModel.backend) && judgeModel.args.num_concurrent === undefined && modelArgs.values.num_concurrent !== undefined) {
      judgeModel.args.num_concurrent = modelArgs.values.num_concurrent;
    }
  }

  const metricNames = asList(opts.metrics);
  const metricList: Array<Record<string, unknown>> = (metricNames.length ? metricNames : ['output_length', 'generation_time']).map((m) => ({ metric: m }));
  if (opts.judge_template !== undefined || opts.judge_parser !== undefined) {
    if (opts.judge_template === undefined || opts.judge_parser === undefined) {
      throw new LmEvalError('--judge_template and --judge_parser go together', 'give both: the judge prompt and how to read its reply');
    }
    metricList.push({ metric: 'judge_custom', judge_template: templateText(String(opts.judge_template)), judge_parser: parserValue(String(opts.judge_parser)) });
  }

  const local = existsSync(datasetArg);
  if (local && DATA_BUILDERS[path.extname(datasetArg).toLowerCase()] === undefined) {
    throw new LmEvalError(`--dataset: '${datasetArg}' is not a .jsonl, .json, .csv or .parquet file`, 'convert it, or give a Hugging Face dataset id');
  }
  const taskName = `answers_${runName.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const yaml = answersTaskYaml({
    taskName,
    dataset: local ? path.resolve(datasetArg) : datasetArg,
    split: String(opts.split ?? 'test'),
    repeat,
    repeatSeed: sampling ? seed : null,
    metricList,
  });

  const chat = opts.apply_chat_template;
  const applyChatTemplate: boolean | string =
    chat === undefined ? model.endsWith('chat-completions') : chat === true || String(chat).toLowerCase() === 'true' ? true : String(chat).toLowerCase() === 'false' ? false : String(chat);

  await registerBackends(model);
  const folder = mkdtempSync(path.join(tmpdir(), 'lm-eval-answers-'));
  writeFileSync(path.join(folder, `${taskName}.yaml`), yaml, 'utf8');
  const abort = new AbortController();
  const onSigint = () => {
    reporter.clear();
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  const started = new Date();
  let out: EvaluationOutput;
  try {
    out = await runEvaluation({
      model,
      environment: cliEnvironment(),
      modelArgs: modelArgs.values,
      modelArgsRaw: modelArgs.raw,
      tasks: [taskName],
      includePath: [folder],
      profile: 'latest',
      useCache: (opts.use_cache as string | undefined) ?? null,
      limit,
      logSamples: true,
      systemInstruction: (opts.system_instruction as string | undefined) ?? null,
      applyChatTemplate,
      genKwargs,
      outputPath,
      judgeModel,
      loadBackend: registerBackends,
      signal: abort.signal,
      log: (level, message) => reporter.log(level, message),
      onPhase: (phase) => reporter.phase(phase),
      onProgress: (p) => reporter.progress(p.label ?? `${p.requestType} requests`, p.done, p.total),
    });
  } catch (e) {
    reporter.clear();
    if (e instanceof LmEvalError && /'query' is undefined/.test(e.message)) {
      throw new LmEvalError(`--dataset ${datasetArg}: the questions need a 'query' column`, 'name the column holding the questions query (optional: output_true for the reference answer, context)');
    }
    if (abort.signal.aborted) {
      process.stderr.write(`Interrupted (${opts.use_cache ? 'run the same command again to resume from the response cache' : 'rerun with --use_cache <path> to keep answers across interruptions'}).\n`);
      throw new ExitCode(130);
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    rmSync(folder, { recursive: true, force: true });
  }
  reporter.clear();
  const finished = new Date();

  const results = out.results as Record<string, any>;
  const samples = (out.samples[taskName] ?? []) as Array<Record<string, any>>;
  const summary = (results.answer_metrics?.[taskName] ?? {}) as Record<string, unknown>;
  const metricKeys = Object.keys(summary);
  mkdirSync(outputPath, { recursive: true });
  const files: string[] = [];
  for (let r = 0; r < repeat; r++) {
    const file = path.join(outputPath, `${runName}__${r}.json`);
    writeJson(file, repetitionRecords(samples, r, metricKeys));
    files.push(file);
  }
  const taskResults = (results.results?.[taskName] ?? {}) as Record<string, unknown>;
  const scores: Record<string, unknown> = {};
  for (const key of metricKeys) {
    scores[key] = { mean: num(taskResults[`${key},none`]) ?? null, stderr: num(taskResults[`${key}_stderr,none`]) ?? null, ...(summary[key] as object) };
  }
  const details = {
    aliased_name: modelArgs.values.model ?? modelArgs.values.pretrained ?? model,
    name: modelArgs.values.model ?? modelArgs.values.pretrained ?? model,
    base_url: modelArgs.values.base_url ?? null,
    system_prompt: (opts.system_instruction as string | undefined) ?? null,
    sampling_params: genKwargs,
    dataset: datasetArg,
    run_name: runName,
    repeat,
    seeds: sampling ? Array.from({ length: repeat }, (_, r) => seed + r) : null,
    backend: model,
    model_args: results.config?.model_args ?? null,
    metrics: scores,
    judge: judgeModel ? { backend: judgeModel.backend, model_args: publicJudgeArgs(judgeModel.args) } : null,
    versions: { lm_eval: results.lm_eval_version ?? null, transformers: results.transformers_version ?? null, node: process.version, git_hash: results.git_hash ?? null },
    timings: { started_at: started.toISOString(), finished_at: finished.toISOString(), total_seconds: (finished.getTime() - started.getTime()) / 1000 },
    files: { answers: files.map((f) => path.basename(f)), results_and_samples: out.files },
    task_yaml: yaml,
  };
  const detailsFile = path.join(outputPath, `${runName}__details.json`);
  writeJson(detailsFile, details);
  for (const f of [...files, detailsFile, ...out.files]) reporter.log('INFO', `wrote ${f}`);
  process.stdout.write(out.summary + '\n');
}

