/**
 * report.html: built from lm-eval outputs written by Python lm-eval (the oracle fixtures) and by
 * an experiment set, then loaded in a DOM (jsdom, scripts on) — the charts are checked through
 * their Vega views' data, the table through the DOM, and nothing is fetched from the network.
 * Where Chromium is installed the page is also rendered headless to a screenshot.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { JSDOM, VirtualConsole } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerModel } from '@lm-eval/core';
import { runEvaluation } from '@lm-eval/core/engine';
import { ScriptedAnswerer, ScriptedJudge } from '@lm-eval/core/testing';
import { readRuns, writeReports } from '../src/index.ts';
import { ROOT } from './servers.ts';

const ORACLE = path.join(ROOT, 'packages/core/test/fixtures/oracle');
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-report-'));
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function load(file: string): Promise<{ window: any; errors: string[] }> {
  const errors: string[] = [];
  const virtualConsole = new VirtualConsole();
  virtualConsole.on('jsdomError', (e) => errors.push(String(e?.message ?? e)));
  virtualConsole.on('error', (e) => errors.push(String(e)));
  const dom = new JSDOM(fs.readFileSync(file, 'utf8'), {
    runScripts: 'dangerously',
    pretendToBeVisual: true,
    virtualConsole,
    url: 'file:///report.html',
    // what jsdom lacks and browsers have: structuredClone; no canvas (Vega then estimates text widths)
    beforeParse(window) {
      (window as any).structuredClone = structuredClone;
      (window as any).HTMLCanvasElement.prototype.getContext = () => null;
    },
  });
  // any network use would need fetch/XHR: make both fail loudly
  dom.window.fetch = () => {
    throw new Error('network used');
  };
  const w = dom.window as any;
  await w.__report.ready;
  return { window: w, errors };
}

describe('report.html', { timeout: 120_000 }, () => {
  it('is built from Python-written outputs and its charts carry the leaderboard data', async () => {
    const inputs = ['arc_easy/lmeval_out_zeroshot', 'arc_easy/lmeval_out_fewshot', 'gsm8k/lmeval_out_zeroshot'].map((p) => path.join(ORACLE, p));
    const runs = readRuns(inputs);
    expect(runs.map((r) => r.id)).toEqual(['arc_easy/lmeval_out_zeroshot', 'lmeval_out_fewshot', 'gsm8k/lmeval_out_zeroshot']);
    const out = path.join(tmp, 'py');
    const written = writeReports(out, runs, { title: 'Python outputs', mainMetric: 'arc_easy/acc' });
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    // self-contained: no external script, stylesheet or fetch target
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/i);

    const { window, errors } = await load(path.join(out, 'report.html'));
    expect(errors).toEqual([]);
    const doc = window.document;
    // leaderboard table: one row per run, sorted by arc_easy acc (zeroshot 0.375 > fewshot 0.25; gsm8k has none)
    const rows = [...doc.querySelectorAll('#leaderboard tbody tr')].map((tr: any) => [...tr.children].map((td: any) => td.textContent));
    expect(rows.map((r) => r[1])).toEqual(['arc_easy/lmeval_out_zeroshot', 'lmeval_out_fewshot', 'gsm8k/lmeval_out_zeroshot']);
    const accCol = [...doc.querySelectorAll('#leaderboard thead th')].findIndex((th: any) => th.textContent.startsWith('arc_easy acc ↑'));
    expect(rows[0][accCol]).toBe('0.3750 ± 0.1830');
    expect(rows[1][accCol]).toBe('0.2500 ± 0.1637');

    // bar chart of arc_easy: the view's data are the leaderboard means and their stderrs
    const views = window.__report.views;
    const bars = views['bar-1'].data('bars');
    const zero = written.board.rows.find((r) => r.name === 'arc_easy/lmeval_out_zeroshot')!;
    const cell = zero.cells.get('arc_easy|acc,none')!;
    expect(bars.find((b: any) => b.experiment === 'arc_easy/lmeval_out_zeroshot')).toMatchObject({ value: cell.mean, error: cell.stderr });
    expect(bars).toHaveLength(2); // gsm8k's run has no arc_easy
    // the chart was drawn: one bar mark per datum
    expect(doc.querySelectorAll('#bar-1 svg [aria-roledescription="bar"]').length).toBe(2);
    // heatmap: one cell per (run, column) value
    const heat = views.heatmap.data('heat');
    const expectedCells = written.board.rows.reduce((n, r) => n + r.cells.size, 0);
    expect(heat).toHaveLength(expectedCells);
    // sample browser: the Python samples of the first task, with the diff between two runs
    const samples = window.__report.data.samples.arc_easy;
    expect(Object.keys(samples)).toEqual(['arc_easy/lmeval_out_zeroshot', 'lmeval_out_fewshot']);
    expect(doc.querySelectorAll('#s-docs div').length).toBe(8);
    expect(doc.querySelector('#s-view .diff')).not.toBeNull();
    expect(doc.querySelector('#s-view pre').textContent).toBe('Question: Which organ pumps blood?\nAnswer:');
  });

  it('shows repeats of an experiment set (spread chart, mean ± std)', async () => {
    // an experiment-set folder made from two copies of one Python run, as repeats
    const set = path.join(tmp, 'set');
    const src = path.join(ORACLE, 'arc_easy/lmeval_out_zeroshot');
    const experiments = [0, 1].map((r) => ({ id: `py_r${r + 1}`, name: 'py', repeat: r, model: { name: 'oracle-fake' } }));
    for (const e of experiments) {
      fs.cpSync(src, path.join(set, e.id, 'm'), { recursive: true });
      fs.writeFileSync(path.join(set, e.id, 'experiment.json'), '{}');
    }
    fs.writeFileSync(path.join(set, 'experiments.json'), JSON.stringify({ name: 'repeats', experiments }));
    const written = writeReports(set, readRuns([set]));
    expect(written.markdown).toContain('| 1 | py | oracle-fake | 2 | 0.3750 ± 0.0000 |');
    const { window, errors } = await load(path.join(set, 'report.html'));
    expect(errors).toEqual([]);
    const spread = window.__report.views.spread.data('spread');
    expect(spread.map((d: any) => d.repeat)).toEqual([1, 2]);
    expect(spread.every((d: any) => d.value === 0.375)).toBe(true);
  });

  it('shows the generation repeats of answer metrics (an lm-eval answers output) as repeats', async () => {
    // a run with 2 generation repeats, answers and judge deterministic (core's scripted models):
    // parity_judge scores seed % 2 -> per-repeat means [0, 1]; judge_notator reads ASK:n -> [4, 4]
    const dir = path.join(tmp, 'answers');
    fs.mkdirSync(dir, { recursive: true });
    const docs = [
      { query: 'Capital of France? ASK:1', output_true: 'Paris' },
      { query: 'Two plus two? ASK:7', output_true: '4' },
    ];
    fs.writeFileSync(path.join(dir, 'questions.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    fs.writeFileSync(
      path.join(dir, 'answers_report.yaml'),
      `task: answers_report
dataset_path: json
dataset_kwargs:
  data_files:
    test: ${JSON.stringify(path.join(dir, 'questions.jsonl'))}
test_split: test
output_type: generate_until
doc_to_text: "{{query}}"
doc_to_target: "{{output_true}}"
generation_kwargs: {until: [], max_gen_toks: 32, temperature: 0.5}
repeats: 2
metadata: {repeat_seed: 10}
metric_list:
  - metric: parity_judge
    judge_template: "{{ output }} JUDGE:parity"
    judge_parser: binary
  - metric: judge_notator
`,
    );
    registerModel('report-scripted-judge', () => new ScriptedJudge());
    const runOut = path.join(dir, 'out');
    await runEvaluation({ model: new ScriptedAnswerer(), tasks: ['answers_report'], includePath: [dir], cwd: dir, logSamples: true, outputPath: runOut, judgeModel: { backend: 'report-scripted-judge', args: {} } });

    const runs = readRuns([runOut]);
    expect(runs).toHaveLength(1);
    expect(runs[0].repeatValues.get('answers_report')?.get('parity_judge,none')).toEqual([0, 1]);
    const out = path.join(dir, 'report');
    const written = writeReports(out, runs, { mainMetric: 'parity_judge' });
    const row = written.board.rows[0];
    expect(row.cells.get('answers_report|parity_judge,none')).toMatchObject({ mean: 0.5, values: [0, 1], stderr: null });
    expect(row.cells.get('answers_report|parity_judge,none')!.std).toBeCloseTo(Math.SQRT1_2, 12);
    expect(row.cells.get('answers_report|judge_notator,none')).toMatchObject({ mean: 4, std: 0, values: [4, 4] });
    expect(written.markdown).toContain(`| 1 | ${row.name} | ${row.model} | 1 | 0.5000 ± 0.7071 | 4.0000 ± 0.0000 |`);
    expect(written.markdown).toMatch(/over repeats \(sample std; answer metrics of a run with generation repeats/);

    const { window, errors } = await load(path.join(out, 'report.html'));
    expect(errors).toEqual([]);
    const views = window.__report.views;
    // bars with error bars: the std over the generation repeats
    expect(views['bar-1'].data('bars')).toEqual([expect.objectContaining({ value: 0.5, error: row.cells.get('answers_report|parity_judge,none')!.std })]);
    // repeat spread: one point per generation repeat, for the main metric and the judge_notator
    expect(views.spread.data('spread').map((d: any) => [d.repeat, d.value])).toEqual([[1, 0], [2, 1]]);
    const sel = window.document.getElementById('spread-col');
    sel.value = 'answers_report|judge_notator,none';
    sel.dispatchEvent(new window.Event('change'));
    await vi.waitFor(() => expect(window.__report.views.spread.data('spread').map((d: any) => [d.repeat, d.value])).toEqual([[1, 4], [2, 4]]), { timeout: 60_000, interval: 20 });
  });

  it('renders in headless Chromium', (ctx) => {
    let chromium = '';
    for (const c of ['chromium', 'chromium-browser', 'google-chrome']) {
      try {
        chromium = execFileSync('which', [c], { encoding: 'utf8' }).trim();
        if (chromium) break;
      } catch {
        // not this one
      }
    }
    if (!chromium) {
      console.log('skipped: no Chromium installed (apt-get install chromium)');
      ctx.skip();
      return;
    }
    const page = path.join(tmp, 'py', 'report.html');
    const dom = execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=10000', '--dump-dom', `file://${page}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 90_000 });
    expect(dom).toContain('data-ready="true"');
    expect((dom.match(/aria-roledescription="bar"/g) ?? []).length).toBe(3); // arc_easy: 2 runs, gsm8k: 1
  });
});
