/**
 * `lm-eval` entry point: `run` (also the legacy form without a command), `ls`, `validate`,
 * `cache stats|clear`. Every user error ends the process with a non-zero code and one clear
 * line, the last one printed: `Error: <what> — <hint>`. `--verbosity DEBUG` (or
 * LMEVAL_LOG_LEVEL=DEBUG) prints the stack trace before it.
 *
 * This module loads only commander and the flag table; each command imports its own
 * implementation when it runs, so `--help` and `ls` start fast.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { RUN_FLAGS, type FlagSpec } from './flags.ts';
import { ANSWERS_FLAGS } from './answers-flags.ts';
import { ExitCode } from './exit.ts';
import { closest } from '@lm-eval/core/light';
import { COMPARE_FLAGS, EXPERIMENTS_RUN_FLAGS, MERGE_FLAGS, REPORT_FLAGS } from './subcommand-flags.ts';

export { ExitCode } from './exit.ts';

export const COMMANDS = ['run', 'answers', 'ls', 'validate', 'cache', 'experiments', 'merge', 'report', 'compare', 'help'];

const VERSION = (() => {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version as string;
  } catch {
    return '0.0.0';
  }
})();

/** Flags whose next token is always their value (commander takes it even if it starts with '-'). */
const VALUE_TAKING = new Set(
  RUN_FLAGS.filter((f) => ['string', 'int', 'float'].includes(f.kind)).flatMap((f) => [`--${f.name}`, ...(f.short ?? []).map((s) => `-${s}`)]),
);

/** Short aliases commander cannot declare twice: v0.4.4 `-m` is latest `-M` (--model). */
export function normaliseArgv(argv: string[]): string[] {
  const alias = new Map<string, string>();
  for (const f of RUN_FLAGS) for (const s of (f.short ?? []).slice(1)) alias.set(`-${s}`, `-${f.short![0]}`);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = alias.get(argv[i]) ?? argv[i];
    out.push(a);
    if (a === '--') {
      out.push(...argv.slice(i + 1));
      break;
    }
    if (VALUE_TAKING.has(a) && i + 1 < argv.length) out.push(argv[++i]);
  }
  return out;
}

function toOption(f: FlagSpec): Option {
  const short = f.short?.[0] ? `-${f.short[0]}, ` : '';
  const meta = (f.metavar ?? 'value').toLowerCase();
  let flags: string;
  switch (f.kind) {
    case 'bool':
      flags = `${short}--${f.name}`;
      break;
    case 'strings':
      flags = `${short}--${f.name} <${meta}...>`;
      break;
    case 'optional-string':
    case 'optional-bool':
      flags = `${short}--${f.name} [${meta}]`;
      break;
    default:
      flags = `${short}--${f.name} <${meta}>`;
  }
  const aliases = (f.short ?? []).slice(1).map((s) => `-${s}`);
  const help = f.help + (aliases.length ? ` (also ${aliases.join(', ')})` : '') + (f.default !== undefined ? ` [default: ${f.default}]` : '');
  const opt = new Option(flags, help);
  if (f.choices && f.kind === 'string') opt.choices(f.choices);
  if (f.bareValue !== undefined) opt.preset(f.bareValue);
  return opt;
}

export function addRunOptions(cmd: Command): Command {
  for (const f of RUN_FLAGS) cmd.addOption(toOption(f));
  return cmd;
}

function addOptions(cmd: Command, flags: FlagSpec[]): Command {
  for (const f of flags) cmd.addOption(toOption(f));
  return cmd;
}

/** `run --help` with `--model NAME` (or `-M NAME`, `--model=NAME`): the backend whose arguments to list. */
function helpModel(argv: string[]): string | null {
  if (argv[0] !== 'run' || !argv.some((a) => a === '--help' || a === '-h')) return null;
  for (let i = 1; i < argv.length; i++) {
    if ((argv[i] === '--model' || argv[i] === '-M') && i + 1 < argv.length) return argv[i + 1];
    if (argv[i].startsWith('--model=')) return argv[i].slice('--model='.length);
  }
  return null;
}

