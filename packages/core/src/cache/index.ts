/**
 * `@lm-eval/core/cache`: the response cache (`--use_cache`, SQLite) that wraps any `LM`,
 * and the keys it stores answers under.
 * @module
 */
export { CachingLM, type CachingLMOptions, type ResponseCacheStats } from './response-cache.ts';
export { ResponseStore, responseCacheFile, resolveResponseCacheFile, cacheFileSize, type ResponseStoreOptions } from './sqlite-store.ts';
export { responseCacheKey, lmEvalCacheKey, modelIdentity, type ModelIdentity } from './response-key.ts';
