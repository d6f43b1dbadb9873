/**
 * Every flag of `lm-eval run`, declared once as typed data. The commander parser, `--help` and
 * docs/cli.md are generated from this list (the flags of lm-eval's lm_eval/_cli/run.py;
 * v0.4.4: lm_eval/__main__.py `setup_parser`). Environment variables
 * the CLI honours are listed here too, for the same docs.
 */
export type FlagKind =
  | 'string' // one value
  | 'strings' // one or more values (space separated), each kept
  | 'int'
  | 'float'
  | 'bool' // presence flag
  | 'optional-string' // bare flag or a value
  | 'optional-bool'; // bare flag (true) or a value parsed as a boolean

export interface FlagSpec {
  /** option name as typed, without dashes: `model_args` */
  name: string;
  /** short forms without dash; the first is declared, the others are aliases (v0.4.4 `-m` = latest `-M`) */
  short?: string[];
  kind: FlagKind;
  /** placeholder shown in help */
  metavar?: string;
  /** the default as documented (what an absent flag means) */
  default?: string;
  /** value of a bare optional flag */
  bareValue?: string | boolean;
  /** accepted values (checked by the parser for 'string' flags, by run.ts otherwise) */
  choices?: string[];
  help: string;
  /** accepted for compatibility only: what we do with it */
  note?: string;
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;

export const RUN_FLAGS: FlagSpec[] = [
  { name: 'config', short: ['C'], kind: 'string', metavar: 'FILE', help: 'YAML file whose keys are any of these option names (e.g. `model_args: {pretrained: x}`); command-line flags win over it.' },
  { name: 'tasks', short: ['t'], kind: 'strings', metavar: 'TASK', help: 'Task, group or tag names (comma- or space-separated, globs allowed), task YAML paths, or a folder of YAML files.' },
  { name: 'model', short: ['M', 'm'], kind: 'string', metavar: 'NAME', default: 'hf', help: 'Model backend: hf, local-completions, local-chat-completions, openai-completions, openai-chat-completions, gguf (llama.cpp llama-server), anthropic-chat-completions, anthropic-completions, vllm, dummy.' },
  { name: 'model_args', short: ['a'], kind: 'strings', metavar: 'ARGS', default: '{}', help: "Backend arguments: 'k=v,k2=v2' items (several arguments are merged, later wins) or a JSON object. Values are typed: true/false, integers, floats, Python literals, else text. `lm-eval run --model NAME --help` lists the arguments of a backend." },
  { name: 'apply_chat_template', kind: 'optional-string', metavar: 'NAME', default: 'false', bareValue: true, help: "Render prompts with the model's chat template; a value names one of several templates of the tokenizer." },
  { name: 'fewshot_as_multiturn', kind: 'optional-bool', metavar: 'BOOL', bareValue: true, default: 'true with a chat template (latest), else false', help: 'Few-shot examples as alternating user/assistant turns (needs --apply_chat_template). A value: true/1/yes, anything else is false.' },
  { name: 'system_instruction', kind: 'string', metavar: 'TEXT', help: 'System instruction placed before the prompt (a system message with a chat template).' },
  { name: 'num_fewshot', short: ['f'], kind: 'int', metavar: 'N', help: 'Number of few-shot examples (overrides every task except those whose YAML says num_fewshot: 0).' },
  { name: 'limit', short: ['L'], kind: 'float', metavar: 'N', help: 'Evaluate only the first N docs of each task; a value below 1.0 is a fraction of the docs. For testing only.' },
  { name: 'shard', kind: 'string', metavar: 'I/N', help: 'Evaluate only shard I of N of the documents (stable hash of task and document; needs --log_samples and --output_path); `auto` reads SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX + LM_EVAL_SHARD_COUNT. Combine the N outputs with `lm-eval merge`.' },
  { name: 'samples', short: ['E'], kind: 'string', metavar: 'JSON', help: 'JSON object {"task": [doc indexes]} (or the path of a JSON file holding one) selecting the docs to evaluate; exclusive with --limit.' },
  { name: 'batch_size', short: ['b'], kind: 'string', metavar: 'N', default: '1', help: "Batch size: an integer, 'auto' or 'auto:N' (re-detect N times)." },
  { name: 'max_batch_size', kind: 'int', metavar: 'N', help: 'Upper bound for --batch_size auto.' },
  { name: 'device', kind: 'string', metavar: 'DEVICE', default: 'cuda:0 (latest), none (0.4.4)', help: 'Device for in-process backends (cpu, cuda, cuda:0).' },
  { name: 'gen_kwargs', kind: 'strings', metavar: 'ARGS', default: '{}', help: "Generation arguments merged into every generate_until task: 'k=v,k2=v2' items or a JSON object, typed like --model_args." },
  { name: 'output_path', short: ['o'], kind: 'string', metavar: 'PATH', help: 'Folder for <model>/results_<date>.json and samples_<task>_<date>.jsonl (a path ending in .json names the results file).' },
  { name: 'log_samples', short: ['s'], kind: 'bool', help: 'Write per-doc samples_<task>_<date>.jsonl files (needs --output_path).' },
  { name: 'predict_only', short: ['x'], kind: 'bool', help: 'Only collect model outputs (metrics become bypass); implies --log_samples.' },
  { name: 'use_cache', short: ['c'], kind: 'string', metavar: 'PATH', help: 'SQLite response cache path prefix (<PATH>_rank0.db); a rerun answers cached requests from it (resume after a crash).' },
  { name: 'cache_requests', kind: 'optional-string', metavar: 'MODE', bareValue: 'true', choices: ['true', 'refresh', 'delete'], help: 'Cache built requests per task: true (use), refresh (rebuild), delete (remove them). Bare flag: true.' },
  { name: 'check_integrity', kind: 'bool', help: "Accepted for compatibility: Python lm-eval runs its test-suite here; this harness's tests run with `pnpm test`. The evaluation runs as usual.", note: 'prints a warning' },
  { name: 'write_out', short: ['w'], kind: 'bool', help: 'Print the prompt and target of the first docs of each task.' },
  { name: 'show_config', kind: 'bool', help: 'Print the full results JSON (task configs included) before the table.' },
  { name: 'include_path', kind: 'strings', metavar: 'DIR', help: 'Extra folder(s) of task YAML files; repeat the flag or separate folders with ":". Later folders override earlier ones and the built-in tasks (one WARNING per name, naming both files). A missing folder is an error.' },
  { name: 'python', kind: 'string', metavar: 'PATH', default: '$LM_EVAL_PYTHON, else python3', help: "Python interpreter for task helpers written in Python (a `!function` whose module is a .py file next to the YAML, with no TypeScript module of that name); they run in one worker process per run and execute the task folder's code, as lm-eval does." },
  { name: 'compat', kind: 'string', metavar: 'PROFILE', choices: ['0.4.4', 'latest'], default: 'per task folder (.lm-eval-profile), else latest', help: "Behaviour profile: '0.4.4' (MERA's pinned harness) or 'latest'. With 0.4.4, --model_args is typed as v0.4.4 does and --tasks list|list_groups|list_tags|list_subtasks lists." },
  { name: 'verbosity', short: ['v'], kind: 'string', metavar: 'LEVEL', default: 'INFO', help: 'Log level: DEBUG, INFO, WARNING, ERROR, CRITICAL (case-insensitive; env LMEVAL_LOG_LEVEL wins). DEBUG adds stack traces to errors.' },
  { name: 'seed', kind: 'string', metavar: 'SEEDS', default: '0,1234,1234,1234', help: 'Seeds of python random, numpy, torch and the few-shot sampler: one value for all four, or 3 or 4 comma-separated values; None leaves one unset.' },
  { name: 'trust_remote_code', kind: 'bool', help: 'Sets trust_remote_code=True in the model arguments (and HF_DATASETS_TRUST_REMOTE_CODE); no remote code is ever executed here.' },
  { name: 'judge_model', kind: 'strings', metavar: 'ARGS', help: "Judge of the tasks' judge metrics that name none in their metric_list: 'base_url=...,model=...' arguments of its backend; backend=NAME picks the backend (default local-chat-completions). See docs/judges.md." },
  { name: 'confirm_run_unsafe_code', kind: 'bool', help: 'Allow tasks marked unsafe_code: true (they execute model-generated code).' },
  { name: 'strict', kind: 'bool', help: 'Turn the model backend\'s warnings about doubtful settings into errors (e.g. a model= name the server\'s /v1/models does not list).' },
  { name: 'skip_unsupported_tasks', kind: 'bool', help: 'Run only the tasks the model backend can serve (its preflight checks every task before the first request); by default a run with any such task is refused, listing them all.' },
  { name: 'metadata', kind: 'string', metavar: 'JSON', default: '{}', help: "JSON object merged into every task's metadata (after the model arguments)." },
  { name: 'hf_hub_log_args', kind: 'strings', metavar: 'ARGS', help: 'Hugging Face Hub logging arguments (k=v,...). Keys are validated; pushing to the Hub is not supported here, results stay in --output_path.', note: 'validated, not supported' },
  { name: 'wandb_args', kind: 'strings', metavar: 'ARGS', help: 'Weights & Biases init arguments (k=v,...). Validated; W&B logging is not supported here.', note: 'validated, not supported' },
  { name: 'wandb_config_args', kind: 'strings', metavar: 'ARGS', help: 'Weights & Biases config arguments (k=v,...). Validated; not supported here.', note: 'validated, not supported' },
  { name: 'trackio_args', kind: 'strings', metavar: 'ARGS', help: 'Trackio arguments (k=v,...). Validated; not supported here.', note: 'validated, not supported' },
];

export const HF_HUB_LOG_KEYS = [
  'hub_results_org',
  'hub_repo_name',
  'details_repo_name',
  'results_repo_name',
  'push_results_to_hub',
  'push_samples_to_hub',
  'public_repo',
  'leaderboard_url',
  'point_of_contact',
  'gated',
];

export interface EnvVarSpec {
  name: string;
  help: string;
}

/** Environment variables the CLI and the libraries it runs read. */
export const ENV_VARS: EnvVarSpec[] = [
  { name: 'LM_EVAL_DATASETS_DIR', help: 'Offline dataset mirror: split S of dataset P (config N) is read from `$LM_EVAL_DATASETS_DIR/P/N/S.{jsonl,json,parquet,csv}` (N = `default` without a config name) before the Hub is tried. See docs/datasets.md.' },
  { name: 'LM_EVAL_PYTHON', help: 'Python interpreter for Python task helpers (`--python` wins) and for the vllm backend (model_args python= wins); default python3.' },
  { name: 'SLURM_ARRAY_TASK_ID', help: 'With SLURM_ARRAY_TASK_COUNT (and SLURM_ARRAY_TASK_MIN, default 0): the shard of `lm-eval experiments run` (and of `lm-eval run --shard auto`) is task id − min + 1 of the count. See docs/experiments.md.' },
  { name: 'JOB_COMPLETION_INDEX', help: 'Kubernetes Indexed Job: shard index + 1 of LM_EVAL_SHARD_COUNT (or JOB_COMPLETIONS) shards, read like the Slurm variables.' },
  { name: 'LMEVAL_LOG_LEVEL', help: 'Log level (DEBUG, INFO, WARNING, ERROR, CRITICAL); wins over --verbosity.' },
  { name: 'HF_TOKEN', help: 'Hugging Face token for gated/private datasets and tokenizers (also read: HUGGING_FACE_HUB_TOKEN, then the token file $HF_TOKEN_PATH or $HF_HOME/token).' },
  { name: 'HF_ENDPOINT', help: 'Hugging Face Hub endpoint (default https://huggingface.co), e.g. a mirror.' },
  { name: 'HF_HUB_OFFLINE', help: 'Set to 1 to use only the local Hub cache (no network); HF_DATASETS_OFFLINE=1 does the same for datasets.' },
  { name: 'HF_HOME', help: 'Root of the Hugging Face cache (default ~/.cache/huggingface, or $XDG_CACHE_HOME/huggingface); the Hub cache is $HF_HOME/hub.' },
  { name: 'HF_HUB_CACHE', help: 'The Hub cache folder itself (wins over HF_HOME).' },
  { name: 'HF_DATASETS_CACHE', help: "Accepted (MERA sets it); the Python `datasets` library's Arrow cache has no counterpart here: datasets are read from the Hub cache (HF_HUB_CACHE / HF_HOME) or LM_EVAL_DATASETS_DIR." },
  { name: 'HF_DATASETS_TRUST_REMOTE_CODE', help: 'Accepted; --trust_remote_code sets it. Dataset loading scripts are never run here.' },
  { name: 'TOKENIZERS_PARALLELISM', help: 'Set to false by the CLI when unset (as lm-eval does); the native Hugging Face tokenizers (tokenizer.json folders) then encode each batch on one thread, off the event loop; true lets them use every core.' },
  { name: 'LM_HARNESS_CACHE_PATH', help: 'Folder of the request cache (--cache_requests).' },
  { name: 'LMEVAL_TASK_INDEX_CACHE', help: 'Base file name of the task-index cache: one file per indexed folder, <base>.scan-<hash>.json (each task YAML file\'s index keys, checked against its size and times; the 16 most recently used folders kept), and snapshots of whole indexes, <base>.snapshot-<hash>.json (an unchanged tree is indexed by checking the times of its folders and files, without reading them); default $XDG_CACHE_HOME/lm-eval-ts/task-index.json (~/.cache/...; the base file itself, the single-file cache of earlier versions, is removed); off disables both.' },
  { name: 'LMEVAL_NATIVE_TOKENIZERS', help: 'Set to 0 to encode with transformers.js only; by default tokenizer.json folders are encoded in batches by Hugging Face\'s native tokenizers when they give the same ids on a probe set.' },
  { name: 'OPENAI_API_KEY', help: 'Bearer token for local-* (may be empty) and openai-* (required) backends.' },
  { name: 'CI', help: 'When set (and not false/0), no progress display is drawn even on a terminal (plain progress lines are printed instead, see LMEVAL_PROGRESS_INTERVAL).' },
  { name: 'LMEVAL_PROGRESS_INTERVAL', help: 'Off a terminal: seconds between plain progress lines (requests done/total, rate, ETA, request type and tasks) for work that lasts longer than that; default 10.' },
  { name: 'LMEVAL_WAIT_NOTICE_SECS', help: 'API backends: seconds without any answer, while requests are outstanding, before "waiting for <url>: no answer for N s" is printed (then at growing intervals); default 10.' },
];
