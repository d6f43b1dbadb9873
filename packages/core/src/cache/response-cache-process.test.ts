/** The response cache across processes: two writers sharing a file, and a writer killed with SIGKILL. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CachingLM } from './response-cache.ts';
import { FakeLM } from './fixtures/fake-lm.ts';
import { pickleLoads } from './pickle.ts';

const WRITER = fileURLToPath(new URL('./fixtures/cache-writer.ts', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-cache-proc-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Child {
  stdout: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

function writer(args: string[], onLine?: (line: string, kill: () => void) => void): Promise<Child> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const l of lines) onLine?.(l, () => p.kill('SIGKILL'));
    });
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`writer exited ${code}: ${stderr}`));
      else resolve({ stdout, code, signal });
    });
  });
}

const requests = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ context: `Q${from + k}:`, continuation: ` A${from + k}` }));

describe('response cache across processes', () => {
  it('two processes writing one file concurrently never corrupt it', async () => {
    const prefix = path.join(dir, 'shared');
    // overlapping ranges: both processes write Q200..Q399
    // 1 ms per answer and commits every 1 ms or 8 rows: both hold the file for hundreds of ms
    const [a, b] = await Promise.all([writer([prefix, '0', '400', '5', '1', '1']), writer([prefix, '200', '400', '7', '1', '1'])]);
    const sent = (c: Child) => Number(/done (\d+)\n$/.exec(c.stdout)![1]);
    const window = (c: Child) => /window (\d+) (\d+)/.exec(c.stdout)!.slice(1).map(Number);
    const [wa, wb] = [window(a), window(b)];
    expect(wa[0] < wb[1] && wb[0] < wa[1]).toBe(true); // they really wrote at the same time
    // answers the other process committed first are not asked again
    expect(sent(a) + sent(b)).toBeGreaterThanOrEqual(600);
    expect(sent(a) + sent(b)).toBeLessThanOrEqual(800);

    const file = `${prefix}_rank0.db`;
    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('SELECT value FROM unnamed').all() as Array<{ value: Buffer }>;
    db.close();
    expect(rows).toHaveLength(600);
    for (const r of rows) expect(pickleLoads(r.value)).toHaveLength(2);

    // every answer is there and right: a third reader sends nothing
    const inner = new FakeLM();
    const lm = CachingLM.open(inner, prefix);
    const out = await lm.loglikelihood(requests(0, 600));
    await lm.close();
    expect(inner.sent).toEqual([]);
    expect(out).toEqual(await new FakeLM().loglikelihood(requests(0, 600)));
  });

  it('a writer killed with SIGKILL keeps what it committed; the rerun sends only the rest', async () => {
    const prefix = path.join(dir, 'killed');
    let seen = 0;
    const killed = await writer([prefix, '0', '200', '50', '3', '50'], (line, kill) => {
      if (line.startsWith('result ')) seen = Number(line.slice(7));
      if (seen === 120) kill();
    });
    expect(killed.signal).toBe('SIGKILL');
    const db = new Database(`${prefix}_rank0.db`, { readonly: true });
    const stored = (db.prepare('SELECT COUNT(*) AS n FROM unnamed').get() as { n: number }).n;
    db.close();
    // pending writes are bounded by flushRows (8) even when no timer could run
    expect(stored).toBeGreaterThanOrEqual(120 - 8);
    expect(stored).toBeLessThan(200);

    const rerun = await writer([prefix, '0', '200', '50']);
    expect(rerun.stdout).toMatch(new RegExp(`done ${200 - stored}\\n$`));
    const inner = new FakeLM();
    const lm = CachingLM.open(inner, prefix);
    expect(await lm.loglikelihood(requests(0, 200))).toEqual(await new FakeLM().loglikelihood(requests(0, 200)));
    expect(inner.sent).toEqual([]);
    await lm.close();
  });
});
