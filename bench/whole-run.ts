/**
 * Whole-run benchmark: the real `lm-eval` CLI, started cold as a child process, on generated
 * workloads against an instant vLLM-shaped server (bench/whole-run/server.ts, its own child
 * process), compared with a raw keep-alive node:http client replaying the very same request bodies
 * against the same server in the same run.
 *
 *   node --import tsx bench/whole-run.ts [--workloads mc,gen,rolling] [--docs 5000] [--requests 20000]
 *                                        [--concurrency 1,16,64,256] [--reps 1] [--keep DIR]
 *                                        [--bin [LABEL=]PATH,...]
 *
 * --bin: the CLI entry point(s) to run (default: packages/cli/bin/lm-eval.mjs, the TypeScript
 * sources through tsx); several are run one after the other for each row, so that, e.g., the
 * built CLI (bin/lm-eval-dist.mjs of an installed package) or an older checkout's
 * bin/lm-eval.mjs is compared in the same run, on the same load.
 *
 * Workloads (bench/whole-run/workload.ts): `mc` = multiple_choice, --docs docs × 4 choices
 * (loglikelihood requests); `gen` = generate_until with short answers, --requests docs; `rolling` =
 * loglikelihood_rolling over short stories, --requests docs (one window each).
 *
 * The CLI runs with --log_samples and LMEVAL_LOG_LEVEL=DEBUG, which makes it log each phase with
 * its start time; the server records each request's arrival and the last response's end. Stages:
 * start-up (spawn → task indexing), index (indexing + task configs), model (backend + tokenizer
 * load), data, prompts (building requests), preflight (the backend's one probe request, whose
 * tokenisation it includes), tokenisation (request phase start → its first request at the
 * server), model phase (that request → the last response; model req/s counts the requests in
 * it), metrics (filters, scores, sample records → writing), writing (results file → exit).
 * Peak RSS is the child's own maxRSS (a preloaded probe writes process.resourceUsage() at exit).
 * The server reports its own CPU time per request (process.cpuUsage() between /bench/stats calls)
 * during the CLI run and during the raw replay: the server, the CLI and the raw client share the
 * machine's cores, so what the server takes is not available to the client being measured.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchStats as Stats } from './whole-run/server.ts';
import { TASK_NAME, writeWorkload, type WorkloadKind } from './whole-run/workload.ts';
import { rawReplay } from './raw-client.ts';
import { parseBins } from './bin-list.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const BIN = path.join(ROOT, 'packages/cli/bin/lm-eval.mjs');
const PROBE = path.join(HERE, 'whole-run/rss-probe.mjs');
const MODEL_DIR = path.join(ROOT, 'models/stories260k');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

function getJson<T>(url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T));
      })
      .on('error', reject);
  });
}

interface CliRun {
  wallMs: number;
  spawnAt: number;
  /** phase name → epoch ms (first time seen) */
  phases: Array<[string, number]>;
  maxRssMb: number;
  /** CPU seconds of the CLI process (all its threads) */
  cpuS: number;
  code: number | null;
  stderr: string;
}

/**
 * The CLI's task-index cache: a file of the bench's own (the first row indexes cold, the others
 * warm), not the user's, whose size depends on every task tree ever indexed on the machine.
 */
let indexCache = '';

function runCli(bin: string, args: string[], rssFile: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const spawnAt = Date.now();
    const t0 = performance.now();
    const proc = spawn(process.execPath, ['--import', PROBE, bin, ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', LMEVAL_LOG_LEVEL: 'DEBUG', BENCH_RSS_FILE: rssFile, LMEVAL_TASK_INDEX_CACHE: indexCache },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const phases: Array<[string, number]> = [];
      for (const m of stderr.matchAll(/^DEBUG: phase '(.*)' at \+\d+\.\d+ s \((\d+)\)$/gm)) phases.push([m[1], Number(m[2])]);
      let maxRssMb = NaN;
      let cpuS = NaN;
      try {
        const [rss, cpu] = fs.readFileSync(rssFile, 'utf8').split(' ').map(Number);
        maxRssMb = rss / 1024;
        cpuS = cpu / 1e6;
      } catch {
        /* the probe did not run */
      }
      fs.rmSync(rssFile, { force: true });
      resolve({ wallMs, spawnAt, phases, maxRssMb, cpuS, code, stderr });
    });
  });
}

/** The request phase as the server saw it: from the first request after `since` to the last response. */
function modelPhase(stats: Stats, since: number): { first: number; count: number } {
  let k = 0;
  while (k < stats.arrivals.length && stats.arrivals[k] < since) k++;
  return { first: stats.arrivals[k] ?? NaN, count: stats.arrivals.length - k };
}

