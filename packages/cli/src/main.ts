/**
 * `lm-eval` entry point: `run` (also the legacy form without a command), `ls`, `validate`,
 * `cache stats|clear`. Every user error ends the process with a non-zero code and one clear
 * line (the last one printed); `--verbosity DEBUG` adds the stack.
 */
import { Command, CommanderError, Option } from 'commander';
import { RUN_FLAGS, type FlagSpec } from './flags.ts';

const COMMANDS = ['run', 'ls', 'validate', 'cache', 'help'];

/** Short aliases that commander cannot declare twice (v0.4.4 `-m` = latest `-M`). */
function normaliseArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    let x = a;
    for (const f of RUN_FLAGS) {
      for (const s of (f.short ?? []).slice(1)) {
        if (x === `-${s}`) x = `-${f.short![0]}`;
      }
    }
    // `--flag=value` is accepted by commander; keep it.
    out.push(x);
  }
  return out;
}

export function addRunOptions(cmd: Command): Command {
  for (const f of RUN_FLAGS) cmd.addOption(toOption(f));
  return cmd;
}

function toOption(f: FlagSpec): Option {
  const short = f.short?.[0] ? `-${f.short[0]}, ` : '';
  let flags: string;
  switch (f.kind) {
    case 'bool':
      flags = `${short}--${f.name}`;
      break;
    case 'strings':
      flags = `${short}--${f.name} <${(f.metavar ?? 'value').toLowerCase()}...>`;
      break;
    case 'optional-string':
    case 'optional-bool':
      flags = `${short}--${f.name} [${(f.metavar ?? 'value').toLowerCase()}]`;
      break;
    default:
      flags = `${short}--${f.name} <${(f.metavar ?? 'value').toLowerCase()}>`;
  }
  const opt = new Option(flags, f.help);
  if (f.choices && f.kind !== 'optional-string') opt.choices(f.choices);
  if (f.bareValue !== undefined) opt.preset(f.bareValue as string);
  return opt;
}

function buildProgram(): Command {
  const program = new Command('lm-eval')
    .description('Evaluate language models on lm-eval tasks (TypeScript port of EleutherAI lm-evaluation-harness).')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  addRunOptions(
    program
      .command('run')
      .description('Run an evaluation (the legacy form `lm-eval --tasks … --model …` means the same).')
      .exitOverride(),
  ).action(async (opts) => {
    const { runCommand } = await import('./run.ts');
    return runCommand(opts);
  });

  program
    .command('ls')
    .description('List tasks, groups, subtasks or tags.')
    .argument('[what]', 'tasks | groups | subtasks | tags')
    .option('--include_path <dir...>', 'extra folder(s) of task YAML files')
    .exitOverride()
    .action(async (what, opts, cmd) => {
      if (!what) {
        cmd.outputHelp();
        return;
      }
      const { lsCommand } = await import('./ls.ts');
      return lsCommand(what, opts);
    });

  program
    .command('validate')
    .description('Check that task names exist.')
    .requiredOption('-t, --tasks <task...>', 'task names')
    .option('--include_path <dir...>', 'extra folder(s) of task YAML files')
    .exitOverride()
    .action(async (opts) => {
      const { validateCommand } = await import('./ls.ts');
      return validateCommand(opts);
    });

  const cache = program.command('cache').description('Inspect or reset a response cache (--use_cache PATH).').exitOverride();
  cache
    .command('stats')
    .argument('<path>', 'the --use_cache path prefix or the .db file')
    .exitOverride()
    .action(async (p) => {
      const { cacheStatsCommand } = await import('./cache.ts');
      return cacheStatsCommand(p);
    });
  cache
    .command('clear')
    .argument('<path>', 'the --use_cache path prefix or the .db file')
    .exitOverride()
    .action(async (p) => {
      const { cacheClearCommand } = await import('./cache.ts');
      return cacheClearCommand(p);
    });
  return program;
}

export class ExitCode extends Error {
  constructor(public readonly code: number) {
    super(`exit ${code}`);
  }
}

function printError(e: unknown, debug: boolean): void {
  const err = e as { name?: string; message?: string; hint?: string; stack?: string };
  if (debug && err?.stack) process.stderr.write(err.stack + '\n');
  const hint = err?.hint ? ` (${err.hint})` : '';
  const msg = err?.name === 'LmEvalError' ? `${err.message}${hint}` : `${err?.message ?? String(e)}${hint}`;
  process.stderr.write(`Error: ${msg}\n`);
}

export async function main(argvIn: string[]): Promise<number> {
  process.env.TOKENIZERS_PARALLELISM ??= 'false';
  let argv = normaliseArgv(argvIn);
  const debug =
    (process.env.LMEVAL_LOG_LEVEL ?? '').toUpperCase() === 'DEBUG' ||
    argv.some((a, i) => (a === '--verbosity' || a === '-v') && (argv[i + 1] ?? '').toUpperCase() === 'DEBUG');
  if (argv.length === 0) argv = ['--help'];
  else if (!COMMANDS.includes(argv[0]) && argv[0] !== '--help' && argv[0] !== '-h' && argv[0] !== '--version') {
    argv = ['run', ...argv];
  }
  if (argv.length === 1 && argv[0] === 'run') argv = ['run', '--help'];
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof ExitCode) return e.code;
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
      // commander already printed "error: ..." — add a hint as the last line
      process.stderr.write(`Error: ${e.message.replace(/^error: /, '')} (see lm-eval run --help)\n`);
      return 2;
    }
    printError(e, debug);
    return 1;
  }
}
