// Public API of @lm-eval/core. Each module family adds its exports here (one line each).
export * from './errors.ts';
export * from './python/values.ts';
export * from './model/types.ts';
export * from './model/registry.ts';
export * from './compat.ts';
export * from './testing/conformance.ts';
