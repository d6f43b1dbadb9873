/** Starts the OpenAI-compatible test server (packages/openai/test/server) as a child process. */
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MODEL_DIR = path.join(ROOT, 'models/stories260k');
const SERVER = path.join(ROOT, 'packages/openai/test/server/main.ts');

export interface TestServer {
  url: string;
  proc: ChildProcess;
  stats(): Promise<{ scoringRequests: number; requests: number; bodies: Array<{ prompt?: unknown; messages?: unknown }> }>;
  control(pathname: string, body?: unknown): Promise<unknown>;
  kill(): void;
}

export async function startServer(servedName: string, extra: string[] = []): Promise<TestServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SERVER, '--port', '0', '--model', MODEL_DIR, '--served-model-name', servedName, ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    proc.on('exit', (code) => reject(new Error(`test server exited (${code})`)));
  });
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
