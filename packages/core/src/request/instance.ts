/**
 * Requests (lm_eval/api/instance.py `Instance`): one Instance per model call, grouped per doc.
 */
import type { Context, GenerationDetail, GenKwargs } from '../model/types.ts';
import type { Doc } from '../prompt/task-view.ts';

export type RequestType = 'loglikelihood' | 'loglikelihood_rolling' | 'generate_until';

export type RequestArguments = [Context, string] | [string] | [Context, GenKwargs];

export interface Instance {
  requestType: RequestType;
  doc: Doc;
  arguments: RequestArguments;
  idx: number;
  taskName: string;
  docId: number;
  repeats: number;
  /** `repeats` raw responses */
  resps: unknown[];
  /** pipeline name -> filtered value */
  filteredResps: Record<string, unknown>;
  /** per repeat, what the backend reported about the generation (generate_until; may be absent) */
  details?: Array<GenerationDetail | undefined>;
  /** when set, repeat r of a generate_until request is sent with gen_kwargs `seed: repeatSeed + r` */
  repeatSeed?: number;
}
