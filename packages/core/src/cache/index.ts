// @lm-eval/core/cache: the response cache (--use_cache, SQLite) and the built-request cache (--cache_requests).
export * from './pickle.ts';
export * from './response-key.ts';
export * from './sqlite-store.ts';
export * from './response-cache.ts';
export * from './request-cache.ts';
