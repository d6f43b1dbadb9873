/**
 * report.html: one self-contained page (no network) — the data as JSON, the page script and
 * style, and the charting libraries inlined: Vega, Vega-Lite and vega-embed (charts) and jsdiff
 * (the response diff in the sample browser), read from their npm packages' browser builds.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ReportData } from './report-data.ts';

const require = createRequire(import.meta.url);

function asset(name: string): string {
  return readFileSync(new URL(`./report-assets/${name}`, import.meta.url), 'utf8');
}

function library(file: string): string {
  return readFileSync(require.resolve(file), 'utf8');
}

/** vega-embed exports only its entry; the minified build sits next to it. */
function vegaEmbed(): string {
  return readFileSync(path.join(path.dirname(require.resolve('vega-embed')), 'vega-embed.min.js'), 'utf8');
}

/** Text safe inside <script>: no closing tag, no comment opener. */
function scriptSafe(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderReportHtml(data: ReportData): string {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const libs = [library('vega/build/vega.min.js'), library('vega-lite/build/vega-lite.min.js'), vegaEmbed(), library('diff/dist/diff.min.js')];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${asset('page.css')}</style>
</head>
<body>
<header><h1 id="title"></h1><p id="generated"></p></header>
<main>
<section><h2>Leaderboard</h2><p class="muted">mean ± std over repeats (experiment repeats, and the generation repeats of answer metrics); a single run shows lm-eval's standard error. Click a header to sort.</p><div class="scroll"><table id="leaderboard"></table></div></section>
<section><h2>Per task</h2><div id="bars" class="charts"></div></section>
<section><h2>Experiments × tasks</h2><div class="scroll"><div id="heatmap"></div></div></section>
<section><h2>Spread across repeats</h2><div class="controls"><label>metric <select id="spread-col"></select></label></div><div id="spread"></div></section>
<section id="samples"><h2>Samples</h2>
<div class="controls"><label>task <select id="s-task"></select></label><label>A <select id="s-a"></select></label><label>B <select id="s-b"></select></label><label><input type="checkbox" id="s-flips"> only documents whose first metric differs</label><span id="s-note" class="muted"></span></div>
<div id="s-docs" class="doclist"></div><div id="s-view"></div>
</section>
<section><h2>Runs</h2><div id="details"></div></section>
</main>
<script type="application/json" id="report-data">${json}</script>
${libs.map((l) => `<script>${scriptSafe(l)}</script>`).join('\n')}
<script>${scriptSafe(asset('page.js'))}</script>
</body>
</html>
`;
}
