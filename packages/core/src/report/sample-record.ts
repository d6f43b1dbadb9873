/**
 * One line of samples_<task>_<date_id>.jsonl (the per-doc `example` dict of lm_eval/evaluator.py `evaluate`).
 */
import type { Profile } from '../compat.ts';
import type { Instance } from '../request/instance.ts';
import { JsonChatStr } from '../model/types.ts';
import { pyStr, PyTuple } from '../python/values.ts';
import { pyJsonDumps } from '../python/json.ts';
import { sha256Hex } from '../python/hash.ts';

/** Every leaf converted by Python str(); tuples and lists become arrays. */
export function stringifyLeaves(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stringifyLeaves);
  return pyStr(v);
}

function promptText(arg0: unknown): string {
  if (arg0 instanceof JsonChatStr) return arg0.prompt;
  if (arg0 instanceof PyTuple || Array.isArray(arg0)) return String(arg0[0]);
  return String(arg0);
}

export interface SampleInput {
  docId: number;
  doc: Record<string, unknown>;
  target: unknown;
  /** the doc's instances sorted by idx */
  instances: Instance[];
  filter: string;
  /** per-doc metric values in process_results order */
  metrics: Record<string, unknown>;
  profile: Profile;
}

export function buildSampleRecord(s: SampleInput): Record<string, unknown> {
  const targetStr = pyStr(s.target);
  const args: Record<string, Record<string, unknown>> = {};
  s.instances.forEach((inst, i) => {
    const entry: Record<string, unknown> = {};
    inst.arguments.forEach((a, j) => {
      entry[`arg_${j}`] = a;
    });
    args[`gen_args_${i}`] = entry;
  });
  const rec: Record<string, unknown> = {
    doc_id: s.docId,
    doc: s.doc,
    target: targetStr,
    arguments: args,
    resps: s.instances.map((inst) => stringifyLeaves(inst.resps)),
    filtered_resps: s.instances.map((inst) => stringifyLeaves(inst.filteredResps[s.filter])),
  };
  if (s.profile === 'latest') {
    rec.filter = s.filter;
    rec.metrics = Object.keys(s.metrics);
  }
  rec.doc_hash = sha256Hex(pyJsonDumps(s.doc, { indent: 2, ensureAscii: false }));
  rec.prompt_hash = sha256Hex(promptText(s.instances[0]?.arguments[0] ?? ''));
  rec.target_hash = sha256Hex(targetStr);
  for (const [k, v] of Object.entries(s.metrics)) rec[k] = v;
  return rec;
}

/** sha256 over the concatenated doc/prompt/target hashes of a task's samples. */
export function taskHash(samples: Array<Record<string, unknown>>): string {
  return sha256Hex(samples.map((s) => `${s.doc_hash}${s.prompt_hash}${s.target_hash}`).join(''));
}
