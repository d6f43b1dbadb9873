/**
 * `--model` names → backend factories, looked up in the active registry (registry/active.ts);
 * `registerModel` registers process-wide (in the default registry).
 */
import type { ModelFactory } from './types.ts';
import { LmEvalError } from '../errors.ts';
import { createDummyModel } from './dummy.ts';
import { defaultRegistry } from '../registry/registry.ts';
import { activeRegistry } from '../registry/active.ts';

defaultRegistry.registerModel('dummy', createDummyModel);

/** Registers a backend under a `--model` name, process-wide (see `createRegistry` for one of your own). */
export function registerModel(name: string, factory: ModelFactory): void {
  defaultRegistry.registerModel(name, factory);
}

export function getModelFactory(name: string): ModelFactory {
  const f = activeRegistry().models.get(name);
  if (!f) {
    throw new LmEvalError(
      `Unknown model '${name}'. Registered models: ${registeredModels().join(', ')}.`,
      'Pass one of them with --model.',
    );
  }
  return f;
}

export function registeredModels(): string[] {
  return activeRegistry().models.names();
}
