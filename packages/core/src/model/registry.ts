import type { ModelFactory } from './types.ts';
import { LmEvalError } from '../errors.ts';
import { createDummyModel } from './dummy.ts';

const factories = new Map<string, ModelFactory>([['dummy', createDummyModel]]);

/** Registers a backend under a `--model` name. */
export function registerModel(name: string, factory: ModelFactory): void {
  factories.set(name, factory);
}

export function getModelFactory(name: string): ModelFactory {
  const f = factories.get(name);
  if (!f) {
    throw new LmEvalError(
      `Unknown model '${name}'. Registered models: ${[...factories.keys()].sort().join(', ')}.`,
      'Pass one of them with --model.',
    );
  }
  return f;
}

export function registeredModels(): string[] {
  return [...factories.keys()].sort();
}
