/**
 * Every flag of `lm-eval run`, declared once as typed data. The commander parser, `--help` and
 * docs/cli.md are generated from this list (spec: outputs-and-cli.md §6).
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
  /** short forms without dash (several allowed: v0.4.4 `-m`, latest `-M`) */
  short?: string[];
  kind: FlagKind;
  /** placeholder shown in help */
  metavar?: string;
  /** value when the flag is absent (as the Python harness defaults it) */
  default?: unknown;
  /** value of a bare optional flag */
  bareValue?: unknown;
  choices?: string[];
  help: string;
  /** accepted for compatibility; what we do with it */
  note?: string;
}

export const RUN_FLAGS: FlagSpec[] = [
  { name: 'config', short: ['C'], kind: 'string', metavar: 'FILE', help: 'YAML file whose keys are any of these option names; command-line flags win over it.' },
  { name: 'tasks', short: ['t'], kind: 'strings', metavar: 'TASK', help: 'Comma- or space-separated task, group or tag names (globs allowed), task YAML paths, or a directory of YAML files.' },
  { name: 'model', short: ['M', 'm'], kind: 'string', metavar: 'NAME', default: 'hf', help: 'Model backend: hf, local-completions, local-chat-completions, openai-completions, openai-chat-completions, vllm, dummy.' },
  { name: 'model_args', short: ['a'], kind: 'strings', metavar: 'ARGS', default: '', help: "Backend arguments: 'k=v,k2=v2' items or a JSON object; values are typed (true/false, ints, floats, Python literals)." },
  { name: 'apply_chat_template', kind: 'optional-string', metavar: 'NAME', default: false, bareValue: true, help: "Render prompts with the model's chat template; a value names one of several templates (recorded in results)." },
  { name: 'fewshot_as_multiturn', kind: 'optional-bool', metavar: 'BOOL', bareValue: true, help: 'Few-shot examples as user/assistant turns (default: true with a chat template in the latest profile, false in 0.4.4).' },
  { name: 'system_instruction', kind: 'string', metavar: 'TEXT', help: 'System instruction placed before the prompt (a system message with a chat template).' },
  { name: 'num_fewshot', short: ['f'], kind: 'int', metavar: 'N', help: "Number of few-shot examples (overrides every task except those whose YAML says num_fewshot: 0)." },
  { name: 'limit', short: ['L'], kind: 'float', metavar: 'N', help: 'Evaluate only the first N docs of each task (a value below 1.0 is a fraction). For testing only.' },
  { name: 'samples', short: ['E'], kind: 'string', metavar: 'JSON', help: 'JSON object (or path to a JSON file) {"task": [doc indexes]} selecting docs; exclusive with --limit.' },
  { name: 'batch_size', short: ['b'], kind: 'string', metavar: 'N', default: 1, help: "Batch size: an integer, 'auto' or 'auto:N'." },
  { name: 'max_batch_size', kind: 'int', metavar: 'N', help: "Upper bound for --batch_size auto." },
  { name: 'device', kind: 'string', metavar: 'DEVICE', help: 'Device for in-process backends (cpu, cuda, cuda:0).' },
  { name: 'gen_kwargs', kind: 'strings', metavar: 'ARGS', help: "Generation arguments merged into every generate_until task, 'k=v,k2=v2' or a JSON object." },
  { name: 'output_path', short: ['o'], kind: 'string', metavar: 'DIR', help: 'Folder (or .json file path) for results_*.json and samples_*.jsonl.' },
  { name: 'log_samples', short: ['s'], kind: 'bool', help: 'Write per-doc samples_<task>_<date>.jsonl files (needs --output_path).' },
  { name: 'predict_only', short: ['x'], kind: 'bool', help: 'Only collect model outputs (metrics become bypass); implies --log_samples.' },
  { name: 'use_cache', short: ['c'], kind: 'string', metavar: 'PATH', help: 'SQLite response cache path prefix (<PATH>_rank0.db); reruns resume from it.' },
  { name: 'cache_requests', kind: 'optional-string', metavar: 'MODE', bareValue: 'true', choices: ['true', 'refresh', 'delete'], help: 'Cache built requests per task: true (use), refresh (rebuild), delete (remove all).' },
  { name: 'check_integrity', kind: 'bool', help: "Accepted for compatibility: Python lm-eval runs its own test-suite here; this harness's tests run with `pnpm test`.", note: 'prints a note' },
  { name: 'write_out', short: ['w'], kind: 'bool', help: 'Print the prompt and target of the first doc of each task.' },
  { name: 'show_config', kind: 'bool', help: 'Print the full results JSON (task configs included) before the table.' },
  { name: 'include_path', kind: 'strings', metavar: 'DIR', help: 'Extra folder(s) of task YAML files.' },
  { name: 'compat', kind: 'string', metavar: 'PROFILE', choices: ['0.4.4', 'latest'], help: "Behaviour profile: '0.4.4' (MERA's pinned harness) or 'latest'. Default: per task folder (.lm-eval-profile), else latest." },
  { name: 'verbosity', short: ['v'], kind: 'string', metavar: 'LEVEL', help: 'Log level: DEBUG, INFO, WARNING, ERROR, CRITICAL (env LMEVAL_LOG_LEVEL wins).' },
  { name: 'seed', kind: 'string', metavar: 'SEEDS', default: '0,1234,1234,1234', help: "Seeds for python random, numpy, torch and the few-shot sampler: one value for all, or 3 or 4 comma-separated values (None allowed)." },
  { name: 'trust_remote_code', kind: 'bool', help: 'Sets trust_remote_code=True in the model arguments (no remote code is ever executed here).' },
  { name: 'confirm_run_unsafe_code', kind: 'bool', help: 'Allow tasks that execute model-generated code (sandboxed).' },
  { name: 'metadata', kind: 'string', metavar: 'JSON', help: "JSON object merged into every task's metadata (after the model arguments)." },
  { name: 'hf_hub_log_args', kind: 'strings', metavar: 'ARGS', help: 'Hugging Face Hub logging arguments (validated; pushing results to the Hub is not supported here).', note: 'validated, not supported' },
  { name: 'wandb_args', kind: 'strings', metavar: 'ARGS', help: 'Weights & Biases init arguments (validated; W&B logging is not supported here).', note: 'validated, not supported' },
  { name: 'wandb_config_args', kind: 'strings', metavar: 'ARGS', help: 'Weights & Biases config arguments (validated; not supported here).', note: 'validated, not supported' },
  { name: 'trackio_args', kind: 'strings', metavar: 'ARGS', help: 'Trackio arguments (validated; not supported here).', note: 'validated, not supported' },
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
