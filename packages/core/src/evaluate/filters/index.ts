// Public API of the filters (lm_eval/filters/__init__.py).
export type { Filter, FilterContext, FilterDoc, FilterFactory } from './filter.ts';
export { BUILTIN_FILTERS } from './builtins.ts';
export { createFilter, knownFilters, registerFilter } from './registry.ts';
export { buildFilterPipelines, makeFilterPipeline } from './pipeline.ts';
export { regexExtract, DEFAULT_REGEX_PATTERN } from './regex.ts';
export { mostCommon } from './majority-vote.ts';
