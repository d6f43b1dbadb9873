/**
 * The standalone server script other tests (and the CLI end-to-end test) start:
 * `node --import tsx packages/openai/test/server/main.ts --port 0 --model models/stories260k`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionsArgs, goldenPairs, makeLM, MODEL_DIR } from './helpers.ts';

const ROOT = path.resolve(MODEL_DIR, '../..');
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'packages/openai/test/server/main.ts', '--port', '0', '--model', 'models/stories260k', '--faults', '429:nth=2:retry_after=1'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
});
afterAll(() => {
  if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
});

describe('standalone test server', () => {
  it('prints its URL first and serves /v1/models with max_model_len', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: Array<{ id: string; max_model_len: number }> };
    expect(models.data[0]).toMatchObject({ id: 'stories260k', max_model_len: 1024 });
  });

  it('honours Retry-After, counts requests, and is controllable over HTTP', async () => {
    const lm = await makeLM('local-completions', completionsArgs(url));
    const golden = goldenPairs().slice(0, 3);
    const t0 = Date.now();
    const res = await lm.loglikelihood(golden.map((g) => ({ context: g.context, continuation: g.continuation })));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950); // request 2 got 429 + Retry-After: 1
    res.forEach(([lp], i) => expect(Math.abs(lp - golden[i].logprob)).toBeLessThan(1e-3));
    const stats = (await (await fetch(`${url}/__control/stats`)).json()) as { scoringRequests: number; faultsInjected: Record<string, number> };
    expect(stats.scoringRequests).toBe(4);
    expect(stats.faultsInjected['429']).toBe(1);
    await fetch(`${url}/__control/faults`, { method: 'POST', body: JSON.stringify({ faults: '' }) });
    await fetch(`${url}/__control/reset`, { method: 'POST' });
    const after = (await (await fetch(`${url}/__control/stats`)).json()) as { scoringRequests: number };
    expect(after.scoringRequests).toBe(0);
    await lm.close();
  });
});
