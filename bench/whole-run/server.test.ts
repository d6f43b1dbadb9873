/**
 * The bench server's routes (server.ts): /v1/completions (replies from reply.ts, 400 for a body
 * it cannot answer), /bench/stats (what it counted, the bodies, its CPU time; then reset), 404
 * elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionReply, startServer, type BenchServer, type BenchStats } from './server.ts';

let server: BenchServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(() => server?.close());

const post = (body: string) => fetch(`${server.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
const stats = async (query = '') => (await (await fetch(`${server.url}/bench/stats${query}`)).json()) as BenchStats;

describe('bench server routes (server.ts)', () => {
  it('answers completions, counts them and hands back their bodies and its CPU time once', async () => {
    await stats(); // reset
    const bodies = [
      JSON.stringify({ model: 'bench', prompt: [[5, 9, 2]], temperature: 0, max_tokens: 1, prompt_logprobs: 1 }),
      JSON.stringify({ model: 'bench', prompt: [[5, 9, 2]], max_tokens: 1, logprobs: 1, echo: true }),
      JSON.stringify({ prompt: [[7, 7]], max_tokens: 8, stop: ['\n', '.'], model: 'bench' }),
    ];
    for (const b of bodies) {
      const res = await post(b);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(completionReply(JSON.parse(b)));
    }
    const s = await stats();
    expect(s.count).toBe(3);
    expect(s.bodies).toEqual(bodies);
    expect(s.arrivals).toHaveLength(3);
    expect(s.first).toBe(s.arrivals[0]);
    expect(s.last).toBeGreaterThanOrEqual(s.arrivals[2]);
    expect(s.cpu.user + s.cpu.system).toBeGreaterThan(0);
    // reset; without the bodies on request
    await post(bodies[0]);
    const t = await stats('?bodies=0');
    expect([t.count, t.bodies]).toEqual([1, []]);
    expect((await stats()).count).toBe(0);
  });

  it('answers 400 to a body it cannot answer, 404 elsewhere', async () => {
    for (const bad of ['{"prompt": [[1,2]', '{"prompt": 5}', '']) {
      const res = await post(bad);
      expect(res.status, bad).toBe(400);
      expect(await res.json()).toMatchObject({ object: 'error', type: 'BadRequestError', code: 400 });
    }
    for (const [method, path] of [['GET', '/v1/models'], ['GET', '/v1/completions'], ['POST', '/tokenize'], ['GET', '/bench/stats?x=1']]) {
      const res = await fetch(`${server.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toEqual({ detail: 'Not Found' });
    }
  });
});
