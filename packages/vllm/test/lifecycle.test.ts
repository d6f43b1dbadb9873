// Worker process lifecycle and error reports: clean shutdown, parent death, SIGINT, crashes,
// start-up failures. Real worker process; the engine is the stand-in vllm (test/fake_vllm).
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LmEvalError } from '@lm-eval/core';
import { bundledModelDir } from '@lm-eval/core/testing';
import { VllmLM, VllmWorkerError } from '../src/index.ts';
import { FAKE_VLLM_PATH, descendantsOf, fakeEnv, here, pidAlive, pythonMissing, waitFor } from './helpers.ts';

const skipReason = pythonMissing(['numpy']);
if (skipReason) console.log(`[vllm lifecycle tests] SKIPPED (stand-in vllm needs numpy): ${skipReason}`);
const MODEL = bundledModelDir();
const quiet = { onLog: () => undefined };

describe('start-up errors that need no engine', () => {
  it('reports a missing interpreter', async () => {
    await expect(VllmLM.create({ pretrained: MODEL, python: '/nonexistent/bin/python3.99' }, {}, quiet)).rejects.toThrow(
      /Python interpreter not found: '\/nonexistent\/bin\/python3.99'/,
    );
  });

  const realVllm = pythonMissing(['vllm']) === null;
  if (realVllm) console.log('[vllm missing-vllm test] SKIPPED: this python3 can import a real vllm');
  it.skipIf(realVllm)('reports `import vllm` failing, with the interpreter path and the import error', async () => {
    const err = await VllmLM.create({ pretrained: MODEL }, {}, { env: { PYTHONPATH: '' }, ...quiet }).catch((e) => e);
    expect(err).toBeInstanceOf(VllmWorkerError);
    expect(err).toBeInstanceOf(LmEvalError);
    expect(err.kind).toBe('import_vllm');
    const exe = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
    expect(err.message).toContain(`Cannot import vllm with the Python interpreter ${exe}`);
    expect(err.message).toMatch(/ModuleNotFoundError: No module named 'vllm'/);
    expect(err.hint).toMatch(/python=/);
  });

  it('rejects unknown model_args before starting anything', async () => {
    await expect(VllmLM.create({ pretrained: MODEL, tensor_paralel_size: 2 }, {}, quiet)).rejects.toThrow(/Accepted: pretrained/);
  });
});

