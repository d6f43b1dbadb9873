/** The experiment-set progress block: per-experiment lines and an overall line on a TTY, nothing in CI. */
import { describe, expect, it } from 'vitest';
import { ExperimentsProgress } from '../src/experiments-progress.ts';

function fakeStream(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns: 120, write: (s: string) => out.push(s) } };
}

describe('experiments progress', () => {
  it('draws one line per running experiment and an overall line, and erases them', () => {
    let now = 0;
    const { out, stream } = fakeStream(true);
    const p = new ExperimentsProgress(3, stream, { TERM: 'xterm' }, () => now);
    p.start('a');
    p.start('b');
    p.progress('a', 'loglikelihood requests', 0, 40);
    now = 2000;
    p.progress('a', 'loglikelihood requests', 10, 40);
    const block = out[out.length - 1];
    expect(block.split('\n')).toEqual(['  a: loglikelihood requests: 10/40 (25%) 5.0 req/s ETA 6s', '  b: starting…', 'experiments: 0/3 settled, 0 run, 2 running']);
    p.end('a', 'done');
    p.end('b', 'failed');
    expect(out[out.length - 1]).toBe('experiments: 2/3 settled, 1 run, 1 failed');
    p.clear();
    expect(out[out.length - 1]).toBe('\r\x1b[2K\r');
  });

  it('draws nothing off a terminal or in CI', () => {
    for (const [tty, env] of [[false, {}], [true, { CI: 'true' }]] as const) {
      const { out, stream } = fakeStream(tty);
      const p = new ExperimentsProgress(1, stream, env as NodeJS.ProcessEnv);
      p.start('a');
      p.progress('a', 'x', 1, 2);
      p.end('a', 'done');
      p.clear();
      expect(out).toEqual([]);
    }
  });
});
