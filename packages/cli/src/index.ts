// Public API of @lm-eval/cli: the entry point and the flag table (for wrappers and docs).
export { main, errorLine } from './main.ts';
export { RUN_FLAGS, ENV_VARS, HF_HUB_LOG_KEYS, LOG_LEVELS, type FlagSpec, type FlagKind, type EnvVarSpec } from './flags.ts';
export { parseKeyValueArgs, parseSeed, parseLimit, parseSamples, typedValue, type KeyValueArgs, type Seeds } from './values.ts';
export { renderCliDocs } from './docs.ts';