function buildProgram(modelArgsHelp: string | null = null): Command {
  const program = new Command('lm-eval')
    .description('Evaluate language models on lm-eval tasks (TypeScript port of EleutherAI lm-evaluation-harness).')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .addHelpText(
      'after',
      '\nThe legacy form `lm-eval --model M --tasks T ...` means `lm-eval run --model M --tasks T ...`.\nFlags, value formats and environment variables: docs/cli.md.',
    );

  const run = addRunOptions(
    program
      .command('run')
      .description('Run an evaluation (the legacy form `lm-eval --tasks … --model …` means the same).')
      .allowExcessArguments(false),
  );
  if (modelArgsHelp) run.addHelpText('after', `\n${modelArgsHelp}`);
  run.action(async (opts) => {
    const { runCommand } = await import('./run.ts');
    return runCommand(opts);
  });

  program
    .command('ls')
    .description('List tasks, groups, subtasks or tags as markdown tables.')
    .argument('[what]', 'tasks | groups | subtasks | tags')
    .option('--include_path <dir...>', 'extra folder(s) of task YAML files (repeat the flag or separate with ":"; later folders override earlier ones and the built-in tasks)')
    .option('--verbose', 'add an Overrides column: the other files that define the same name')
    .action(async (what, opts, cmd: Command) => {
      if (!what) {
        cmd.outputHelp();
        return;
      }
      const { lsCommand } = await import('./ls.ts');
      return lsCommand(what, opts);
    });

  program
    .command('validate')
    .description('Configure tasks without loading data (YAML, includes, templates, !function, filters, metrics, samplers, groups); one line per failing task, then "N of M tasks configure".')
    .option('-t, --tasks <task...>', 'task names, comma- or space-separated (default: every task in the --include_path folders)')
    .option('--include_path <dir...>', 'extra folder(s) of task YAML files')
    .option('--python <path>', 'Python for task helpers in .py files (default: $LM_EVAL_PYTHON, else python3); only probed, never runs the helpers')
    .action(async (opts) => {
      const { validateCommand } = await import('./ls.ts');
      return validateCommand(opts);
    });

  const cache = program.command('cache').description('Inspect or reset a response cache (--use_cache PATH).');
  cache
    .command('stats')
    .argument('<path>', 'the --use_cache path prefix or the .db file')
    .action(async (p) => {
      const { cacheStatsCommand } = await import('./cache.ts');
      return cacheStatsCommand(p);
    });
  cache
    .command('clear')
    .argument('<path>', 'the --use_cache path prefix or the .db file')
    .action(async (p) => {
      const { cacheClearCommand } = await import('./cache.ts');
      return cacheClearCommand(p);
    });
  addOptions(
    program
      .command('answers')
      .description('Generate answers to a dataset of open questions (EvalAP-style files per repetition) and score them with answer and judge metrics (docs/judges.md).')
      .allowExcessArguments(false),
    ANSWERS_FLAGS,
  ).action(async (opts) => {
    const { answersCommand } = await import('./answers.ts');
    return answersCommand(opts);
  });
  const experiments = program.command('experiments').description('Experiment sets: many models × tasks × settings × repeats in one resumable run (docs/experiments.md).');
  addOptions(
    experiments
      .command('run')
      .description('Run every experiment of a file (native, EvalAP experiment set or DeathMath run.yaml); writes one folder per experiment, leaderboard.md and report.html.')
      .argument('<file>', 'experiment file (YAML or JSON)')
      .allowExcessArguments(false),
    EXPERIMENTS_RUN_FLAGS,
  ).action(async (file, opts) => {
    const { experimentsRunCommand } = await import('./experiments.ts');
    return experimentsRunCommand(file, opts);
  });
  addOptions(
    program
      .command('merge')
      .description('Combine the outputs of `--shard i/n` runs (experiment sets or plain runs) into the files one unsharded run writes.')
      .argument('<dirs...>', 'the shard output folders'),
    MERGE_FLAGS,
  ).action(async (dirs, opts) => {
    const { mergeCommand } = await import('./results-commands.ts');
    return mergeCommand(dirs, opts);
  });
  addOptions(
    program
      .command('report')
      .description('Build leaderboard.md and report.html from lm-eval outputs (folders or results_*.json files, ours or Python lm-eval\'s).')
      .argument('<inputs...>', 'output folders or results files'),
    REPORT_FLAGS,
  ).action(async (inputs, opts) => {
    const { reportCommand } = await import('./results-commands.ts');
    return reportCommand(inputs, opts);
  });
  addOptions(
    program
      .command('compare')
      .description('Compare two runs per task and metric: difference, paired significance from the per-sample rows, flipped documents.')
      .argument('<a>', 'run A: an output folder or results file')
      .argument('<b>', 'run B')
      .allowExcessArguments(false),
    COMPARE_FLAGS,
  ).action(async (a, b, opts) => {
    const { compareCommand } = await import('./results-commands.ts');
    return compareCommand(a, b, opts);
  });
  return program;
}

