import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunOutputs, samplesByTask } from './run-outputs.ts';
import type { TaskOutcome } from './evaluator.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'lm-eval-run-outputs-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const noLog = { log: () => {}, phase: () => {} };
const results = { results: { b: {}, a: {} }, configs: { a: {}, b: {} } };

describe('RunOutputs', () => {
  it('writes nothing without an output path', () => {
    const out = new RunOutputs({ outputPath: null, modelNameSanitized: 'm', id: 'ID', profile: 'latest', logSamples: true }, noLog);
    expect(out.onSample).toBeUndefined();
    expect(out.write(results, {})).toEqual({ files: [] });
  });

  it('streams samples and writes results then samples files in configs order, under the model folder', () => {
    const dir = tmp();
    const phases: string[] = [];
    const out = new RunOutputs({ outputPath: dir, modelNameSanitized: 'org__model', id: 'ID', profile: 'latest', logSamples: true }, { log: () => {}, phase: (p) => phases.push(p) });
    out.onSample!('b', { doc_id: 0 });
    out.onSample!('b', { doc_id: 1 });
    const { files, unsaved } = out.write(results, {});
    expect(unsaved).toBeUndefined();
    expect(phases).toEqual(['writing results']);
    const m = path.join(dir, 'org__model');
    expect(files).toEqual([path.join(m, 'results_ID.json'), path.join(m, 'samples_a_ID.jsonl'), path.join(m, 'samples_b_ID.jsonl')]);
    expect(readFileSync(files[2], 'utf8')).toBe('{"doc_id": 0}\n{"doc_id": 1}\n');
    // a task that produced no sample still gets its (empty) file, and no .partial is left
    expect(readFileSync(files[1], 'utf8')).toBe('');
    expect(readdirSync(m).sort()).toEqual(['results_ID.json', 'samples_a_ID.jsonl', 'samples_b_ID.jsonl']);
  });

  it('[latest] an output path ending in .json names the results file', () => {
    const dir = tmp();
    const out = new RunOutputs({ outputPath: path.join(dir, 'run.json'), modelNameSanitized: 'm', id: 'ID', profile: 'latest', logSamples: false }, noLog);
    expect(out.onSample).toBeUndefined();
    expect(out.write(results, {}).files).toEqual([path.join(dir, 'run_ID.json')]);
  });

  it('keeps a run whose folder cannot be written: one fallback file with results and samples', () => {
    const dir = tmp();
    const logs: string[] = [];
    const out = new RunOutputs({ outputPath: dir, modelNameSanitized: 'm', id: `T${process.pid}`, profile: '0.4.4', logSamples: true }, { log: (_l, m) => logs.push(m), phase: () => {} });
    // the model folder's name is taken by a file (as if the disk changed during the run)
    writeFileSync(path.join(dir, 'm'), '');
    out.onSample!('a', { doc_id: 0 });
    out.onSample!('a', { doc_id: 1 });
    expect(logs).toEqual([`cannot write samples under ${dir} (EEXIST); the run goes on and the results will be saved to a fallback file`]);
    const { files, unsaved } = out.write(results, { a: [{ doc_id: 0 }, { doc_id: 1 }] });
    expect(files).toEqual([]);
    expect(unsaved?.reason).toMatch(/^EEXIST: /);
    try {
      expect(JSON.parse(readFileSync(unsaved!.fallbackFile!, 'utf8'))).toEqual({ results, samples: { a: [{ doc_id: 0 }, { doc_id: 1 }] } });
    } finally {
      if (unsaved?.fallbackFile && existsSync(unsaved.fallbackFile)) rmSync(unsaved.fallbackFile);
    }
  });
});

describe('samplesByTask', () => {
  it('maps each task to its sample records', () => {
    const o = (name: string, samples: unknown[]) => ({ task: { name }, samples }) as unknown as TaskOutcome;
    expect(samplesByTask([o('x', [{ doc_id: 0 }]), o('y', [])])).toEqual({ x: [{ doc_id: 0 }], y: [] });
  });
});
