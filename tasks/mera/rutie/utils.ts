/**
 * ruTiE helpers (MERA's benchmark_tasks/rutie/utils.py): doc order and the two hooks of MERA's context-based
 * (sequential) evaluation. Each question's prompt holds the placeholders `RUTIE_TARGET_<i>` for
 * the answers to the earlier questions of its dialog; the hooks fill them with the model's own
 * answers as the run goes.
 *
 * Hook signatures are those of the core (`ContextBasedHooks` in @lm-eval/core):
 * `_update_request(instance, storage)` before each model call, and
 * `_update_storage(storage, instance, response)` after it (returns the storage to use next).
 */
import { JsonChatStr, LmEvalError, createLogger } from '@lm-eval/core';
import { regexExtract } from '@lm-eval/core/metrics';
import { argmax, compilePyRegex, pyIntFromString, pyRepr, pyStrip, toNumber } from '@lm-eval/core/python';

type Doc = Record<string, any>;

/** The parts of the core's request `Instance` the hooks use. */
export interface RutieRequest {
  doc: Doc;
  requestType: 'loglikelihood' | 'loglikelihood_rolling' | 'generate_until';
  arguments: unknown[];
}

export const RUTIE_END_QUESTION_ID = 499;
export const FALLBACK = '-1';
const log = createLogger('mera');
const CHOICES = ['1', '2'];
const DIGIT = compilePyRegex('(\\b([0-9])\\b)');

export const placeholder = (idx: number): string => `RUTIE_TARGET_${idx}`;

/** Python `int(x)` of a dialog/question id (int or integer string). */
function intId(v: unknown, what: string): number {
  if (typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'object' && v !== null)) {
    const n = toNumber(v);
    if (Number.isFinite(n)) return Math.trunc(n);
  }
  const n = typeof v === 'string' ? pyIntFromString(v) : null;
  if (n !== null) return n;
  throw new LmEvalError(`rutie: meta.${what} must be an integer, got ${pyRepr(v)}`);
}

export function questionId(doc: Doc): number {
  return intId(doc.meta?.question_id, 'question_id');
}

/** Sorts the docs by (dialog_id, question_id) (stable), as MERA's process_docs does. */
export function process_docs(docs: Doc[]): Doc[] {
  return docs
    .map((d, i) => ({ d, i, key: [intId(d.meta?.dialog_id, 'dialog_id'), intId(d.meta?.question_id, 'question_id')] }))
    .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.i - b.i)
    .map((x) => x.d);
}

/** Replaces RUTIE_TARGET_<n-1> … RUTIE_TARGET_0 (descending, so `_1` does not clobber `_10`). */
export function replaceTargets(text: string, maxNum: number, storage: Record<string, unknown>): string {
  if (maxNum === 0) return text;
  const answers = (storage.answers ?? {}) as Record<string, string>;
  for (let idx = maxNum - 1; idx >= 0; idx--) {
    const key = placeholder(idx);
    if (!(key in answers)) {
      throw new LmEvalError(
        `rutie: no stored answer for ${key} (KeyError in Python)`,
        'context-based tasks must be evaluated from question 0 of each dialog on, in order; do not select single samples',
      );
    }
    text = text.split(key).join(answers[key]);
  }
  return text;
}

export function _update_request<R extends RutieRequest>(instance: R, storage: Record<string, unknown>): R {
  const qid = questionId(instance.doc);
  if (Object.keys(storage).length === 0 && qid !== 0) {
    log.warn('No previous responses logged in storage!');
    return instance;
  }
  const [context, ...rest] = instance.arguments;
  let updated: unknown;
  if (typeof context === 'string') updated = replaceTargets(context, qid, storage);
  else if (context instanceof JsonChatStr) updated = JsonChatStr.of(replaceTargets(context.prompt, qid, storage));
  else throw new LmEvalError(`rutie: unexpected request context ${pyRepr(context)}`);
  instance.arguments = [updated, ...rest] as R['arguments'];
  return instance;
}

export function _update_storage(storage: Record<string, unknown>, instance: RutieRequest, response: unknown): Record<string, unknown> {
  const qid = questionId(instance.doc);
  const generative = instance.requestType === 'generate_until';
  const candidates = storage.candidates;
  const dialogEnds = generative
    ? qid === RUTIE_END_QUESTION_ID
    : qid === RUTIE_END_QUESTION_ID && Array.isArray(candidates) && candidates.length === 1;
  if (dialogEnds) return {};
  const answers = () => (storage.answers ??= {}) as Record<string, string>;
  if (!generative) {
    // one loglikelihood per choice; decide once both are in
    const ll = Array.isArray(response) ? toNumber(response[0]) : toNumber(response);
    const list = (Array.isArray(storage.candidates) ? storage.candidates : (storage.candidates = [])) as number[];
    list.push(ll);
    if (list.length === 2) {
      answers()[placeholder(qid)] = CHOICES[argmax(list)];
      storage.candidates = [];
    }
  } else {
    if (typeof response !== 'string') throw new LmEvalError(`rutie: expected a generated string, got ${pyRepr(response)}`);
    const stripped = pyStrip(response);
    storage.candidates = stripped;
    const extracted = regexExtract(DIGIT, stripped, { regexPattern: DIGIT.pattern, groupSelect: 0, fallback: FALLBACK }, '0.4.4');
    answers()[placeholder(qid)] = typeof extracted === 'string' && extracted ? extracted : FALLBACK;
  }
  return storage;
}