/** One line: newlines folded, trailing punctuation kept. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** The last line of a failed command. */
export function errorLine(e: unknown): string {
  const err = (e ?? {}) as { name?: string; message?: string; hint?: string };
  const message = oneLine(err.message ?? String(e));
  if (err.name === 'LmEvalError') return `Error: ${message}${err.hint ? ` — ${oneLine(err.hint)}` : ''}`;
  // not a user error we anticipated: keep the error type, point at the stack trace
  const type = err.name && err.name !== 'Error' ? `${err.name}: ` : '';
  return `Error: ${type}${message}${err.hint ? ` — ${oneLine(err.hint)}` : ''} (rerun with --verbosity DEBUG for the stack trace)`;
}

function commanderLine(e: CommanderError, command: string): string {
  let msg = e.message.replace(/^error: /, '');
  // "unknown option '--modle'\n(Did you mean --model?)" -> one line
  msg = msg.replace(/\s*\n\s*\(Did you mean (.+)\?\)/, ' — did you mean $1?');
  return `Error: ${oneLine(msg)} (see \`lm-eval ${command}--help\`)`;
}

function printStack(e: unknown): void {
  let cur: unknown = e;
  let first = true;
  while (cur && typeof cur === 'object') {
    const c = cur as { stack?: string; cause?: unknown };
    if (c.stack) process.stderr.write(`${first ? '' : 'Caused by: '}${c.stack}\n`);
    first = false;
    cur = c.cause;
  }
}

function wantsDebug(argv: string[]): boolean {
  if ((process.env.LMEVAL_LOG_LEVEL ?? '').trim().toUpperCase() === 'DEBUG') return true;
  return argv.some(
    (a, i) => ((a === '--verbosity' || a === '-v') && (argv[i + 1] ?? '').toUpperCase() === 'DEBUG') || a.toUpperCase() === '--VERBOSITY=DEBUG',
  );
}

export async function main(argvIn: string[]): Promise<number> {
  // as lm-eval does: HF tokenizers must not fork-warn (no effect on the JS tokenizers)
  process.env.TOKENIZERS_PARALLELISM ??= 'false';
  // `lm-eval ls tasks | head`: a closed pipe ends the process quietly instead of with a stack trace
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  let argv = argvIn;
  const debug = wantsDebug(argv);
  if (argv.length === 0) argv = ['--help'];
  else if (!COMMANDS.includes(argv[0]) && !['--help', '-h', '--version', '-V'].includes(argv[0])) {
    if (!argv[0].startsWith('-')) {
      const near = closest(argv[0], COMMANDS.filter((c) => c !== 'help'));
      process.stderr.write(
        `Error: unknown command '${argv[0]}'${near ? ` — did you mean '${near}'?` : ''} (commands: ${COMMANDS.filter((c) => c !== 'help').join(', ')}; see \`lm-eval --help\`)\n`,
      );
      return 2;
    }
    // legacy form: `lm-eval --model hf --tasks x` = `lm-eval run --model hf --tasks x`
    argv = ['run', ...argv];
  }
  if (argv[0] === 'run') argv = ['run', ...normaliseArgv(argv.slice(1))];
  if (argv.length === 1 && argv[0] === 'run') argv = ['run', '--help'];
  const command = COMMANDS.includes(argv[0]) && argv[0] !== 'help' ? `${argv[0]} ` : '';
  const model = helpModel(argv);
  const program = buildProgram(model ? await (await import('./backends.ts')).modelArgsHelpText(model) : null);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof ExitCode) return e.code;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      let line = commanderLine(e, command);
      if (e.code === 'commander.excessArguments') {
        // name the stray words: usually a value whose flag was forgotten (`lm-eval --model hf arc_easy`)
        const stray = program.commands.find((c) => c.name() === argv[0])?.args ?? [];
        if (stray.length) line = `Error: unexpected argument${stray.length > 1 ? 's' : ''} ${stray.map((a) => `'${a}'`).join(' ')} — every value needs its flag, e.g. --tasks ${stray[0]} (see \`lm-eval ${command}--help\`)`;
      }
      process.stderr.write(line + '\n');
      return 2;
    }
    if (debug) printStack(e);
    for (const d of (e as { details?: unknown }).details instanceof Array ? ((e as { details: string[] }).details) : []) process.stderr.write(`  - ${d}\n`);
    process.stderr.write(errorLine(e) + '\n');
    return 1;
  }
}
