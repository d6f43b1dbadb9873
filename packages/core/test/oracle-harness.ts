/**
 * Runs a conformance fixture (packages/core/test/fixtures/oracle/<task>) through the library
 * with the `dummy` model and returns what our harness wrote next to what Python lm-eval wrote.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEvaluation, type EvaluationRequest } from '../src/index.ts';

export const ORACLE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'oracle');

export interface OracleRun {
  task: string;
  setting: string;
  argv: string[];
  flavor: string;
}

export function oracleRuns(): OracleRun[] {
  const out: OracleRun[] = [];
  for (const task of readdirSync(ORACLE_DIR).sort()) {
    const metaFile = path.join(ORACLE_DIR, task, 'meta.json');
    let meta: { flavor: string; runs: Record<string, { argv: string[]; returncode: number }> };
    try {
      meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    } catch {
      continue;
    }
    for (const [setting, run] of Object.entries(meta.runs)) {
      if (run.returncode !== 0) continue;
      out.push({ task, setting, argv: run.argv, flavor: meta.flavor });
    }
  }
  return out;
}

/** Writes every split of docs.json into an LM_EVAL_DATASETS_DIR mirror. */
export function buildMirror(task: string, root: string): void {
  const docs = JSON.parse(readFileSync(path.join(ORACLE_DIR, task, 'docs.json'), 'utf8')) as Record<string, Record<string, unknown[]>>;
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
      modelArgs[k] = k === 'chat_template_path' ? path.join(ORACLE_DIR, v) : v;
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
  return {
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
  };
}

export interface OracleComparison {
  ours: { results: Record<string, unknown>; resultsText: string; samplesText: Record<string, string> };
  theirs: { resultsText: string; samplesText: Record<string, string> };
}

export async function runOracle(run: OracleRun): Promise<OracleComparison> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'oracle-'));
  const mirror = path.join(tmp, 'mirror');
  buildMirror(run.task, mirror);
  const env = { ...process.env, LM_EVAL_DATASETS_DIR: mirror, HF_HUB_OFFLINE: '1' };
  const out = await runEvaluation(requestFromArgv(run, path.join(tmp, 'out'), env));
  const samplesText: Record<string, string> = {};
  for (const f of out.files) if (path.basename(f).startsWith('samples_')) samplesText[path.basename(f).replace(/_\d{4}-.*$/, '')] = readFileSync(f, 'utf8');
  const theirDir = path.join(ORACLE_DIR, run.task, `lmeval_out_${run.setting}`);
  const theirs: OracleComparison['theirs'] = { resultsText: '', samplesText: {} };
  for (const f of readdirSync(theirDir)) {
    const text = readFileSync(path.join(theirDir, f), 'utf8');
    if (f.startsWith('results_')) theirs.resultsText = text;
    else theirs.samplesText[f.replace(/_\d{4}-.*$/, '')] = text;
  }
  return { ours: { results: out.results, resultsText: out.resultsJson, samplesText }, theirs };
}
