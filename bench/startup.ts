/**
 * Start-up benchmark: how long the `lm-eval` CLI takes before it does any model work, over a large
 * task tree (lm-eval's own `lm_eval/tasks`, ~13.9k YAML files), cold and warm.
 *
 *   node --import tsx bench/startup.ts --tree <lm-eval>/lm_eval/tasks [--built DIR ...] [--bin NAME=PATH,...] [--reps 3] [--no-dev]
 *
 * Rows, each a fresh child process started as a user would (`node <bin> …`):
 * - `--help`: the floor (node + the CLI's entry modules);
 * - `ls tasks --include_path TREE`, cold (no task-index cache file) and warm (the cache written by
 *   the call before, nothing changed since);
 * - `run --model dummy --tasks tinystories_cloze --limit 1 --include_path TREE`, cold and warm: a
 *   bundled task (local data) resolved in an index of the whole tree.
 *
 * For each CLI: the dev one (`packages/cli/bin/lm-eval.mjs`, TypeScript through tsx) and, with
 * `--built DIR`, the one an npm user runs: DIR is a project where the packed tarballs are installed
 * (`node scripts/check-packages.mjs --keep` prints one: use its `project` folder), its
 * `node_modules/.bin/lm-eval`. Several --built (e.g. an install of an older commit) are measured
 * row by row in turn, so that they see the same machine load; --no-dev leaves the dev CLI out.
 * `--bin NAME=PATH,...` adds binaries run as `node PATH` (the repository binary of another
 * checkout, e.g. an older commit), measured in turn the same way.
 *
 * Each row prints the best wall time and the lowest CPU time (user + system, all threads) of
 * --reps runs, the peak RSS, and the load average. CPU seconds are the stable figure on a shared
 * machine; wall times only mean something when it is quiet. The task-index cache (and its
 * snapshots) go to a temporary folder (LMEVAL_TASK_INDEX_CACHE); the user's own cache is not touched.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBins } from './bin-list.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const PROBE = path.join(HERE, 'whole-run/rss-probe.mjs');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}

const tree = arg('tree') ?? process.env.LM_EVAL_TASKS_TREE;
if (!tree || !fs.existsSync(tree)) {
  process.stderr.write('usage: node --import tsx bench/startup.ts --tree <lm-eval checkout>/lm_eval/tasks [--built DIR] [--reps 3]\n');
  process.exit(2);
}
const reps = Number(arg('reps') ?? 3);
const built = process.argv.flatMap((a, i) => (a === '--built' && i + 1 < process.argv.length ? [process.argv[i + 1]] : []));

interface Sample {
  wallS: number;
  cpuS: number;
  rssMb: number;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-startup-'));
const probeFile = path.join(tmp, 'probe');

/** Each CLI its own task-index cache folder. */
const cacheDirOf = (cli: string) => path.join(tmp, `cache-${cli.replace(/[^A-Za-z0-9]+/g, '_')}`);

function runOnce(cli: string, bin: string[], args: string[]): Promise<Sample> {
  const cacheFile = path.join(cacheDirOf(cli), 'task-index.json');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const proc = spawn(process.execPath, ['--import', PROBE, ...bin, ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', LMEVAL_TASK_INDEX_CACHE: cacheFile, BENCH_RSS_FILE: probeFile, LMEVAL_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const wallS = (performance.now() - t0) / 1000;
      if (code !== 0) {
        reject(new Error(`${args.join(' ')} exited ${code}:\n${stderr}`));
        return;
      }
      const [rss, cpu] = fs.readFileSync(probeFile, 'utf8').split(' ').map(Number);
      fs.rmSync(probeFile, { force: true });
      resolve({ wallS, cpuS: cpu / 1e6, rssMb: rss / 1024 });
    });
  });
}

interface Row {
  cli: string;
  what: string;
  wallS: number;
  cpuS: number;
  rssMb: number;
}

const rows: Row[] = [];

async function measure(cli: string, bin: string[], what: string, args: string[], cold: boolean): Promise<void> {
  const samples: Sample[] = [];
  for (let r = 0; r < reps; r++) {
    if (cold) fs.rmSync(cacheDirOf(cli), { recursive: true, force: true }); // the scan cache and the snapshots
    else if (!fs.existsSync(cacheDirOf(cli))) await runOnce(cli, bin, args); // write the cache first
    samples.push(await runOnce(cli, bin, args));
  }
  const row = {
    cli,
    what,
    wallS: Math.min(...samples.map((s) => s.wallS)),
    cpuS: Math.min(...samples.map((s) => s.cpuS)),
    rssMb: Math.max(...samples.map((s) => s.rssMb)),
  };
  rows.push(row);
  process.stderr.write(`${cli} ${what}: wall ${row.wallS.toFixed(2)} s, CPU ${row.cpuS.toFixed(2)} s, RSS ${row.rssMb.toFixed(0)} MB (load ${os.loadavg()[0].toFixed(2)})\n`);
}

const clis: Array<[string, string[]]> = process.argv.includes('--no-dev') ? [] : [['dev', [path.join(ROOT, 'packages/cli/bin/lm-eval.mjs')]]];
// --bin NAME=PATH[,NAME=PATH...]: other binaries run as `node PATH` (e.g. the repository binary of
// another checkout), measured row by row with the rest
for (const { label: name, file: bin } of parseBins(arg('bin') ?? '', (file) => path.basename(file))) {
  if (!fs.existsSync(bin)) {
    process.stderr.write(`--bin: ${bin} not found\n`);
    process.exit(2);
  }
  clis.push([name, [bin]]);
}
for (const dir of built) {
  const bin = path.join(path.resolve(dir), 'node_modules/@lm-eval/cli/bin/lm-eval-dist.mjs');
  if (!fs.existsSync(bin)) {
    process.stderr.write(`--built: ${bin} not found (install the packed tarballs there; see scripts/check-packages.mjs --keep)\n`);
    process.exit(2);
  }
  clis.push([built.length > 1 ? `built ${path.basename(path.resolve(dir, '..'))}` : 'built', [bin]]);
}

const loadBefore = os.loadavg();
try {
  const ls = ['ls', 'tasks', '--include_path', tree];
  const run = ['run', '--model', 'dummy', '--tasks', 'tinystories_cloze', '--limit', '1', '--include_path', tree];
  const commands: Array<[string, string[], boolean]> = [
    ['--help', ['--help'], false],
    ['ls tasks, cold', ls, true],
    ['ls tasks, warm', ls, false],
    ['run --limit 1, cold', run, true],
    ['run --limit 1, warm', run, false],
  ];
  for (const [what, args, cold] of commands) for (const [cli, bin] of clis) await measure(cli, bin, what, args, cold);
  rows.sort((a, b) => clis.findIndex(([c]) => c === a.cli) - clis.findIndex(([c]) => c === b.cli));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
const loadAfter = os.loadavg();

const files = (() => {
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.yaml')) n++;
    }
  };
  walk(tree);
  return n;
})();
process.stdout.write(
  `\nlm-eval start-up over ${files} YAML files (${os.cpus().length} CPUs, node ${process.version}, best of ${reps}; ` +
    `load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after)\n\n` +
    '| CLI | command | wall s | CPU s (user+sys) | peak RSS MB |\n| --- | --- | ---: | ---: | ---: |\n' +
    rows.map((r) => `| ${r.cli} | ${r.what} | ${r.wallS.toFixed(2)} | ${r.cpuS.toFixed(2)} | ${r.rssMb.toFixed(0)} |`).join('\n') +
    '\n',
);
