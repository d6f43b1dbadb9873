// @lm-eval/core/python: Python value semantics (values, json, random, re, str.format, literals,
// str/list/dict methods, CPython/NumPy numerics) as the harness reproduces them.
export * from './values.ts';
export * from './json.ts';
export * from './random.ts';
export * from './hash.ts';
export * from './re.ts';
export * from './literal.ts';
export * from './format.ts';
export * from './types.ts';
export * from './str-methods.ts';
export * from './collections.ts';
export * from './methods.ts';
export * from './numeric.ts';
