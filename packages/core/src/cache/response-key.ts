/**
 * Response cache keys (lm_eval/api/model.py `hash_args`).
 *
 * lm-eval's key is `sha256(json.dumps([method] + list(args)))` with Python's default JSON
 * (ensure_ascii=True, ", " / ": " separators); a JSON chat wrapper serialises as a one-element
 * list. That key ignores the model, so two models sharing one cache file read each other's
 * answers. Our key appends one more list element naming the model and the repeat index:
 * `sha256(json.dumps([method] + list(args) + [{"lm": name, "identity": identity, "repeat": r}]))`.
 */
import { pyJsonDumps } from '../python/json.ts';
import { sha256Hex } from '../python/hash.ts';
import { isPlainObject } from '../python/values.ts';
import type { LM } from '../model/types.ts';
import type { RequestType } from '../request/instance.ts';

/** lm-eval's own key: `sha256(json.dumps([method] + list(args))).hexdigest()`. */
export function lmEvalCacheKey(method: RequestType, args: readonly unknown[]): string {
  return sha256Hex(pyJsonDumps([method, ...args]));
}

/** The model part of our key (see module comment). */
export interface ModelIdentity {
  /** registered backend name (`lm.name`) */
  lm: string;
  /** `lm.cacheIdentity()` with secrets removed */
  identity: Record<string, unknown>;
}

// Credentials are not part of a model's identity: a rotated API key must not invalidate the
// cache, and secrets never enter key material. Backends should not put them in cacheIdentity()
// at all; this is a second line of defence.
const SECRET_KEY = /^(token|headers|default_headers|(.*_)?(api_?key|secret|password|passwd|authorization|auth_token|access_token|hf_token))$/i;

function withoutSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutSecrets);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!SECRET_KEY.test(k)) out[k] = withoutSecrets(x);
  return out;
}

/** The identity of a model for cache keys: its backend name and `cacheIdentity()` (never secrets). */
export function modelIdentity(lm: Pick<LM, 'name' | 'cacheIdentity'>): ModelIdentity {
  const raw = lm.cacheIdentity?.() ?? {};
  return { lm: lm.name, identity: withoutSecrets(raw) as Record<string, unknown> };
}

/**
 * Our key: lm-eval's JSON list extended with `{"lm", "identity", "repeat"}`. `repeat` counts
 * identical requests within one call to the model (0 for the first), so the `repeats` copies of
 * an instance — and sampled generations — each get their own entry.
 */
export function responseCacheKey(method: RequestType, args: readonly unknown[], model: ModelIdentity, repeat: number): string {
  return sha256Hex(pyJsonDumps([method, ...args, { lm: model.lm, identity: model.identity, repeat }]));
}
