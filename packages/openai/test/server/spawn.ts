/**
 * Starts the OpenAI-compatible test server (`main.ts`) as its own process on a free loopback
 * port, for end-to-end tests in any package; resolves with the URL the server prints first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const MAIN = path.join(ROOT, 'packages/openai/test/server/main.ts');

export interface SpawnedServer {
  proc: ChildProcess;
  url: string;
}

/** `args` follow `--port 0` (e.g. `['--model', dir, '--served-model-name', 'm']`). */
export async function spawnTestServer(args: string[]): Promise<SpawnedServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    proc.on('exit', (code) => reject(new Error(`test server exited (${code})`)));
  });
  return { proc, url };
}

/** Calls the test server's `/__control/*` routes: a GET, or a POST of `body` as JSON; returns the JSON reply. */
export async function control(url: string, pathname: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(`${url}${pathname}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`test server ${pathname}: HTTP ${r.status}`);
  return (await r.json()) as Record<string, unknown>;
}
