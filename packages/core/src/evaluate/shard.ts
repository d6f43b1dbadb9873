/**
 * Sharding one run across machines: `--shard i/n` keeps a deterministic 1/n of the documents,
 * chosen by a stable hash of (run key, task, document id) — not by file order, so shards get
 * similar mixes of tasks and every document belongs to exactly one shard. Requests are still
 * built for every selected document (few-shot samplers consume their RNG in document order), and
 * only the shard's documents are sent to the model and scored.
 */
import { createHash } from 'node:crypto';
import { LmEvalError } from '../errors.ts';

export interface ShardSpec {
  /** 1-based shard number */
  index: number;
  count: number;
  /** mixed into the hash (an experiment set uses the experiment name); default '' */
  key?: string;
}

/** The shard (1..count) a document belongs to. */
export function shardOf(key: string, task: string, docId: number, count: number): number {
  const h = createHash('sha256').update(`${key}\u0000${task}\u0000${docId}`, 'utf8').digest();
  return (h.readUInt32BE(0) % count) + 1;
}

export function inShard(spec: ShardSpec, task: string, docId: number): boolean {
  return spec.count <= 1 || shardOf(spec.key ?? '', task, docId, spec.count) === spec.index;
}

/** Parses `i/n` (1 <= i <= n). */
export function parseShard(text: string, where = '--shard'): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new LmEvalError(`${where}: '${text}' is not of the form i/n`, 'example: --shard 2/4 runs the second of four shards');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new LmEvalError(`${where}: '${text}' needs 1 <= i <= n`, 'shards are numbered from 1, e.g. 1/3, 2/3, 3/3');
  return { index, count };
}

/**
 * The shard from the environment of an array job: Slurm (`SLURM_ARRAY_TASK_ID` of
 * `SLURM_ARRAY_TASK_COUNT`, task ids 0- or 1-based via `SLURM_ARRAY_TASK_MIN`) or a Kubernetes
 * Indexed Job (`JOB_COMPLETION_INDEX`, 0-based, with the count from `LM_EVAL_SHARD_COUNT`).
 */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): ShardSpec | null {
  const slurmId = env.SLURM_ARRAY_TASK_ID;
  const slurmCount = env.SLURM_ARRAY_TASK_COUNT;
  if (slurmId !== undefined && slurmCount !== undefined) {
    const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    const count = Number(slurmCount);
    const index = Number(slurmId) - min + 1;
    if (!Number.isInteger(index) || !Number.isInteger(count) || index < 1 || index > count) {
      throw new LmEvalError(`SLURM_ARRAY_TASK_ID=${slurmId} does not fit SLURM_ARRAY_TASK_COUNT=${slurmCount} (min ${min})`, 'submit the array as --array=0-(n-1) or 1-n, or pass --shard i/n');
    }
    return { index, count };
  }
  const k8s = env.JOB_COMPLETION_INDEX;
  if (k8s !== undefined) {
    const count = Number(env.LM_EVAL_SHARD_COUNT ?? env.JOB_COMPLETIONS ?? NaN);
    const index = Number(k8s) + 1;
    if (!Number.isInteger(count) || count < 1) {
      throw new LmEvalError(`JOB_COMPLETION_INDEX=${k8s} is set but the shard count is unknown`, 'set LM_EVAL_SHARD_COUNT (or JOB_COMPLETIONS) to the number of completions, or pass --shard i/n');
    }
    if (index > count) throw new LmEvalError(`JOB_COMPLETION_INDEX=${k8s} is not below the shard count ${count}`);
    return { index, count };
  }
  return null;
}
