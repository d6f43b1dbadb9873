/** `lm-eval cache stats|clear` through the real binary. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LM, type RequestHooks } from '@lm-eval/core';
import { CachingLM } from '@lm-eval/core/cache';

const BIN = fileURLToPath(new URL('../bin/lm-eval.mjs', import.meta.url));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A tiny model answering every request type. */
const model: LM = {
  name: 'tiny',
  async loglikelihood(reqs, hooks?: RequestHooks) {
    return reqs.map((_, i) => {
      hooks?.onResult?.(i, [-1.5, true]);
      return [-1.5, true];
    });
  },
  async loglikelihoodRolling(reqs) {
    return reqs.map(() => -3);
  },
  async generateUntil(reqs) {
    return reqs.map((r) => `out:${String(r.context)}`);
  },
};

let dir: string;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-cache-cli-'));
  const lm = CachingLM.open(model, path.join(dir, 'run'));
  await lm.loglikelihood([{ context: 'a', continuation: 'b' }, { context: 'c', continuation: 'd' }]);
  await lm.loglikelihoodRolling([{ text: 't' }]);
  await lm.generateUntil([1, 2, 3].map((i) => ({ context: `q${i}`, genKwargs: {} })));
  await lm.close();
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('lm-eval cache', () => {
  it('stats prints the file, counts per request type and the size, from the prefix or the .db path', () => {
    const file = path.join(dir, 'run_rank0.db');
    for (const arg of [path.join(dir, 'run'), file]) {
      const r = cli('cache', 'stats', arg);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`cache: ${file}\nentries: 6\n  loglikelihood: 2\n  loglikelihood_rolling: 1\n  generate_until: 3\n`);
      expect(r.stdout).toMatch(/size on disk: [\d.]+ KiB \(\d+ bytes\)/);
    }
    // stats leaves no WAL companions behind
    expect(fs.readdirSync(dir)).toEqual(['run_rank0.db']);
  });

  it('clear empties the cache and reports how many entries it removed', () => {
    const r = cli('cache', 'clear', path.join(dir, 'run'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`cleared 6 entries from ${path.join(dir, 'run_rank0.db')}\n`);
    expect(cli('cache', 'stats', path.join(dir, 'run')).stdout).toContain('entries: 0\n');
  });

  it('fails clearly on a missing cache', () => {
    const r = cli('cache', 'stats', path.join(dir, 'other'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`response cache ${path.join(dir, 'other_rank0.db')} does not exist`);
    expect(fs.existsSync(path.join(dir, 'other_rank0.db'))).toBe(false);
  });
});
