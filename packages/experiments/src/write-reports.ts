/** Writes `DIR/leaderboard.md` and `DIR/report.html` from lm-eval outputs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildLeaderboard, renderLeaderboardMarkdown, type Leaderboard } from './leaderboard.ts';
import type { RunRecord } from './results-reader.ts';
import { buildReportData } from './report-data.ts';
import { renderReportHtml } from './report-html.ts';

export interface WrittenReports {
  board: Leaderboard;
  markdown: string;
  files: string[];
}

export function writeReports(outputPath: string, runs: RunRecord[], options: { mainMetric?: string | null; title?: string; maxSamples?: number } = {}): WrittenReports {
  mkdirSync(outputPath, { recursive: true });
  const board = buildLeaderboard(runs, options.mainMetric);
  const markdown = renderLeaderboardMarkdown(board, options.title ?? 'Leaderboard');
  const md = path.join(outputPath, 'leaderboard.md');
  writeFileSync(md, markdown);
  const html = path.join(outputPath, 'report.html');
  writeFileSync(html, renderReportHtml(buildReportData(runs, board, { title: options.title, maxSamples: options.maxSamples })));
  return { board, markdown, files: [md, html] };
}
