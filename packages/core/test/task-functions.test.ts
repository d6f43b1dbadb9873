import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../src/errors.ts';
import {
  extractPythonBlock,
  modulePathsTried,
  pythonSourceOf,
  resolveFunction,
  resolveFunctionsDeep,
} from '../src/task/functions.ts';
import { loadYamlFile, FunctionRef } from '../src/task/yaml.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/tasks-engine/functions/nested');
const cfg = loadYamlFile(path.join(dir, 'task.yaml'));

describe('!function resolution', () => {
  it('resolves a TS module next to the YAML (utils.fn and ./utils.fn)', async () => {
    const fn = (await resolveFunction(cfg.doc_to_text as FunctionRef)) as (x: number) => number;
    expect(fn(21)).toBe(42);
    const fn2 = (await resolveFunction(cfg.doc_to_target as FunctionRef, '0.4.4')) as (x: number) => number;
    expect(fn2(2)).toBe(4);
  });

  it('latest dotted reading: sub.helpers.triple -> sub/helpers.ts', async () => {
    const fn = (await resolveFunction(cfg.process_results as FunctionRef, 'latest')) as (x: number) => number;
    expect(fn(2)).toBe(6);
    // also found under the 0.4.4 profile (both readings are tried)
    expect(((await resolveFunction(cfg.process_results as FunctionRef, '0.4.4')) as (x: number) => number)(1)).toBe(3);
  });

  it('v0.4.4 literal reading: ../shared_fn.quad and other.mod.neg -> other.mod.mjs', async () => {
    expect(((await resolveFunction(cfg.process_docs as FunctionRef, 'latest')) as (x: number) => number)(2)).toBe(8);
    expect(((await resolveFunction(cfg.doc_to_choice as FunctionRef, 'latest')) as (x: number) => number)(2)).toBe(-2);
  });

  it('lookup order depends on the profile', () => {
    const ref = cfg.process_results as FunctionRef;
    expect(modulePathsTried(ref, 'latest')[0]).toBe(path.join(dir, 'sub/helpers.ts'));
    expect(modulePathsTried(ref, '0.4.4')[0]).toBe(path.join(dir, 'sub.helpers.ts'));
    // relative modules skip the (broken) latest reading
    expect(modulePathsTried(cfg.process_docs as FunctionRef, 'latest')).toEqual(
      ['.ts', '.mts', '.js', '.mjs'].map((e) => path.join(dir, '../shared_fn' + e)),
    );
  });

  it('resolves nested references (metric_list, fewshot_config.sampler)', async () => {
    const r = (await resolveFunctionsDeep(cfg)) as Record<string, any>;
    expect(new r.fewshot_config.sampler().kind).toBe('sampler');
    expect(r.metric_list[0].metric(3)).toBe(9);
    expect(r.metric_list[0].aggregation).toBe('mean');
    expect(r.task).toBe('fn_task');
  });

  it('errors name the YAML file, every module path tried and the export', async () => {
    const bad = loadYamlFile(path.join(dir, 'bad_module.yaml'));
    const err = (await resolveFunction(bad.doc_to_text as FunctionRef).catch((e) => e)) as LmEvalError;
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err.message).toContain(path.join(dir, 'bad_module.yaml'));
    expect(err.message).toContain("no JS/TS module found for 'fn'");
    for (const ext of ['.ts', '.mts', '.js', '.mjs']) expect(err.message).toContain(path.join(dir, 'missing_mod' + ext));

    const noExport = loadYamlFile(path.join(dir, 'bad_export.yaml'));
    const err2 = (await resolveFunction(noExport.doc_to_text as FunctionRef).catch((e) => e)) as LmEvalError;
    expect(err2.message).toMatch(/bad_export\.yaml: !function utils\.nope: module .*utils\.ts has no export 'nope' \(exports: .*double/);
  });
});

describe('Python source text', () => {
  it('cuts def/class blocks by indentation, with decorators and multi-line strings', () => {
    const ref = new FunctionRef('utils', 'double', dir, 'utils.double');
    expect(pythonSourceOf(ref)).toBe('def double(x):\n    """Doubles.\n\nUnindented docstring line."""\n    return 2 * x  # trailing comment\n');
    const src = pythonSourceOf(new FunctionRef('utils', 'triple_like', dir, 'utils.triple_like'));
    expect(src).toBe('@decorator\ndef triple_like(\n    x,\n    y=3,\n):\n    if x:\n        return x * y\n    # comment inside\n\n    return 0\n');
    expect(pythonSourceOf(new FunctionRef('utils', 'Sampler', dir, 'utils.Sampler'))).toBe(
      'class Sampler:\n    kind = "sampler"\n\n    def sample(self, n):\n        return n\n',
    );
    expect(pythonSourceOf(new FunctionRef('utils', 'absent', dir, 'utils.absent'))).toBeUndefined();
    expect(pythonSourceOf(new FunctionRef('nomodule', 'x', dir, 'nomodule.x'))).toBeUndefined();
  });

  it('handles a nested method', () => {
    const src = 'class A:\n    def m(self):\n        return 1\n\n    def n(self):\n        pass\n';
    expect(extractPythonBlock(src, 'm')).toBe('    def m(self):\n        return 1\n');
  });
});
