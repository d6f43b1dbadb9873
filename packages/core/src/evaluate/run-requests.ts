/**
 * Sends instances to the model (lm_eval/evaluator.py `evaluate`): grouped by request type in
 * order of first appearance, each instance repeated `repeats` times consecutively, responses
 * appended to `instance.resps` in order.
 */
import type { GenerateRequest, LM, LoglikelihoodRequest, RequestHooks, RollingRequest } from '../model/types.ts';
import type { Instance, RequestType } from '../request/instance.ts';
import { isNumberLike, PyTuple, toNumber, tuple } from '../python/values.ts';
import { LmEvalError } from '../errors.ts';
import { RequestTooLargeError } from '../model/request-too-large.ts';

export interface RunProgress {
  requestType: RequestType;
  /** what is being counted, when not the model's requests (e.g. `judging judge_exactness`) */
  label?: string;
  done: number;
  total: number;
  /** the tasks whose requests these are (set on a series' first event) */
  tasks?: string[];
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
}

export const toLoglikelihoodRequests = (args: Instance['arguments'][]): LoglikelihoodRequest[] =>
  args.map((a) => ({ context: a[0] as LoglikelihoodRequest['context'], continuation: a[1] as string }));
export const toRollingRequests = (args: Instance['arguments'][]): RollingRequest[] => args.map((a) => ({ text: a[0] as string }));
export const toGenerateRequests = (args: Instance['arguments'][]): GenerateRequest[] =>
  args.map((a) => ({ context: a[0] as GenerateRequest['context'], genKwargs: a[1] as Record<string, unknown> }));

/** Calls the right LM method for one request type. */
export async function callModel(lm: LM, type: RequestType, args: Instance['arguments'][], hooks: RequestHooks): Promise<unknown[]> {
  switch (type) {
    case 'loglikelihood': {
      const res = await lm.loglikelihood(toLoglikelihoodRequests(args), hooks);
      return res.map(([lp, g]) => tuple<unknown>(lp, g));
    }
    case 'loglikelihood_rolling':
      return lm.loglikelihoodRolling(toRollingRequests(args), hooks);
    case 'generate_until':
      return lm.generateUntil(toGenerateRequests(args), hooks);
  }
}

/** callModel; a request the backend cannot take is named by its task and document. */
async function callModelNaming(slots: Array<[Instance, number]>, ...args: Parameters<typeof callModel>): Promise<unknown[]> {
  try {
    return await callModel(...args);
  } catch (e) {
    const slot = e instanceof RequestTooLargeError ? slots[e.index] : undefined;
    if (slot === undefined) throw e;
    const [inst] = slot;
    throw new LmEvalError(`task '${inst.taskName}', doc ${inst.docId} (${inst.requestType}): ${(e as RequestTooLargeError).message}`, (e as RequestTooLargeError).hint, { cause: e });
  }
}

function normalise(type: RequestType, v: unknown): unknown {
  // callModel's values are tuples already (a second copy per request is not made)
  if (type === 'loglikelihood' && Array.isArray(v) && !(v instanceof PyTuple)) return tuple<unknown>(v[0], v[1]);
  return v;
}

/** Whether gen_kwargs sample (temperature > 0 or do_sample): only then do repeats need their own seeds. */
function samples(genKwargs: Record<string, unknown>): boolean {
  const t = genKwargs.temperature;
  return genKwargs.do_sample === true || (isNumberLike(t) && toNumber(t) > 0);
}

/** The request of one repeat: with a repeat seed, sampled generate_until repeats get distinct `seed`s. */
function argumentsOfRepeat(inst: Instance, r: number): Instance['arguments'] {
  if (inst.repeatSeed === undefined || inst.requestType !== 'generate_until') return inst.arguments;
  const [context, genKwargs] = inst.arguments as [unknown, Record<string, unknown>];
  if (!samples(genKwargs)) return inst.arguments;
  return [context, { ...genKwargs, seed: inst.repeatSeed + r }] as Instance['arguments'];
}

/** Runs all instances in batches per request type; fills `resps` (and `details` for generations). */
export async function runInstances(lm: LM, instances: Instance[], options: RunOptions = {}): Promise<void> {
  const order: RequestType[] = [];
  const byType = new Map<RequestType, Instance[]>();
  for (const inst of instances) {
    if (!byType.has(inst.requestType)) {
      byType.set(inst.requestType, []);
      order.push(inst.requestType);
    }
    byType.get(inst.requestType)!.push(inst);
  }
  for (const type of order) {
    const group = byType.get(type)!;
    const slots: Array<[Instance, number]> = [];
    for (const inst of group) for (let r = 0; r < inst.repeats; r++) slots.push([inst, r]);
    for (const inst of group) {
      inst.resps = new Array(inst.repeats);
      if (type === 'generate_until') inst.details = new Array(inst.repeats);
    }
    let done = 0;
    const total = slots.length;
    options.onProgress?.({ requestType: type, done, total, tasks: [...new Set(group.map((i) => i.taskName))] });
    const delivered = new Uint8Array(total);
    const results = await callModelNaming(
      slots,
      lm,
      type,
      slots.map(([inst, r]) => argumentsOfRepeat(inst, r)),
      {
        signal: options.signal,
        onDetail: (i, detail) => {
          const [inst, r] = slots[i];
          if (inst.details) inst.details[r] = detail;
        },
        onResult: (i, value) => {
          if (delivered[i]) return;
          delivered[i] = 1;
          const [inst, r] = slots[i];
          inst.resps[r] = normalise(type, value);
          done++;
          options.onProgress?.({ requestType: type, done, total });
        },
      },
    );
    results.forEach((value, i) => {
      const [inst, r] = slots[i];
      inst.resps[r] = normalise(type, value);
    });
    if (done < total) options.onProgress?.({ requestType: type, done: total, total });
  }
}

/**
 * MERA's context-based execution (ruTiE): instances are sent one at a time, in order; the
 * task's request_updater rewrites each request from a storage filled by storage_updater.
 */
export interface ContextBasedHooks {
  requestUpdater: (instance: Instance, storage: Record<string, unknown>) => Instance | void;
  storageUpdater: (storage: Record<string, unknown>, instance: Instance, response: unknown) => Record<string, unknown> | void;
}

export async function runContextBased(lm: LM, instances: Instance[], hooks: ContextBasedHooks, options: RunOptions = {}): Promise<void> {
  let storage: Record<string, unknown> = {};
  const total = instances.reduce((n, i) => n + i.repeats, 0);
  let done = 0;
  for (const inst of instances) {
    inst.resps = [];
    for (let r = 0; r < inst.repeats; r++) {
      const updated = hooks.requestUpdater(inst, storage);
      if (updated && updated !== inst) inst.arguments = updated.arguments;
      const [value] = await callModel(lm, inst.requestType, [inst.arguments], { signal: options.signal });
      const v = normalise(inst.requestType, value);
      inst.resps.push(v);
      const next = hooks.storageUpdater(storage, inst, v);
      if (next) storage = next;
      done++;
      options.onProgress?.({ requestType: inst.requestType, done, total });
    }
  }
}
