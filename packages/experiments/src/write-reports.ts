/** Writes `DIR/leaderboard.md` (and the HTML report) from lm-eval outputs. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildLeaderboard, renderLeaderboardMarkdown, type Leaderboard } from './leaderboard.ts';
import type { RunRecord } from './results-reader.ts';

export interface WrittenReports {
  board: Leaderboard;
  markdown: string;
  files: string[];
}

export function writeReports(outputPath: string, runs: RunRecord[], options: { mainMetric?: string | null; title?: string } = {}): WrittenReports {
  mkdirSync(outputPath, { recursive: true });
  const board = buildLeaderboard(runs, options.mainMetric);
  const markdown = renderLeaderboardMarkdown(board, options.title ?? 'Leaderboard');
  const md = path.join(outputPath, 'leaderboard.md');
  writeFileSync(md, markdown);
  return { board, markdown, files: [md] };
}
