/**
 * Reads an experiment file (YAML or JSON) and turns it into a plan, whatever its shape: native,
 * EvalAP's experiment set, or DeathMath's run.yaml (recognised by their top-level keys).
 */
import { readFileSync } from 'node:fs';
import { LmEvalError } from '@lm-eval/core';
import { parseYaml } from '@lm-eval/core/tasks';
import { isPlainObject, parsePyJson } from '@lm-eval/core/python';
import { parseNativePlan } from './native-format.ts';
import { evalapToNative, isEvalapShape } from './evalap-format.ts';
import { deathmathToNative, isDeathmathShape } from './deathmath-format.ts';
import { LiteralKeys } from './foreign-keys.ts';
import type { ExperimentPlan } from './plan.ts';

export interface LoadPlanOptions {
  env?: NodeJS.ProcessEnv;
  /** `--tasks`: replaces the file's tasks (DeathMath files have none) */
  tasks?: string[];
  includePath?: string[];
  warn?: (message: string) => void;
}

export function parsePlanText(text: string, file: string, options: LoadPlanOptions = {}): ExperimentPlan {
  let raw: unknown;
  if (/\.json$/i.test(file)) {
    try {
      raw = parsePyJson(text); // floats stay floats (0.0), as Python's json.load reads them
    } catch (e) {
      throw new LmEvalError(`experiments file ${file}: not valid JSON (${(e as Error).message})`);
    }
  } else raw = parseYaml(text, { file });
  if (!isPlainObject(raw)) throw new LmEvalError(`experiments file ${file}: the top level must be a mapping`, 'see docs/experiments.md for the file format');
  const keys = new LiteralKeys();
  const ctx = { file, env: options.env ?? process.env, tasks: options.tasks, includePath: options.includePath, literalKeys: keys.map };
  if (isDeathmathShape(raw)) return parseNativePlan(deathmathToNative(raw, file, keys), ctx, 'deathmath');
  if (isEvalapShape(raw)) return parseNativePlan(evalapToNative(raw, file, keys, options.warn ?? (() => {})), ctx, 'evalap');
  return parseNativePlan(raw, ctx, 'native');
}

export function loadPlan(file: string, options: LoadPlanOptions = {}): ExperimentPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LmEvalError(`cannot read the experiments file '${file}'`, 'give the path of a YAML or JSON experiment file (docs/experiments.md)');
  }
  return parsePlanText(text, file, options);
}
