/**
 * Against a real llama.cpp `llama-server` when one is available: set LLAMA_SERVER to its binary
 * (see packages/openai/README.md for how to build one). It serves the bundled stories260K GGUF;
 * forced-token scoring must reproduce the golden loglikelihoods (llama.cpp computes in float32, so
 * within 1e-2) and greedy flags, and the tinystories group must run end to end with --model gguf.
 * Skipped, with the reason printed, when LLAMA_SERVER is not set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluation } from '@lm-eval/core/engine';
import { registerOpenAIModels } from '../src/index.ts';
import { goldenPairs, makeLM, MODEL_DIR } from './helpers.ts';

const BIN = process.env.LLAMA_SERVER;
const GGUF = path.join(MODEL_DIR, 'stories260k.gguf');
const skip = !BIN ? 'LLAMA_SERVER is not set' : !existsSync(BIN) ? `LLAMA_SERVER=${BIN} does not exist` : null;
if (skip) process.stdout.write(`llama-server tests skipped: ${skip} (see packages/openai/README.md to build llama-server).\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(skip !== null)('real llama-server (LLAMA_SERVER)', () => {
  let proc: ChildProcess;
  let url: string;
  let cwd: string;
  beforeAll(async () => {
    registerOpenAIModels();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = spawn(BIN!, ['-m', GGUF, '--host', '127.0.0.1', '--port', String(port), '-c', '1024', '-np', '1'], { stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`llama-server did not become healthy at ${url}`);
      const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    cwd = mkdtempSync(path.join(os.tmpdir(), 'llama-server-'));
  }, 90_000);
  afterAll(() => {
    proc?.kill('SIGTERM');
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('forced-token scoring reproduces the golden loglikelihoods and greedy flags', async () => {
    const golden = goldenPairs();
    const lm = await makeLM('gguf', { base_url: url, max_length: 514 });
    const res = await lm.loglikelihood(golden.map((g) => ({ context: g.context, continuation: g.continuation })));
    expect(lm.resultsInfo().scoring_path).toBe('forced');
    res.forEach(([lp, greedy], i) => {
      expect(Math.abs(lp - golden[i].logprob)).toBeLessThan(1e-2);
      expect(greedy).toBe(golden[i].is_greedy);
    });
    await lm.close();
  }, 120_000);

  it('the tinystories group runs end to end with --model gguf', async () => {
    const out = await runEvaluation({ model: 'gguf', modelArgs: { base_url: url, max_length: 514 }, tasks: ['tinystories'], limit: 4, cwd });
    expect(Object.keys(out.results.results as object)).toEqual(expect.arrayContaining(['tinystories_cloze', 'tinystories_continue', 'tinystories_perplexity']));
  }, 300_000);
});
