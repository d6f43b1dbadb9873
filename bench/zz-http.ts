import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import http from 'node:http';
import { JsonHttpClient } from '../packages/openai/src/http.ts';
const child = spawn(process.execPath, ['--import', 'tsx', '/work/main/bench/completions.ts', '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', (l) => resolve(l.trim())));
const url = `${base}/v1/completions`;
const payloads = Array.from({ length: 20000 }, (_, i) => ({ model: 'bench', prompt: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 + (i % 5)]], temperature: 0, max_tokens: 1, logprobs: 1, seed: 1234, echo: true }));
const bodies = payloads.map((p) => JSON.stringify(p));
const C = 16;
async function raw() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: C });
  const u = new URL(url);
  const post = (body: string) => new Promise<void>((resolve, reject) => {
    const req = http.request(u, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = []; res.on('data', (c: Buffer) => chunks.push(c)); res.on('end', () => { JSON.parse(Buffer.concat(chunks).toString('utf8')); resolve(); });
    });
    req.on('error', reject); req.end(body);
  });
  let next = 0; const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => { while (next < bodies.length) await post(bodies[next++]); }));
  agent.destroy(); return 20000 / (performance.now() - t0) * 1000;
}
async function ours() {
  const c = new JsonHttpClient({ timeoutMs: 300000, maxRetries: 3, headers: { Authorization: 'Bearer ' }, verifyCertificate: true, maxSockets: C + 4 });
  let next = 0; const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => { while (next < payloads.length) await c.request(url, payloads[next++]); }));
  c.close(); return 20000 / (performance.now() - t0) * 1000;
}
for (let r = 0; r < 3; r++) console.log('raw', (await raw()).toFixed(0), 'ours', (await ours()).toFixed(0));
child.kill('SIGTERM'); process.exit(0);
