/**
 * Step (3) of `!function` resolution (task/functions.ts `resolveFunction`): a reference whose
 * `.py` file exists becomes a {@link pythonCallable} run by the Python helper worker. Nothing is
 * started here: the worker imports the module on the first call.
 */
import type { FunctionRef } from '../task/yaml.ts';
import { pythonCallable } from './session.ts';

let enabled = true;

/** Switches step (3) off or on (e.g. for tools that must not execute a folder's Python). */
export function setPythonHelpersEnabled(on: boolean): void {
  enabled = on;
}

/** The Python callable for `ref`, when one of its `.py` candidates exists (`existing`, in order). */
export function pythonHelperFor(ref: FunctionRef, existing: readonly string[]): ((...args: unknown[]) => unknown) | undefined {
  if (!enabled || existing.length === 0) return undefined;
  return pythonCallable(ref, existing[0]);
}
