/**
 * Flags of `lm-eval answers` (EvalAP-style answer generation), declared once as data: the
 * commander options and docs/cli.md come from this list.
 */
import type { FlagSpec } from './flags.ts';
import type { SubcommandDoc } from './subcommand-flags.ts';

export const ANSWERS_FLAGS: FlagSpec[] = [
  { name: 'dataset', kind: 'string', metavar: 'PATH|REPO', help: 'Questions: a local .jsonl/.json/.csv/.parquet file or a Hugging Face dataset id, with a `query` column and optional `output_true` (reference answer) and `context` (required).' },
  { name: 'split', kind: 'string', metavar: 'SPLIT', default: 'test', help: 'Split of a Hub dataset (a local file is one split).' },
  { name: 'run_name', kind: 'string', metavar: 'NAME', help: 'Name of this generation run: files are <output_path>/<NAME>__<repetition>.json and <NAME>__details.json (required).' },
  { name: 'model', short: ['M', 'm'], kind: 'string', metavar: 'NAME', default: 'local-chat-completions', help: 'Model backend (as for `lm-eval run`).' },
  { name: 'model_args', short: ['a'], kind: 'strings', metavar: 'ARGS', default: '{}', help: "Backend arguments: 'k=v,k2=v2' items or a JSON object, typed as for `lm-eval run`." },
  { name: 'repeat', kind: 'int', metavar: 'N', default: '1', help: 'Independent answers per question (each a repetition file); when sampling (temperature > 0), repetition r is sent with seed = --seed + r.' },
  { name: 'num_concurrent', kind: 'int', metavar: 'N', help: 'Requests in flight at once (API backends; also the judge\'s default). Same as num_concurrent in --model_args.' },
  { name: 'system_instruction', kind: 'string', metavar: 'TEXT', help: 'System prompt (a system message for chat backends).' },
  { name: 'gen_kwargs', kind: 'strings', metavar: 'ARGS', help: "Sampling parameters, e.g. temperature=0.7,max_tokens=1024 ('k=v' items or a JSON object)." },
  { name: 'apply_chat_template', kind: 'optional-string', metavar: 'NAME', bareValue: true, default: 'true for *-chat-completions, else false', help: "Send chat messages (the model's chat template)." },
  { name: 'metrics', kind: 'strings', metavar: 'METRIC', default: 'output_length,generation_time', help: 'Answer metrics, comma- or space-separated: judge_exactness, judge_notator, judge_precision, judge_relevant, answer_relevancy, output_length, generation_time, reasoning_length (docs/judges.md).' },
  { name: 'judge_model', kind: 'strings', metavar: 'ARGS', help: "The judge: 'base_url=...,model=...' model arguments of its backend; backend=NAME picks the backend (default local-chat-completions)." },
  { name: 'judge_template', kind: 'string', metavar: 'FILE|TEXT', help: 'A judge of your own, scored as the metric judge_custom: a Jinja template over query, output, output_true, context (a file path or the text). Needs --judge_parser.' },
  { name: 'judge_parser', kind: 'string', metavar: 'SPEC', help: "How to read the judge_custom reply: binary, number, json, or a JSON object like '{\"type\": \"number\", \"min\": 1, \"max\": 10}'." },
  { name: 'output_path', short: ['o'], kind: 'string', metavar: 'DIR', default: 'results', help: 'Folder for the answers files, the details file, and the results/samples files of the run.' },
  { name: 'use_cache', short: ['c'], kind: 'string', metavar: 'PATH', help: 'Response cache path prefix: a rerun (after a crash or kill) sends only the answers and judge calls not yet received.' },
  { name: 'limit', short: ['L'], kind: 'float', metavar: 'N', help: 'Only the first N questions (a value below 1.0: a fraction). For testing.' },
  { name: 'seed', kind: 'int', metavar: 'N', default: '1234', help: 'Base seed of the repetitions when sampling.' },
  { name: 'verbosity', short: ['v'], kind: 'string', metavar: 'LEVEL', help: 'Log level (DEBUG, INFO, WARNING, ERROR, CRITICAL); LMEVAL_LOG_LEVEL wins.' },
];

export const ANSWERS_COMMAND: SubcommandDoc = {
  name: 'answers',
  usage: 'answers --dataset FILE --run_name NAME [--model M --model_args ...]',
  what: 'generate answers to a dataset of open questions (EvalAP-style: one answers file per repetition plus a details file) and score them with answer and judge metrics',
  flags: ANSWERS_FLAGS,
  guide: 'docs/judges.md',
};
