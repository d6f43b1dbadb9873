/**
 * docs/cli.md, generated from the flag table (flags.ts) so the reference never drifts from the
 * parser. `node --import tsx packages/cli/scripts/generate-cli-docs.ts` writes it; a test fails
 * when the file on disk differs from `renderCliDocs()`.
 */
import { ENV_VARS, HF_HUB_LOG_KEYS, LOG_LEVELS, RUN_FLAGS, type FlagSpec } from './flags.ts';
import { EXPERIMENT_COMMANDS } from './subcommand-flags.ts';
import { ANSWERS_COMMAND } from './answers-flags.ts';

/** Commands documented with their own flag table, after `run`. */
const SUBCOMMANDS = [ANSWERS_COMMAND, ...EXPERIMENT_COMMANDS];

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function valueOf(f: FlagSpec): string {
  const meta = f.metavar ?? 'VALUE';
  switch (f.kind) {
    case 'bool':
      return '(flag)';
    case 'strings':
      return `${meta} [${meta} ...]`;
    case 'optional-string':
    case 'optional-bool':
      return `[${f.choices ? f.choices.join('|') : meta}]`;
    default:
      return f.choices ? f.choices.join('|') : meta;
  }
}

function flagRow(f: FlagSpec): string {
  const shorts = (f.short ?? []).map((s) => `\`-${s}\``).join(', ');
  const def = f.default !== undefined ? `\`${f.default}\`` : f.bareValue !== undefined ? `bare: \`${f.bareValue}\`` : '';
  const defCell = f.default !== undefined && f.bareValue !== undefined ? `${def}; bare: \`${f.bareValue}\`` : def;
  return `| \`--${f.name}\` | ${shorts} | ${cell(valueOf(f))} | ${cell(defCell)} | ${cell(f.help)} |`;
}

