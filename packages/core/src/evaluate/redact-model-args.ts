/**
 * Model args as recorded in results and the summary header: only secret values are hidden. A value
 * is secret when its name says so (`api_key`, `*_key`, `secret`, `password`, `auth`, `header(s)`) or
 * when a `token` / `*_token` name holds a string of credential shape (`hf_…`, `sk-…`, a long opaque
 * string). Booleans, numbers and the known tokenizer settings (`add_bos_token`, `eos_token`, …) are
 * settings that explain results, never credentials, and stay visible.
 */
import type { ModelArgs } from '../model/types.ts';

const SECRET_NAME = /(^|_)(api_?key|key|secret|password|auth|auth_token|access_token|headers?)$/i;
const TOKEN_NAME = /(^|_)token$/i;
const NOT_SECRET = new Set(['add_bos_token', 'bos_token', 'eos_token', 'pad_token', 'unk_token', 'think_end_token', 'custom_prefix_token']);
const SECRET_SHAPE = /^(hf_|sk-|sk_|Bearer\s)|^[A-Za-z0-9_\-.~+/=]{20,}$/;

export function isSecretArg(name: string, value: unknown): boolean {
  if (typeof value !== 'string') return typeof value === 'object' && value !== null && SECRET_NAME.test(name);
  if (NOT_SECRET.has(name.toLowerCase())) return false;
  if (SECRET_NAME.test(name)) return true;
  return TOKEN_NAME.test(name) && SECRET_SHAPE.test(value);
}

export function redactModelArgs(args: ModelArgs): ModelArgs {
  const out: ModelArgs = {};
  for (const [k, v] of Object.entries(args)) out[k] = isSecretArg(k, v) ? '<redacted>' : v;
  return out;
}
