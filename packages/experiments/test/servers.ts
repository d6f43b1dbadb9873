/** Starts the OpenAI-compatible test server (packages/openai/test/server) as a child process. */
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnTestServer } from '../../openai/test/server/spawn.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MODEL_DIR = path.join(ROOT, 'models/stories260k');

export interface TestServer {
  url: string;
  proc: ChildProcess;
  stats(): Promise<{ scoringRequests: number; requests: number; bodies: Array<{ prompt?: unknown; messages?: unknown }> }>;
  control(pathname: string, body?: unknown): Promise<unknown>;
  kill(): void;
}

export async function startServer(servedName: string, extra: string[] = []): Promise<TestServer> {
  const { proc, url } = await spawnTestServer(['--model', MODEL_DIR, '--served-model-name', servedName, ...extra]);
  const control = async (pathname: string, body?: unknown) => {
    const r = await fetch(`${url}${pathname}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    return r.json();
  };
  return {
    url,
    proc,
    control,
    stats: () => control('/__control/stats') as never,
    kill: () => {
      proc.kill('SIGKILL');
    },
  };
}

/** Args the completions backend needs to score with the bundled model's tokenizer. */
export function apiModelArgs(): Record<string, unknown> {
  return { model: 'x', tokenizer_backend: 'huggingface', tokenizer: MODEL_DIR, max_length: 514 };
}
