/**
 * Runs a conformance fixture (packages/core/test/fixtures/oracle/<task>, or
 * fixtures/oracle_pyfn/<name> whose task folders come with Python helpers) through the library
 * with the `dummy` model and returns what our harness wrote next to what Python lm-eval wrote.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEvaluation, type EvaluationRequest } from '../src/engine.ts';
import { isPlainObject, parsePyJson } from '../src/python/index.ts';

export const ORACLE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'oracle');
export const ORACLE_PYFN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'oracle_pyfn');

export interface OracleRun {
  task: string;
  setting: string;
  argv: string[];
  flavor: string;
  /** fixture root (ORACLE_DIR or ORACLE_PYFN_DIR) */
  dir: string;
  /** requests the model received (meta.json n_requests), when recorded */
  nRequests?: number;
}

/** `<steering>/shared/fixtures/oracle_pyfn/tasks/x` (meta.json) → the copy under `dir`. */
function fixturePath(p: string, dir: string): string {
  const m = /\/fixtures\/(oracle(?:_pyfn)?)\/(.*)$/.exec(p);
  if (!m) return path.resolve(dir, p);
  return path.join(m[1] === 'oracle' ? ORACLE_DIR : ORACLE_PYFN_DIR, m[2]);
}

export function oracleRuns(dir: string = ORACLE_DIR): OracleRun[] {
  const out: OracleRun[] = [];
  for (const task of readdirSync(dir).sort()) {
    const metaFile = path.join(dir, task, 'meta.json');
    let meta: { flavor: string; runs: Record<string, { argv: string[]; returncode: number; n_requests?: number }> };
    try {
      meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    } catch {
      continue;
    }
    for (const [setting, run] of Object.entries(meta.runs)) {
      if (run.returncode !== 0) continue;
      out.push({ task, setting, argv: run.argv, flavor: meta.flavor, dir, nRequests: run.n_requests });
    }
  }
  return out;
}

/** Writes every split of docs.json into an LM_EVAL_DATASETS_DIR mirror. */
export function buildMirror(task: string, root: string, dir: string = ORACLE_DIR): void {
  const docs = JSON.parse(readFileSync(path.join(dir, task, 'docs.json'), 'utf8')) as Record<string, Record<string, unknown[]>>;
  for (const [key, splits] of Object.entries(docs)) {
    const [p, n] = key.split('|');
    const name = !n || n === 'None' || n === 'null' ? 'default' : n;
    const dir = path.join(root, p, name);
    mkdirSync(dir, { recursive: true });
    for (const [split, rows] of Object.entries(splits)) {
      // keep the fixture's number spelling (1.0 stays a float): re-serialise line by line from text
      writeFileSync(path.join(dir, `${split}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    }
  }
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export function requestFromArgv(run: OracleRun, outDir: string, env: NodeJS.ProcessEnv): EvaluationRequest {
  const argv = run.argv;
  const modelArgs: Record<string, unknown> = {};
  const ma = flag(argv, '--model_args');
  let raw = '';
  if (ma) {
    raw = ma;
    for (const item of ma.split(',')) {
      const [k, v] = item.split('=');
      modelArgs[k] = k === 'chat_template_path' ? fixturePath(v, ORACLE_DIR) : v;
    }
  }
  const chat = argv.includes('--apply_chat_template');
  const fam = argv.indexOf('--fewshot_as_multiturn');
  let fewshotAsMultiturn: boolean | undefined;
  if (fam >= 0) {
    const next = argv[fam + 1];
    fewshotAsMultiturn = next === undefined || next.startsWith('--') ? true : ['true', '1', 'yes'].includes(next.toLowerCase());
  }
  const nf = flag(argv, '--num_fewshot');
  const include: string[] = [];
  argv.forEach((a, i) => {
    if (a === '--include_path') include.push(fixturePath(argv[i + 1], run.dir));
  });
  return {
    includePath: include,
    model: 'dummy',
    modelArgs,
    modelArgsRaw: raw,
    tasks: [flag(argv, '--tasks')!],
    numFewshot: nf === undefined ? undefined : Number(nf),
    systemInstruction: flag(argv, '--system_instruction') ?? null,
    applyChatTemplate: chat,
    fewshotAsMultiturn,
    logSamples: true,
    seeds: { random: 1234, numpy: 1234, torch: 1234, fewshot: 1234 },
    outputPath: outDir,
    env,
    // as the CLI records: lm-eval's --device default when the model names none
    environment: { defaultDevice: 'cuda:0' },
  };
}

export interface OracleComparison {
  ours: { results: Record<string, unknown>; resultsText: string; samplesText: Record<string, string> };
  theirs: { resultsText: string; samplesText: Record<string, string> };
}

export async function runOracle(run: OracleRun): Promise<OracleComparison> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'oracle-'));
  const mirror = path.join(tmp, 'mirror');
  buildMirror(run.task, mirror, run.dir);
  const env = { ...process.env, LM_EVAL_DATASETS_DIR: mirror, HF_HUB_OFFLINE: '1' };
  const out = await runEvaluation(requestFromArgv(run, path.join(tmp, 'out'), env));
  const samplesText: Record<string, string> = {};
  for (const f of out.files) if (path.basename(f).startsWith('samples_')) samplesText[path.basename(f).replace(/_\d{4}-.*$/, '')] = readFileSync(f, 'utf8');
  const theirDir = path.join(run.dir, run.task, `lmeval_out_${run.setting}`);
  const theirs: OracleComparison['theirs'] = { resultsText: '', samplesText: {} };
  for (const f of readdirSync(theirDir)) {
    const text = readFileSync(path.join(theirDir, f), 'utf8');
    if (f.startsWith('results_')) theirs.resultsText = text;
    else theirs.samplesText[f.replace(/_\d{4}-.*$/, '')] = text;
  }
  return { ours: { results: out.results, resultsText: out.resultsJson, samplesText }, theirs };
}

/** Fields that depend on the environment (time, paths, versions, the model's name). */
const ENV_TOP = [
  'date', 'pretty_env_info', 'transformers_version', 'lm_eval_version', 'git_hash', 'upper_git_hash',
  'model_name', 'model_name_sanitized', 'model_source', 'total_evaluation_time_seconds', 'start_time', 'end_time',
];

export function normaliseResults(text: string): Record<string, any> {
  const r = parsePyJson(text) as Record<string, any>;
  for (const k of ENV_TOP) delete r[k];
  delete r.config.model;
  if (r.config.model_args && typeof r.config.model_args === 'object') delete r.config.model_args.chat_template_path;
  if (typeof r.config.model_args === 'string') r.config.model_args = r.config.model_args.replace(/chat_template_path=[^,]*/, 'chat_template_path=…');
  for (const cfg of Object.values(r.configs ?? {}) as Array<Record<string, any>>) {
    if (cfg.metadata) {
      delete cfg.metadata.config_source;
      delete cfg.metadata.chat_template_path;
    }
    // Python callables print their source or `<function name at 0x…>` / `<class 'path.Name'>`
    // (addresses, absolute module paths); ours cannot be identical.
    for (const [k, v] of Object.entries(cfg)) if (typeof v === 'string' && /^(def |class |<function |<class )/.test(v)) cfg[k] = '<callable>';
    const nested = (x: unknown): unknown => {
      if (typeof x === 'string') return /^(<function |<class )/.test(x) ? '<callable>' : x;
      if (Array.isArray(x)) return x.map(nested);
      if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, nested(v)]));
      return x;
    };
    for (const k of ['fewshot_config', 'filter_list', 'metric_list']) if (cfg[k]) cfg[k] = nested(cfg[k]);
  }
  return r;
}

