/**
 * Test helpers: run the real `lm-eval` binary as a child process, and build an
 * LM_EVAL_DATASETS_DIR mirror from the conformance fixtures' docs.json files.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLimited } from '@lm-eval/core/engine';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BIN = path.join(ROOT, 'packages/cli/bin/lm-eval.mjs');
export const ORACLE = path.join(ROOT, 'packages/core/test/fixtures/oracle');

/** Writes every split of `<task>/docs.json` ({"path|name": {split: rows}}) as `<root>/<path>/<name|default>/<split>.jsonl`. */
export function buildMirror(tasks: string[], root: string): void {
  for (const task of tasks) {
    const docs = JSON.parse(fs.readFileSync(path.join(ORACLE, task, 'docs.json'), 'utf8')) as Record<string, Record<string, unknown[]>>;
    for (const [key, splits] of Object.entries(docs)) {
      const [dsPath, dsName] = key.split('|');
      const name = !dsName || dsName === 'None' || dsName === 'null' ? 'default' : dsName;
      const dir = path.join(root, dsPath, name);
      fs.mkdirSync(dir, { recursive: true });
      for (const [split, rows] of Object.entries(splits)) {
        fs.writeFileSync(path.join(dir, `${split}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      }
    }
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** the last non-empty line of stderr */
  lastErr: string;
}

export interface CliOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** run through `script -qec` so stdout/stderr are a terminal (merged into stdout) */
  tty?: boolean;
}

const lastLine = (s: string): string => s.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? '';

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  const env = { ...process.env, CI: 'true', LMEVAL_LOG_LEVEL: '', ...options.env };
  const [cmd, argv] = options.tty
    ? ['script', ['-qec', [process.execPath, BIN, ...args].map(shellQuote).join(' '), '/dev/null']]
    : [process.execPath, [BIN, ...args]];
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, argv as string[], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr, lastErr: lastLine(stderr) }));
  });
}

/** Runs jobs with at most `limit` at a time (each CLI start costs a fraction of a second of CPU). */
export function pool<T>(jobs: Array<() => Promise<T>>, limit = 4): Promise<T[]> {
  return runLimited(jobs, limit);
}

export function hasScript(): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'script'))) return true;
  }
  return false;
}
