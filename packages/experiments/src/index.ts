// Public API of @lm-eval/experiments: experiment files -> plan -> runs -> leaderboard.
export { seedsFor, namePart, samples, type EndpointSpec, type ModelSpec, type TaskSpec, type Settings, type Seeds, type Experiment, type ExperimentPlan } from './plan.ts';
export { parseNativePlan, API_BACKENDS } from './native-format.ts';
export { loadPlan, parsePlanText, type LoadPlanOptions } from './load-plan.ts';
export { EndpointScheduler, EndpointPoolLM, type PoolEndpoint, type EndpointPoolOptions } from './endpoint-pool.ts';
export { runExperiments, writeManifest, MANIFEST, MARKER, type RunExperimentsOptions, type ExperimentEvent, type ExperimentOutcome } from './run-experiments.ts';
export { readRuns, type RunRecord, type MetricValue } from './results-reader.ts';
export { buildLeaderboard, renderLeaderboardMarkdown, formatCell, columnLabel, findColumn, sampleStd, colId, type Leaderboard, type LeaderboardRow, type Column, type Cell } from './leaderboard.ts';
export { writeReports, type WrittenReports } from './write-reports.ts';
export { mergeShards, writeShardSidecar, type MergeOptions, type MergeOutput } from './merge.ts';
export { buildReportData, type ReportData, type ReportSample } from './report-data.ts';
export { renderReportHtml } from './report-html.ts';
export { compareRuns, renderComparison, singleRun, mcnemarExact, pairedPermutation, type Comparison, type MetricComparison, type Flip } from './compare.ts';
