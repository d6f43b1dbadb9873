/**
 * results_<date_id>.json and samples_<task>_<date_id>.jsonl, named and serialised as lm-eval
 * writes them (lm_eval/loggers/evaluation_tracker.py
 * `EvaluationTracker.save_results_aggregated`, `save_results_samples`).
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { LmEvalError } from '../errors.ts';
import path from 'node:path';
import type { Profile } from '../compat.ts';
import { pyJsonDumps } from '../python/json.ts';

/** `datetime.now().isoformat()` with ':' replaced by '-' (local time, microseconds). */
export function dateId(now: Date = new Date(), micros?: number): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const us = micros ?? now.getMilliseconds() * 1000;
  const base = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}T${p(now.getHours())}-${p(now.getMinutes())}-${p(now.getSeconds())}`;
  return us === 0 ? base : `${base}.${p(us, 6)}`;
}

const MODEL_NAME_KEYS = ['peft', 'delta', 'pretrained', 'model', 'path', 'engine'];

/** lm-eval's model name for output paths: v0.4.4 reads the raw string, latest the dict. */
export function modelNameOf(modelArgs: Record<string, unknown> | string, profile: Profile): string {
  if (typeof modelArgs === 'string') {
    for (const k of MODEL_NAME_KEYS) {
      const at = modelArgs.indexOf(`${k}=`);
      if (at >= 0) return modelArgs.slice(at + k.length + 1).split(',')[0];
    }
    return '';
  }
  for (const k of MODEL_NAME_KEYS) {
    if (modelArgs[k] !== undefined && modelArgs[k] !== null) return String(modelArgs[k]);
  }
  if (profile === '0.4.4') return '';
  // latest: a random 8-character id
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 8; i++) id += chars[Math.floor(Math.random() * chars.length)];
  return id;
}

export function sanitizeModelName(name: string): string {
  const safe = name.replace(/["<>:/|\\?*[\]]+/g, '__');
  // `pretrained=..` would otherwise put the results one folder above --output_path
  return /^\.+$/.test(safe) ? '__' : safe;
}

/**
 * A task or run name as part of a file name: path separators (and NUL) become `__`, so a task
 * named `x/../../pwned` cannot write outside the output folder. Ordinary names (letters, digits,
 * `_-.:`) are unchanged, so file names stay those lm-eval writes.
 */
export function sanitizeFileNamePart(name: string): string {
  return name.replace(/[/\\\0]+/g, '__');
}

/** `file`, after checking that it lies inside `dir` (throws otherwise). */
function inside(dir: string, file: string): string {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new LmEvalError(`refusing to write ${file}: it is outside the output folder ${dir}`, 'rename the task or model so that its name holds no path');
  }
  return file;
}

export interface OutputLocation {
  resultsFile: string;
  samplesFile(task: string): string;
}

export function outputLocation(outputPath: string, modelNameSanitized: string, id: string, profile: Profile): OutputLocation {
  if (profile === 'latest' && outputPath.endsWith('.json')) {
    const dir = path.dirname(outputPath);
    const stem = path.basename(outputPath, '.json');
    return {
      resultsFile: inside(dir, path.join(dir, `${stem}_${id}.json`)),
      samplesFile: (task) => inside(dir, path.join(dir, `samples_${sanitizeFileNamePart(task)}_${id}.jsonl`)),
    };
  }
  const dir = modelNameSanitized ? path.join(outputPath, sanitizeFileNamePart(modelNameSanitized)) : outputPath;
  inside(outputPath, path.join(dir, 'x'));
  return {
    resultsFile: inside(outputPath, path.join(dir, `results_${id}.json`)),
    samplesFile: (task) => inside(outputPath, path.join(dir, `samples_${sanitizeFileNamePart(task)}_${id}.jsonl`)),
  };
}

/**
 * Checks, before any request is sent, that the folder the results go to can be created and
 * written: `--output_path` naming an existing file (where a folder is meant), a path under a file,
 * a read-only or missing-permission folder all fail here instead of after the evaluation.
 */
export function checkOutputPath(outputPath: string, profile: Profile): void {
  const asFile = profile === 'latest' && outputPath.endsWith('.json');
  const dir = asFile ? path.dirname(outputPath) || '.' : outputPath;
  const fail = (why: string, hint = 'choose another --output_path') => new LmEvalError(`--output_path ${outputPath}: ${why}`, hint);
  if (asFile && existsSync(outputPath) && statSync(outputPath).isDirectory()) throw fail('is a folder, but a name ending in .json means a results file');
  // the nearest existing ancestor must be a folder
  let probe = path.resolve(dir);
  while (!existsSync(probe)) probe = path.dirname(probe);
  if (!statSync(probe).isDirectory()) {
    throw fail(probe === path.resolve(dir) ? 'is a file, not a folder' : `${probe} is a file, so no folder can be made under it`);
  }
  try {
    // one level at a time: a recursive mkdir spins forever on some pseudo file systems (/proc)
    const missing: string[] = [];
    for (let d = path.resolve(dir); d !== probe; d = path.dirname(d)) missing.unshift(d);
    for (const d of missing) mkdirSync(d);
    const test = path.join(dir, `.lm-eval-write-test-${process.pid}`);
    writeFileSync(test, '');
    rmSync(test);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(`cannot write there (${code ?? (e as Error).message})`, code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'choose a folder you can write to' : undefined);
  }
}

/**
 * When the results cannot be written where asked (disk full, folder removed or made read-only
 * during the run), the results and samples go to one JSON file in the working folder, else the
 * temporary folder; returns its path (null if that fails too).
 */
export function writeFallbackFile(id: string, results: Record<string, unknown>, samples: Record<string, unknown[]>): string | null {
  const text = pyJsonDumps({ results, samples }, { indent: 2, ensureAscii: false });
  for (const dir of [process.cwd(), os.tmpdir()]) {
    const file = path.join(dir, `lm-eval-unsaved-results_${id}.json`);
    try {
      writeFileSync(file, text, 'utf8');
      return file;
    } catch {
      // try the next folder
    }
  }
  return null;
}

/** Results JSON: indent 2, ensure_ascii=False, no trailing newline. */
export function serializeResults(results: Record<string, unknown>): string {
  return pyJsonDumps(results, { indent: 2, ensureAscii: false });
}

export function serializeSampleLine(sample: Record<string, unknown>): string {
  return pyJsonDumps(sample, { ensureAscii: false }) + '\n';
}

export function writeResultsFile(file: string, results: Record<string, unknown>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  writeFileSync(tmp, serializeResults(results), 'utf8');
  renameSync(tmp, file);
}

/**
 * Samples written progressively to `<file>.partial` and moved into place at the end, so a
 * crash leaves readable partial samples.
 */
export class SamplesWriter {
  private readonly tmp: string;
  /** lines not yet written (at most ~1 MB), and the open `.partial` file */
  private pending: string[] = [];
  private pendingSize = 0;
  private fd: number | null = null;
  constructor(private readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = `${file}.partial`;
    if (existsSync(this.tmp)) rmSync(this.tmp);
  }
  write(sample: Record<string, unknown>): void {
    const line = serializeSampleLine(sample);
    this.pending.push(line);
    this.pendingSize += line.length;
    if (this.pendingSize >= 1 << 20) this.flush();
  }
  private flush(): void {
    if (this.pending.length === 0) return;
    this.fd ??= openSync(this.tmp, 'a');
    writeFileSync(this.fd, this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingSize = 0;
  }
  finish(): void {
    this.flush();
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    } else if (!existsSync(this.tmp)) writeFileSync(this.tmp, '');
    renameSync(this.tmp, this.file);
  }
}
