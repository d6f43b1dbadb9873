import type { AggregationDef } from './types.ts';

/** `bypass`: the constant 999 (used by --predict_only). */
export const bypass: AggregationDef = {
  name: 'bypass',
  stderr: 'none',
  aggregate: () => 999,
};
