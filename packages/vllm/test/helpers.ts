/** Shared helpers of the vLLM backend tests (fake `vllm` package, process checks). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const FAKE_VLLM_PATH = path.join(here, 'fake_vllm');
export const PYTHON = process.env.LM_EVAL_PYTHON ?? 'python3';

/** Environment that puts the stand-in `vllm` (and `ray`) first on the worker's PYTHONPATH. */
export function fakeEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PYTHONPATH: FAKE_VLLM_PATH, FAKE_VLLM_RECORD: '', FAKE_RAY_RECORD: '', FAKE_VLLM_FAULT: '', ...extra };
}

/** Why Python tests cannot run here (null = they can). */
export function pythonMissing(modules: string[]): string | null {
  // a generous limit: on a loaded machine `import numpy` can take many seconds, and a slow probe
  // must not turn into a skip
  const r = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ') || 'pass'], { encoding: 'utf8', timeout: 180_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return `${PYTHON} not found`;
  const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 && /^(ModuleNotFoundError|ImportError)\b/.test(last)) return `${PYTHON} lacks ${modules.join(', ')}: ${last}`;
  // anything else (timeout, crash, a broken install) is a failure of the machine, not a reason to skip
  if (r.error || r.status !== 0) {
    throw new Error(`probing ${PYTHON} for ${modules.join(', ')} failed: ${r.error?.message ?? `exit ${r.status ?? r.signal}`} ${last}`.trim());
  }
  return null;
}

export function tmpFile(name: string): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'lm-eval-vllm-')), name);
}

export function readRecord(file: string): Array<Record<string, any>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** True while `pid` exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return true;
  }
}

/** All descendants of `pid` (Linux /proc). */
export function descendantsOf(pid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid)!.push(Number(name));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length) {
    for (const c of kids.get(todo.pop()!) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}