describe.skipIf(skipReason !== null)('worker lifecycle on the stand-in vllm', () => {
  it('close() shuts the worker and its engine process down (no orphans)', async () => {
    // Leaky engine: deleting the LLM does not stop its child; the worker's clean-up must.
    const lm = await VllmLM.create({ pretrained: MODEL }, {}, { env: fakeEnv({ FAKE_VLLM_LEAKY_ENGINE: '1' }), ...quiet });
    const pid = lm.workerPid!;
    const kids = descendantsOf(pid);
    expect(kids.length).toBeGreaterThanOrEqual(1); // the pretend EngineCore_0
    await lm.loglikelihood([{ context: 'The cat', continuation: ' sat' }]);
    await lm.close();
    expect(pidAlive(pid)).toBe(false);
    // The engine child polls its parent only every 2 s: gone now means the worker killed it.
    for (const k of kids) expect(pidAlive(k)).toBe(false);
  });

  it('the worker exits (with its engine) when the parent Node process is SIGKILLed', async () => {
    const node = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/hold-worker.ts'), MODEL, FAKE_VLLM_PATH], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: path.resolve(here, '../../..'),
    });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      node.stdout!.on('data', (d) => {
        buf += String(d);
        if (buf.includes('\n')) resolve(buf.split('\n')[0]);
      });
      node.once('exit', (c) => reject(new Error(`helper exited early (${c})`)));
    });
    const workerPid = JSON.parse(line).worker as number;
    const kids = descendantsOf(workerPid);
    expect(pidAlive(workerPid)).toBe(true);
    node.kill('SIGKILL');
    expect(await waitFor(() => !pidAlive(workerPid), 8_000)).toBe(true);
    expect(await waitFor(() => kids.every((k) => !pidAlive(k)), 4_000)).toBe(true);
  });

  it('SIGINT stops the worker cleanly; pending and later requests fail clearly', async () => {
    const lm = await VllmLM.create({ pretrained: MODEL }, {}, { env: fakeEnv({ FAKE_VLLM_LEAKY_ENGINE: '1' }), ...quiet });
    const pid = lm.workerPid!;
    const kids = descendantsOf(pid);
    process.kill(pid, 'SIGINT');
    expect(await waitFor(() => !pidAlive(pid), 5_000)).toBe(true);
    for (const k of kids) expect(pidAlive(k)).toBe(false);
    const err = await lm.loglikelihood([{ context: 'a', continuation: ' b' }]).catch((e) => e);
    expect(err).toBeInstanceOf(VllmWorkerError);
    expect(err.kind).toBe('interrupted');
    await lm.close();
  });

  it('a worker crash mid-run rejects with the stderr tail; finished batches were delivered', async () => {
    const lm = await VllmLM.create({ pretrained: MODEL, batch_size: 1 }, {}, { env: fakeEnv({ FAKE_VLLM_FAULT: 'crash_after=1' }), ...quiet });
    const seen: number[] = [];
    const err = await lm
      .loglikelihood(
        [
          { context: 'The cat', continuation: ' sat' },
          { context: 'The dog', continuation: ' ran' },
          { context: 'The sun', continuation: ' shone' },
        ],
        { onResult: (i) => seen.push(i) },
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(VllmWorkerError);
    expect(err.kind).toBe('crash');
    expect(err.message).toMatch(/exited with code 134 unexpectedly/);
    expect(err.message).toContain('RuntimeError: CUDA error: an illegal memory access was encountered');
    expect(err.stderrTail.length).toBeGreaterThan(0);
    expect(err.stderrTail.length).toBeLessThanOrEqual(50);
    expect(seen).toHaveLength(1);
    await lm.close();
  });

  it('CUDA out of memory at engine start suggests gpu_memory_utilization / max_model_len', async () => {
    const err = await VllmLM.create({ pretrained: MODEL }, {}, { env: fakeEnv({ FAKE_VLLM_FAULT: 'oom' }), ...quiet }).catch((e) => e);
    expect(err).toBeInstanceOf(VllmWorkerError);
    expect(err.kind).toBe('oom');
    expect(err.message).toMatch(/vLLM ran out of GPU memory: OutOfMemoryError: CUDA out of memory/);
    expect(err.hint).toMatch(/gpu_memory_utilization/);
    expect(err.hint).toMatch(/max_model_len/);
  });

  it('a missing model is reported as such', async () => {
    const err = await VllmLM.create({ pretrained: '/nonexistent/model-dir' }, {}, { env: fakeEnv(), ...quiet }).catch((e) => e);
    expect(err).toBeInstanceOf(VllmWorkerError);
    expect(err.kind).toBe('model_not_found');
    expect(err.message).toMatch(/could not load the model: OSError: \/nonexistent\/model-dir is not a local folder/);
    expect(err.hint).toMatch(/pretrained=/);
  });

  it('a prompt longer than the engine allows is a clear error (max_model_len too small)', async () => {
    const lm = await VllmLM.create({ pretrained: MODEL, max_model_len: 64 }, {}, { env: fakeEnv(), ...quiet });
    try {
      // generate: context truncated to max_length − max_gen_toks, which is negative here, so the
      // Python slice keeps too much and the engine rejects the prompt.
      const err = await lm
        .generateUntil([{ context: 'Once upon a time there was a cat. '.repeat(20), genKwargs: { until: ['\n'], max_gen_toks: 100 } }])
        .catch((e) => e);
      expect(err).toBeInstanceOf(VllmWorkerError);
      expect(err.kind).toBe('context_length');
      expect(err.message).toMatch(/longer than the maximum model length of 64/);
      // The worker survives a failed request.
      expect(await lm.loglikelihood([{ context: 'The cat', continuation: ' sat' }])).toHaveLength(1);
    } finally {
      await lm.close();
    }
  });
});
