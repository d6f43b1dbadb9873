import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardFromEnv, shardOf } from './shard.ts';

describe('shards', () => {
  it('puts every document in exactly one shard, by a stable hash', () => {
    const counts = [0, 0, 0];
    for (let d = 0; d < 300; d++) {
      const s = shardOf('exp', 'task', d, 3);
      expect([1, 2, 3].filter((i) => inShard({ index: i, count: 3, key: 'exp' }, 'task', d))).toEqual([s]);
      counts[s - 1]++;
    }
    expect(counts.every((c) => c > 70)).toBe(true);
    // fixed by the inputs alone (sha256 of "exp\0task\00")
    expect(shardOf('exp', 'task', 0, 3)).toBe(shardOf('exp', 'task', 0, 3));
    expect(inShard({ index: 1, count: 1 }, 't', 5)).toBe(true);
  });

  it('parses i/n and names the flag on errors', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('0/4')).toThrow(/--shard: '0\/4' needs 1 <= i <= n/);
    expect(() => parseShard('2-4')).toThrow(/--shard: '2-4' is not of the form i\/n/);
  });

  it('reads Slurm array and Kubernetes Indexed Job variables', () => {
    expect(shardFromEnv({})).toBeNull();
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '3' })).toEqual({ index: 1, count: 3 });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1' })).toEqual({ index: 3, count: 3 });
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '3' })).toThrow(/does not fit/);
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '1', LM_EVAL_SHARD_COUNT: '4' })).toEqual({ index: 2, count: 4 });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '1' })).toThrow(/shard count is unknown/);
  });
});
