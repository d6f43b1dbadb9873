/**
 * Runs examples/evaluate-bundled-model.ts the way examples/README.md says (a child process,
 * `node --import tsx`, from the repository root) and checks what it prints.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

/** `task<TAB>metric (filter)<TAB>value[ ± stderr]` lines, as the example prints them. */
function metricLines(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\t(\S+) \((\S+)\)\t(\S+)/.exec(line);
    if (m) out.set(`${m[1]}/${m[2]},${m[3]}`, Number(m[4]));
  }
  return out;
}

describe('examples/evaluate-bundled-model.ts', () => {
  it('evaluates stories260K on the tinystories group and prints the metrics', async () => {
    // --limit 5 keeps it short: 5 docs per task (the full group takes a few seconds more)
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/evaluate-bundled-model.ts', '--limit', '5'], {
      cwd: ROOT,
      timeout: 60_000,
    });
    const metrics = metricLines(stdout);
    expect([...metrics.keys()].sort()).toEqual([
      'tinystories_cloze/acc,none',
      'tinystories_cloze/acc_norm,none',
      'tinystories_continue/exact_match,first-word',
      'tinystories_perplexity/bits_per_byte,none',
      'tinystories_perplexity/byte_perplexity,none',
      'tinystories_perplexity/word_perplexity,none',
    ]);
    for (const [key, v] of metrics) {
      expect(Number.isFinite(v), key).toBe(true);
      if (key.includes('perplexity') || key.includes('bits_per_byte')) expect(v, key).toBeGreaterThan(0);
      else expect(v >= 0 && v <= 1, key).toBe(true);
    }
    // the first 5 cloze sentences are all answered correctly by the model
    expect(metrics.get('tinystories_cloze/acc,none')).toBe(1);
    // and the lm-eval summary table follows
    expect(stdout).toContain('hf ({\'pretrained\': ');
    expect(stdout).toMatch(/\| - tinystories_cloze\s+\|\s+1\.0\|none\s+\|\s+0\|acc\s+\|↑\s+\|/);
  });

  it('rejects a bad --limit with exit code 2', async () => {
    await expect(
      run(process.execPath, ['--import', 'tsx', 'examples/evaluate-bundled-model.ts', '--limit', 'many'], { cwd: ROOT, timeout: 60_000 }),
    ).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--limit must be a positive integer') });
  });
});