export function renderCliDocs(): string {
  const lines: string[] = [];
  const p = (...l: string[]) => lines.push(...l);
  p(
    '# `lm-eval` command line',
    '',
    '<!-- Generated from packages/cli/src/flags.ts and packages/cli/src/docs.ts by',
    '     `node --import tsx packages/cli/scripts/generate-cli-docs.ts`. Do not edit by hand. -->',
    '',
    "The CLI of this TypeScript port follows Python lm-eval's: the same flag names, short forms,",
    'defaults and value parsing (both the v0.4.4 single command and the latest `lm-eval <command>`',
    'form), the same output files and the same results table.',
    '',
    '## Commands',
    '',
    '| command | what it does |',
    '| --- | --- |',
    '| `lm-eval run [flags]` | run an evaluation; `lm-eval run` alone prints its help |',
    '| `lm-eval [flags]` | legacy form: the same as `lm-eval run [flags]` |',
    '| `lm-eval ls tasks\\|groups\\|subtasks\\|tags [--include_path DIR ...] [--verbose]` | markdown tables of the indexed names; `tasks` prints the group, tag and subtask tables; built-in files show as `lm_eval/tasks/...`; `--verbose` adds an `Overrides` column (the other files defining the same name); a name defined in two folders prints one WARNING naming both files; no argument prints help |',
    '| `lm-eval validate [--tasks a,b] [--include_path DIR ...]` | configures each task without loading data (YAML, includes, templates, every `!function`, filters, metrics, samplers, group members); one line per failing task with its file and reason, then `N of M tasks configure` (exit 1 if any fails); without `--tasks`, every task and group in the include paths; `Tasks not found: …` for unknown names. See docs/tasks.md |',
    '| `lm-eval cache stats\\|clear PATH` | inspect or empty a response cache (`--use_cache PATH`), see docs/cache.md |',
    ...SUBCOMMANDS.map((c) => `| \`lm-eval ${c.usage}\` | ${cell(c.what)} |`),
    '| `lm-eval --help`, `lm-eval --version` | |',
    '',
    '## `lm-eval run` flags',
    '',
    'Flags accept `--flag value` and `--flag=value`. Short forms: v0.4.4 `-m` and latest `-M` both mean',
    '`--model`. Precedence: command line > `--config` file > defaults.',
    '',
    '| flag | short | value | default | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...RUN_FLAGS.map(flagRow),
    '',
    ...SUBCOMMANDS.flatMap((c) => [
      `## \`lm-eval ${c.name}\` flags`,
      '',
      `\`lm-eval ${c.usage}\`: ${c.what} (${c.guide ?? 'docs/experiments.md'})`,
      '',
      '| flag | short | value | default | meaning |',
      '| --- | --- | --- | --- | --- |',
      ...c.flags.map(flagRow),
      '',
    ]),
    '## Value formats',
    '',
    '**`--model_args`, `--gen_kwargs`** (and the logging `*_args`): `key=value` items separated by commas,',
    'several space-separated arguments (merged; a repeated key keeps the last value, with a',
    'warning), or a JSON object (`--model_args \'{"pretrained": "x", "dtype": "float32"}\'`). An item is split',
    'at its first `=`. Values are typed as the latest lm-eval CLI does: `true`/`false` (any case) → bool;',
    'digits only → int (so `-1` is the float `-1.0`); anything Python `float()` accepts → float (`1e3` →',
    "`1000.0`); a Python literal (`None`, `[1, 2]`, `'text'`, `{'a': 1}`); else the text as is. With",
    '`--compat 0.4.4` the literal step is skipped (`None` stays the text `None`) and a value containing `=`',
    'is an error, as in lm-eval 0.4.4. `--model_args` is recorded in the results as a dict (latest) or as the',
    'raw text (0.4.4).',
    '',
    '**`--seed`**: one value for all four seeds, or `a,b,c` (the few-shot seed keeps its default 1234, with a',
    'warning) or `a,b,c,d`, in the order python `random`, numpy, torch, few-shot sampler. Items are',
    'integers or `None`. Only the few-shot seed affects prompts.',
    '',
    '**`--limit`**: a number as Python `float()` reads it; `10` evaluates the first 10 docs of each task,',
    '`0.1` the first 10 %. It is recorded as `10.0`. For testing only (a warning says so).',
    '',
    '**`--samples`**: `{"task": [doc indexes]}` as JSON text or the path of a JSON file; exclusive with',
    '`--limit`.',
    '',
    "**`--batch_size`**: an integer, `auto` or `auto:N`; recorded as given (a string). `--max_batch_size`",
    'bounds `auto`.',
    '',
    '**`--apply_chat_template [NAME]`**: bare means true; a value selects one of several named templates of',
    'the tokenizer. **`--fewshot_as_multiturn [BOOL]`**: bare means true; `true`/`1`/`yes` are true, any',
    'other value false; without the flag it is true when a chat template is applied (latest profile) and',
    'false otherwise; true without `--apply_chat_template` is an error.',
    '',
    '**`--metadata`**: a JSON object merged into every task\'s `metadata` after the model arguments.',
    '',
    `**\`--hf_hub_log_args\`** keys: ${HF_HUB_LOG_KEYS.map((k) => `\`${k}\``).join(', ')}. These and`,
    '`--wandb_args`, `--wandb_config_args`, `--trackio_args` are parsed and checked, then a warning says',
    'that the integration is not supported here; nothing leaves the machine.',
    '',
    '**`--config FILE`**: a YAML mapping whose keys are the flag names above, e.g.',
    '',
    '```yaml',
    'model: hf',
    'model_args: {pretrained: models/stories260k, dtype: float32}',
    'tasks: [arc_easy, hellaswag]',
    'num_fewshot: 5',
    'output_path: out',
    'log_samples: true',
    '```',
    '',
    '**`--compat`**: the behaviour profile. Without it, a run whose tasks all come from a folder pinned',
    'to 0.4.4 (a `.lm-eval-profile` file, see docs/profiles.md) uses 0.4.4, else latest.',
    '`--compat 0.4.4 --tasks list` (also `list_groups`, `list_tags`, `list_subtasks`) prints the',
    'listings as lm-eval 0.4.4 does; under latest these are ordinary task names.',
    '',
    '## Output',
    '',
    'Nothing is written without `--output_path`. With it: `<output_path>/<model_name_sanitized>/results_<date>.json`',
    'and, with `--log_samples` or `--predict_only`, `samples_<task>_<date>.jsonl` per task next to it (latest:',
    'an `--output_path` ending in `.json` names the results file; as lm_eval/loggers/evaluation_tracker.py `EvaluationTracker.save_results_aggregated` does).',
    'The CLI then prints the header line `<model> (<model_args>), gen_kwargs: (…), limit: …, num_fewshot: …,',
    'batch_size: …` and the results table (and a groups table when groups were aggregated) on stdout, as',
    'lm-eval prints them. `--show_config` prints the results JSON (task configs included) before the',
    'table. `--write_out` prints the first prompts of each task.',
    '',
    '## Progress and logs',
    '',
    'On a terminal, one status line on stderr shows the current phase (indexing tasks, loading datasets,',
    'building requests, running requests, scoring) and, while requests run, `<type> requests:',
    'done/total (percent) rate ETA`. Nothing is drawn when stderr is not a terminal, when `CI` is set, or',
    'when `TERM=dumb`, so logs and pipes stay clean. Log lines (warnings, `wrote <file>`) go to stderr,',
    `filtered by the level: \`LMEVAL_LOG_LEVEL\`, else \`--verbosity\`, else INFO (${LOG_LEVELS.join(', ')}).`,
    '',
    '## Errors and exit codes',
    '',
    'A failure ends with one line on stderr, the last one printed, naming what is wrong and how to fix',
    "it, e.g. `Error: --seed: 'x' is not an integer or None — example: --seed 1234, …`. Unknown flags",
    'and commands get a suggestion (`did you mean --model_args?`), unknown tasks the closest names,',
    'unknown models the list of backends. With `--verbosity DEBUG` (or `LMEVAL_LOG_LEVEL=DEBUG`) the',
    'stack trace is printed before that line.',
    '',
    '| exit code | meaning |',
    '| --- | --- |',
    '| 0 | success (also `--help`, `--version`) |',
    '| 1 | the evaluation failed, or a flag value, task, model or file is wrong; `validate` found unknown tasks |',
    '| 2 | command-line usage: unknown flag or command, missing flag value, stray argument |',
    '| 130 | interrupted (Ctrl-C); with `--use_cache` the same command resumes |',
    '',
    '## Environment variables',
    '',
    '| variable | effect |',
    '| --- | --- |',
    ...ENV_VARS.map((e) => `| \`${e.name}\` | ${cell(e.help)} |`),
    '',
    '## Examples',
    '',
    '```sh',
    '# a local model through transformers.js',
    'lm-eval --model hf --model_args pretrained=models/stories260k,dtype=float32 --tasks arc_easy --limit 10',
    '',
    '# an OpenAI-compatible server, results and samples on disk, resumable',
    'lm-eval run -M local-completions -a model=m,base_url=http://127.0.0.1:8000/v1/completions \\',
    '  -t arc_easy,hellaswag -o out -s --use_cache cache/run1',
    '',
    '# what is there, and are my names right?',
    'lm-eval ls tasks --include_path my_tasks',
    'lm-eval validate --tasks arc_easy,my_task --include_path my_tasks',
    '',
    '# offline, from a local dataset mirror',
    'LM_EVAL_DATASETS_DIR=/data/mirror HF_HUB_OFFLINE=1 lm-eval --model dummy --tasks arc_easy',
    '```',
    '',
  );
  return lines.join('\n');
}
