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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
