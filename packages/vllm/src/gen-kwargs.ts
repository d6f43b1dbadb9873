/**
 * generate_until kwargs → vLLM `SamplingParams` (lm-eval latest, lm_eval/models/vllm_causallms.py
 * `VLLM.generate_until`, `VLLM.modify_gen_kwargs`) and the
 * post-processing of the generated text.
 */
import { LmEvalError, type GenKwargs } from '@lm-eval/core';
import { PyFloat } from '@lm-eval/core/python';
import { isPyWhitespace as pyIsSpace } from '@lm-eval/core/python';

export interface SamplingPlan {
  /** Stop strings (until + EOS text); also used for post-hoc truncation. */
  until: string[];
  maxGenToks: number;
  /** Keyword arguments for `SamplingParams(...)`. */
  params: Record<string, unknown>;
}

const MAX_TOKEN_KEYS = ['max_gen_toks', 'max_new_tokens', 'max_tokens', 'max_completion_tokens'] as const;

function plain(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/**
 * lm-eval `handle_stop_sequences` + kwargs normalisation:
 * - `until` (str → [str], None → []) plus the EOS text when not already present;
 * - max tokens from the first present of max_gen_toks / max_new_tokens / max_tokens /
 *   max_completion_tokens (all four removed), else the backend default;
 * - `do_sample: false` ⇒ temperature 0.0; `do_sample` absent ⇒ the given temperature, if any
 *   (a task with neither key gets vLLM's default temperature — an lm-eval quirk kept here);
 * - `skip_special_tokens` / `spaces_between_special_tokens` false unless given;
 * - every other key goes to `SamplingParams` verbatim.
 */
export function planSampling(genKwargs: GenKwargs, defaultMaxGenToks: number, eosText: string | null): SamplingPlan {
  if (!genKwargs || typeof genKwargs !== 'object' || Array.isArray(genKwargs)) {
    throw new LmEvalError(`generate_until: expected gen_kwargs to be a dict, got ${JSON.stringify(genKwargs)}`);
  }
  const kw = plain(genKwargs) as Record<string, unknown>;
  let until: string[];
  const u = kw.until;
  delete kw.until;
  if (u === undefined || u === null) until = [];
  else if (typeof u === 'string') until = [u];
  else if (Array.isArray(u)) until = u.map(String);
  else throw new LmEvalError(`generate_until: 'until' must be a string or a list of strings, got ${JSON.stringify(u)}`);
  if (eosText !== null && eosText !== undefined && !until.includes(eosText)) until.push(eosText);

  let maxGenToks = defaultMaxGenToks;
  const firstKey = MAX_TOKEN_KEYS.find((k) => kw[k] !== undefined && kw[k] !== null);
  if (firstKey) maxGenToks = Number(kw[firstKey]);
  for (const k of MAX_TOKEN_KEYS) delete kw[k];
  if (!Number.isInteger(maxGenToks) || maxGenToks < 1) {
    throw new LmEvalError(`generate_until: max_gen_toks must be a positive integer (got ${String(maxGenToks)})`);
  }

  const doSample = kw.do_sample;
  delete kw.do_sample;
  if (doSample === false) kw.temperature = 0.0;

  const params: Record<string, unknown> = {
    max_tokens: maxGenToks,
    stop: until,
    skip_special_tokens: false,
    spaces_between_special_tokens: false,
    ...kw,
  };
  return { until, maxGenToks, params };
}

/** lm-eval `postprocess_generated_text`: cut at each stop string, then keep what follows the
 * last `think_end_token` (left-stripped). */
export function postprocessGeneration(text: string, until: string[], thinkEndToken: string | null): string {
  let out = text;
  for (const term of until) {
    if (term.length > 0) {
      const i = out.indexOf(term);
      if (i >= 0) out = out.slice(0, i);
    }
  }
  if (thinkEndToken) {
    const parts = out.split(thinkEndToken);
    out = lstripPy(parts[parts.length - 1]);
  }
  return out;
}

function lstripPy(s: string): string {
  const chars = Array.from(s);
  let i = 0;
  while (i < chars.length && pyIsSpace(chars[i])) i++;
  return chars.slice(i).join('');
}
