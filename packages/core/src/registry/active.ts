/**
 * The registry that name lookups use: the one an evaluation or task manager was given while its
 * work runs (also across its awaits, so concurrent evaluations keep theirs apart), else the
 * process-wide default.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { defaultRegistry, type Registry } from './registry.ts';

const current = new AsyncLocalStorage<Registry>();

export function activeRegistry(): Registry {
  return current.getStore() ?? defaultRegistry;
}

/**
 * Runs `fn` with `registry` as the active registry. Without one (or with the one already
 * active) it simply runs `fn`, so runs on the default registry pay nothing for the scoping.
 */
export function withRegistry<T>(registry: Registry | undefined, fn: () => T): T {
  return registry === undefined || registry === activeRegistry() ? fn() : current.run(registry, fn);
}
