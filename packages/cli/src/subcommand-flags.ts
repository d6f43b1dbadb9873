/**
 * Flags of the experiment-set commands (`experiments run`, `merge`, `report`, `compare`), declared
 * once as data: commander options and docs/cli.md come from these lists.
 */
import type { FlagSpec } from './flags.ts';

export const SHARD_FLAG: FlagSpec = {
  name: 'shard',
  kind: 'string',
  metavar: 'I/N',
  help: 'Run only shard I of N (documents chosen by a stable hash of experiment, task and document); default from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX (+ LM_EVAL_SHARD_COUNT). Combine shard outputs with `lm-eval merge`.',
};

export const EXPERIMENTS_RUN_FLAGS: FlagSpec[] = [
  { name: 'output_path', short: ['o'], kind: 'string', metavar: 'DIR', help: 'Folder for one sub-folder per experiment, leaderboard.md, report.html and the shared response cache (required).' },
  { name: 'tasks', short: ['t'], kind: 'strings', metavar: 'TASK', help: "Tasks to run, replacing the file's (needed for DeathMath's run.yaml, which names none)." },
  { name: 'include_path', kind: 'strings', metavar: 'DIR', help: "Extra task folder(s), replacing the file's include_path." },
  SHARD_FLAG,
  { name: 'main_metric', kind: 'string', metavar: 'METRIC', help: 'Leaderboard sort key: `metric`, `task/metric` or `task/metric,filter` (default: the file\'s main_metric, else the first column).' },
  { name: 'max_parallel', kind: 'int', metavar: 'N', default: '8', help: 'Experiments evaluated at once (requests are limited per endpoint in any case).' },
  { name: 'dry_run', kind: 'bool', help: 'Print the plan (experiments, models, endpoints, seeds) and exit without running.' },
  { name: 'verbosity', short: ['v'], kind: 'string', metavar: 'LEVEL', help: 'Log level (DEBUG, INFO, WARNING, ERROR, CRITICAL); LMEVAL_LOG_LEVEL wins.' },
];

export const MERGE_FLAGS: FlagSpec[] = [
  { name: 'output_path', short: ['o'], kind: 'string', metavar: 'DIR', help: 'Folder for the merged output (required).' },
  { name: 'include_path', kind: 'strings', metavar: 'DIR', help: 'Extra task folder(s) the shards were run with (to re-aggregate their metrics and groups).' },
];

export const REPORT_FLAGS: FlagSpec[] = [
  { name: 'output_path', short: ['o'], kind: 'string', metavar: 'DIR', help: 'Folder for leaderboard.md and report.html (required).' },
  { name: 'main_metric', kind: 'string', metavar: 'METRIC', help: 'Leaderboard sort key: `metric`, `task/metric` or `task/metric,filter` (default: the first column).' },
  { name: 'title', kind: 'string', metavar: 'TEXT', help: 'Title of the leaderboard and the report.' },
];

export const COMPARE_FLAGS: FlagSpec[] = [
  { name: 'max_flips', kind: 'int', metavar: 'N', default: '20', help: 'Flipped documents listed per task and metric.' },
  { name: 'output_path', short: ['o'], kind: 'string', metavar: 'FILE', help: 'Also write the comparison as JSON to this file.' },
];

export interface SubcommandDoc {
  name: string;
  usage: string;
  what: string;
  flags: FlagSpec[];
  /** the guide that explains the command (default docs/experiments.md) */
  guide?: string;
}

/** The experiment-set commands as docs/cli.md lists them. */
export const EXPERIMENT_COMMANDS: SubcommandDoc[] = [
  {
    name: 'experiments run',
    usage: 'experiments run FILE --output_path DIR',
    what: 'run an experiment set (native file, EvalAP experiment-set JSON or DeathMath run.yaml): one folder of lm-eval output per experiment, DIR/leaderboard.md and DIR/report.html; rerunning resumes',
    flags: EXPERIMENTS_RUN_FLAGS,
  },
  {
    name: 'merge',
    usage: 'merge DIR... --output_path OUT',
    what: 'combine the outputs of `--shard i/n` runs (an experiment set, or a plain `lm-eval run --shard i/n --log_samples`) into the files one unsharded run writes: samples in order, metrics, stderrs and group aggregates recomputed from the per-sample rows',
    flags: MERGE_FLAGS,
  },
  {
    name: 'report',
    usage: 'report DIR_OR_FILE... --output_path OUT',
    what: 'build OUT/leaderboard.md and OUT/report.html (one self-contained page: sortable leaderboard, charts, heatmap, repeat spread, run details, sample browser with diffs) from any lm-eval outputs, including Python-written ones',
    flags: REPORT_FLAGS,
  },
  {
    name: 'compare',
    usage: 'compare A B',
    what: 'per task and metric: A, B, B − A with a 95% interval and a paired test over the documents both scored (McNemar exact for 0/1 metrics, else a paired permutation test), and the documents whose outcome flipped',
    flags: COMPARE_FLAGS,
  },
];
