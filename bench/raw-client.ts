/**
 * The raw client both benchmarks compare the harness with: plain `node:http`, a keep-alive agent
 * with `concurrency` sockets, a sliding window of `concurrency` requests over pre-serialised
 * bodies, and a `JSON.parse` of every reply. Returns the elapsed milliseconds.
 */
import http from 'node:http';

/** Replays `bodies` with a sliding window of `concurrency` keep-alive requests; parses each reply. */
export async function rawReplay(url: string, bodies: string[], concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const u = new URL(url);
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(u, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { choices?: unknown[] };
          if (!json.choices) reject(new Error('bad reply'));
          else resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) await post(bodies[next++]);
    }),
  );
  const ms = performance.now() - t0;
  agent.destroy();
  return ms;
}
