/**
 * results_<date_id>.json and samples_<task>_<date_id>.jsonl, named and serialised as lm-eval
 * writes them (spec: outputs-and-cli.md §1–§4).
 */
import { mkdirSync, writeFileSync, renameSync, appendFileSync, existsSync, rmSync } from 'node:fs';
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
  return name.replace(/["<>:/|\\?*[\]]+/g, '__');
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
      resultsFile: path.join(dir, `${stem}_${id}.json`),
      samplesFile: (task) => path.join(dir, `samples_${task}_${id}.jsonl`),
    };
  }
  const dir = modelNameSanitized ? path.join(outputPath, modelNameSanitized) : outputPath;
  return {
    resultsFile: path.join(dir, `results_${id}.json`),
    samplesFile: (task) => path.join(dir, `samples_${task}_${id}.jsonl`),
  };
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
  constructor(private readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = `${file}.partial`;
    if (existsSync(this.tmp)) rmSync(this.tmp);
  }
  write(sample: Record<string, unknown>): void {
    appendFileSync(this.tmp, serializeSampleLine(sample), 'utf8');
  }
  finish(): void {
    if (!existsSync(this.tmp)) writeFileSync(this.tmp, '');
    renameSync(this.tmp, this.file);
  }
}
