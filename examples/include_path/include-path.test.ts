/**
 * The example task folder, run the way a user runs it: the real `lm-eval` binary as a child
 * process with `--include_path examples/include_path`, on the deterministic dummy model.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { normalize } from './utils.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'packages', 'cli', 'bin', 'lm-eval.mjs');

function cli(args: string[], cwd = ROOT) {
  const env = { ...process.env };
  delete env.LM_EVAL_DATASETS_DIR; // the example brings its own data
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lm-eval-include-path-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('examples/include_path through the CLI', () => {
  it('lm-eval ls tasks lists the example tasks next to the built-in ones', () => {
    const r = cli(['ls', 'tasks', '--include_path', 'examples/include_path']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\|capitals\s+\|[^\n]*examples\/include_path\/capitals\.yaml\s*\|generate_until\s*\|/);
    expect(r.stdout).toMatch(/\|capitals_mc\s+\|[^\n]*\|multiple_choice\s*\|/);
    expect(r.stdout).toMatch(/\|arc_easy\s+\|/);
  });

  it('runs both tasks with --log_samples and writes results and samples', () => {
    const out = path.join(tmp, 'run');
    const r = cli([
      '--model', 'dummy',
      '--include_path', 'examples/include_path',
      '--tasks', 'capitals,capitals_mc',
      '--num_fewshot', '1',
      '--output_path', out,
      '--log_samples',
    ]);
    expect(r.code, r.stderr).toBe(0);

    const files = filesUnder(out);
    const resultsFile = files.find((f) => path.basename(f).startsWith('results_'));
    const genFile = files.find((f) => path.basename(f).startsWith('samples_capitals_2'));
    const mcFile = files.find((f) => path.basename(f).startsWith('samples_capitals_mc_'));
    expect(resultsFile && genFile && mcFile, files.join('\n')).toBeTruthy();

    const results = JSON.parse(readFileSync(resultsFile!, 'utf8'));
    for (const key of ['exact_match,none', 'first_word,none']) expect(typeof results.results.capitals[key]).toBe('number');
    for (const key of ['acc,none', 'acc_norm,none']) expect(typeof results.results.capitals_mc[key]).toBe('number');
    expect(results['n-shot']).toEqual({ capitals: 1, capitals_mc: 1 });

    const gen = readFileSync(genFile!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(gen).toHaveLength(5);
    // the prompt comes from utils.ts doc_to_text, the one shot from data/train.jsonl (first_n)
    expect(gen[1].arguments.gen_args_0.arg_0).toBe('Q: What is the capital of France?\nA: Paris\n\nQ: What is the capital of the Netherlands?\nA:');
    expect(gen[1].arguments.gen_args_0.arg_1.until).toEqual(['\n']);
    // utils.ts process_results scored each logged answer
    let sum = 0;
    for (const s of gen) {
      expect(s.metrics).toEqual(['exact_match', 'first_word']);
      expect(s.exact_match).toBe(normalize(s.filtered_resps[0]) === normalize(s.doc.capital) ? 1 : 0);
      sum += s.exact_match;
    }
    expect(results.results.capitals['exact_match,none']).toBeCloseTo(sum / gen.length, 12);

    const mc = readFileSync(mcFile!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(mc).toHaveLength(5);
    expect(mc[0].target).toBe('0'); // Nairobi is option 0
    expect(Object.keys(mc[0].arguments)).toHaveLength(4);
  });

  it('data_files resolve against the task folder when run from another directory', () => {
    const out = path.join(tmp, 'elsewhere');
    const r = cli(['--model', 'dummy', '--include_path', path.join(ROOT, 'examples', 'include_path'), '--tasks', 'capitals_examples', '--limit', '2', '--output_path', out], tmp);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(filesUnder(out).find((f) => path.basename(f).startsWith('results_'))!, 'utf8'));
    expect(Object.keys(results.results).sort()).toEqual(['capitals', 'capitals_mc']);
  });
});