function stages(run: CliRun, stats: Stats): Record<string, number> {
  const at = (prefix: string) => run.phases.find(([p]) => p.startsWith(prefix))?.[1] ?? NaN;
  const end = run.spawnAt + run.wallMs;
  const index = at('indexing tasks');
  const model = at('loading the model');
  const data = at('loading dataset');
  const prompts = at('building requests');
  const preflight = at('preflight');
  const requests = at('running requests');
  const scoring = at('scoring');
  const writing = at('writing');
  const { first } = modelPhase(stats, requests);
  return {
    'start-up': index - run.spawnAt,
    index: model - index,
    model: data - model,
    data: prompts - data,
    // building requests (+ the backend's one-request preflight, when it has one)
    prompts: requests - prompts,
    preflight: Number.isFinite(preflight) ? requests - preflight : 0,
    tokenisation: first - requests,
    'model phase': stats.last - first,
    metrics: writing - Math.max(stats.last, Math.min(scoring, writing)),
    writing: end - writing,
  };
}

async function main(): Promise<void> {
  const kinds = arg('workloads', 'mc,gen,rolling').split(',') as WorkloadKind[];
  const mcDocs = Number(arg('docs', '5000'));
  const nReq = Number(arg('requests', '20000'));
  const concurrencies = arg('concurrency', '1,16,64,256').split(',').map(Number);
  const reps = Number(arg('reps', '1'));
  const keep = process.argv.includes('--keep') ? arg('keep', '') : '';
  const bins = parseBins(arg('bin', BIN), (file) => path.relative(ROOT, file));
  const work = keep || fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-whole-run-'));
  indexCache = path.join(work, 'task-index.json');

  const server = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'whole-run/server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise<string>((resolve) => createInterface({ input: server.stdout! }).once('line', (l) => resolve(l.trim())));
  // an interrupted bench does not leave its server behind
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      server.kill('SIGTERM');
      process.exit(130);
    });
  }
  const url = `${base}/v1/completions`;
  try {
    console.log(`machine: ${os.cpus().length} CPUs; load average at start ${load()} (other processes skew the figures; compare ratios within a run)`);
    for (const kind of kinds) {
      const docs = kind === 'mc' ? mcDocs : nReq;
      const tasks = path.join(work, 'tasks');
      writeWorkload(tasks, kind, docs);
      console.log(`\n== ${TASK_NAME[kind]}: ${docs} docs${kind === 'mc' ? ' × 4 choices' : ''} ==`);
      console.log('  c | CLI | whole s | CPU s | whole req/s | model req/s | raw req/s | ratio | CPU µs/req CLI/raw | server µs/req CLI/raw | RSS MB | start-up index model data prompts preflight tokenise model-phase metrics writing (ms) | load');
      for (const c of concurrencies) {
        for (let r = 0; r < reps; r++) for (const bin of bins) {
          const out = path.join(work, `out-${kind}-${c}-${r}`);
          fs.rmSync(out, { recursive: true, force: true });
          await getJson<Stats>(`${base}/bench/stats`); // reset
          const run = await runCli(
            bin.file,
            [
              '--model', 'local-completions',
              '--model_args', `model=bench,base_url=${url},num_concurrent=${c},tokenizer_backend=huggingface,tokenizer=${MODEL_DIR}`,
              '--tasks', TASK_NAME[kind],
              '--include_path', tasks,
              '--output_path', out,
              '--log_samples',
            ],
            path.join(work, 'rss.txt'),
          );
          if (run.code !== 0) throw new Error(`lm-eval exited with ${run.code}:\n${run.stderr.slice(-2000)}`);
          const stats = await getJson<Stats>(`${base}/bench/stats`);
          const cpu0 = process.cpuUsage();
          const rawMs = await rawReplay(url, stats.bodies, c);
          const rawCpu = process.cpuUsage(cpu0);
          const rawUs = (rawCpu.user + rawCpu.system) / stats.count;
          const rawStats = await getJson<Stats>(`${base}/bench/stats?bodies=0`);
          const serverUs = (s: Stats) => (s.cpu.user + s.cpu.system) / s.count;
          const n = stats.count;
          const mp = modelPhase(stats, run.phases.find(([p]) => p.startsWith('running requests'))?.[1] ?? 0);
          const modelRps = (mp.count / Math.max(1, stats.last - mp.first)) * 1000;
          const rawRps = (n / rawMs) * 1000;
          const st = stages(run, stats);
          const f = (x: number) => (Number.isFinite(x) ? Math.round(x).toString() : '?');
          console.log(
            `${String(c).padStart(3)} | ${bin.label} | ${(run.wallMs / 1000).toFixed(2).padStart(7)} | ${run.cpuS.toFixed(2).padStart(5)} | ${((n / run.wallMs) * 1000).toFixed(0).padStart(11)} | ${modelRps.toFixed(0).padStart(11)} | ${rawRps.toFixed(0).padStart(9)} | ${(modelRps / rawRps).toFixed(2).padStart(5)} | ${((run.cpuS * 1e6) / n).toFixed(0).padStart(5)} / ${rawUs.toFixed(0).padStart(3)} | ${serverUs(stats).toFixed(0).padStart(6)} / ${serverUs(rawStats).toFixed(0).padStart(3)} | ${run.maxRssMb.toFixed(0).padStart(6)} | ${Object.values(st).map(f).join(' ')} | ${load()}`,
          );
        }
      }
    }
    console.log(`\nrequests counted at the server (including the one preflight request); load average at end ${load()}`);
  } finally {
    server.kill('SIGTERM'); // a no-op (no throw) when the server has already exited, so its error is not hidden
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
