/** The progress reporter, with a fake terminal stream and clock. */
import { describe, expect, it } from 'vitest';
import { Reporter, formatSecs, isInteractive, progressLine, resolveLevel } from '../src/progress.ts';

function fakeStream(isTTY: boolean, columns = 80) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns, write: (s: string) => chunks.push(s) } };
}

describe('Reporter', () => {
  it('on a terminal: phases, throttled progress with rate and ETA, cleared before logs', () => {
    const { chunks, stream } = fakeStream(true);
    let now = 1000;
    const r = new Reporter(undefined, { stream, env: {}, now: () => now });
    expect(r.interactive).toBe(true);
    r.phase('loading dataset for arc_easy');
    expect(chunks.pop()).toBe('\r\x1b[2Kloading dataset for arc_easy…');
    r.progress('loglikelihood requests', 0, 100);
    expect(chunks.pop()).toBe('\r\x1b[2Kloglikelihood requests: 0/100 (0%)');
    now += 50;
    r.progress('loglikelihood requests', 5, 100); // within 100 ms: skipped
    expect(chunks).toHaveLength(0);
    now += 1950;
    r.progress('loglikelihood requests', 40, 100);
    expect(chunks.pop()).toBe('\r\x1b[2Kloglikelihood requests: 40/100 (40%) 20.0 req/s ETA 3s');
    r.log('WARNING', 'careful');
    expect(chunks.splice(0)).toEqual(['\r\x1b[2K', 'WARNING: careful\n']);
    now += 10;
    r.progress('loglikelihood requests', 100, 100); // the last update is always drawn
    expect(chunks.pop()).toBe('\r\x1b[2Kloglikelihood requests: 100/100 (100%) 49.8 req/s in 2s');
    r.clear();
    expect(chunks.pop()).toBe('\r\x1b[2K');
    r.clear(); // nothing drawn: nothing to erase
    expect(chunks).toHaveLength(0);
  });

  it('truncates to the terminal width; a width of 0 counts as unknown', () => {
    const { chunks, stream } = fakeStream(true, 20);
    new Reporter(undefined, { stream, env: {} }).phase('x'.repeat(50));
    expect(chunks[0]).toBe('\r\x1b[2K' + 'x'.repeat(19));
    const zero = fakeStream(true, 0);
    new Reporter(undefined, { stream: zero.stream, env: {} }).phase('short phase');
    expect(zero.chunks[0]).toBe('\r\x1b[2Kshort phase…');
  });

  it('draws nothing when not a TTY, in CI, or with TERM=dumb; logs still go through', () => {
    for (const [tty, env] of [
      [false, {}],
      [true, { CI: 'true' }],
      [true, { CI: '1' }],
      [true, { TERM: 'dumb' }],
    ] as const) {
      const { chunks, stream } = fakeStream(tty);
      const r = new Reporter(undefined, { stream, env });
      r.phase('indexing tasks');
      r.progress('generate_until requests', 1, 2);
      r.clear();
      r.log('INFO', 'wrote x');
      expect(chunks).toEqual(['wrote x\n']);
    }
    expect(isInteractive({ isTTY: true, write: () => 0 }, { CI: 'false' })).toBe(true);
  });

  it('levels: LMEVAL_LOG_LEVEL wins over --verbosity; below the level is dropped', () => {
    expect(resolveLevel('debug', {})).toBe('DEBUG');
    expect(resolveLevel('DEBUG', { LMEVAL_LOG_LEVEL: 'error' })).toBe('ERROR');
    expect(resolveLevel(undefined, {})).toBe('INFO');
    expect(resolveLevel('LOUD', {})).toBeUndefined();
    const { chunks, stream } = fakeStream(false);
    const r = new Reporter('warning', { stream, env: {} });
    r.log('INFO', 'hidden');
    r.log('DEBUG', 'hidden');
    r.log('ERROR', 'shown');
    expect(chunks).toEqual(['ERROR: shown\n']);
  });
});

describe('progressLine / formatSecs', () => {
  it('formats', () => {
    expect(progressLine('x', 0, 0, 0)).toBe('x: 0/0 (100%)');
    expect(progressLine('x', 500, 1000, 2)).toBe('x: 500/1000 (50%) 250 req/s ETA 2s');
    expect(formatSecs(59.6)).toBe('1m00s');
    expect(formatSecs(3725)).toBe('1h02m');
    expect(formatSecs(Infinity)).toBe('?');
  });
});

describe('off a terminal', () => {
  const fake = () => {
    const out: string[] = [];
    return { out, stream: { isTTY: false, write: (s: string) => out.push(s) } };
  };

  it('work shorter than the interval prints nothing', () => {
    const { out, stream } = fake();
    const r = new Reporter(undefined, { stream, env: {}, intervalMs: 60_000 });
    r.progress('loglikelihood requests', 0, 2, ['a']);
    r.progress('loglikelihood requests', 2, 2);
    r.close();
    expect(out).toEqual([]);
  });

  it('longer work prints a line per interval with the tasks, then its last line', async () => {
    const { out, stream } = fake();
    const r = new Reporter(undefined, { stream, env: {}, intervalMs: 20 });
    r.progress('generate_until requests', 0, 4, ['t1', 't2', 't3', 't4', 't5']);
    r.progress('generate_until requests', 1, 4);
    await new Promise((res) => setTimeout(res, 200));
    r.progress('generate_until requests', 4, 4);
    r.close();
    expect(out.length).toBeGreaterThanOrEqual(2);
    expect(out[0]).toMatch(/^generate_until requests: 1\/4 \(25%\) .* \[t1, t2, t3 and 2 more\]\n$/);
    expect(out.at(-1)).toMatch(/^generate_until requests: 4\/4 \(100%\) .*in \d+s \[t1, t2, t3 and 2 more\]\n$/);
  });

  it('--verbosity WARNING silences progress lines', async () => {
    const { out, stream } = fake();
    const r = new Reporter('WARNING', { stream, env: {}, intervalMs: 10 });
    r.progress('loglikelihood requests', 0, 2);
    await new Promise((res) => setTimeout(res, 60));
    r.close();
    expect(out).toEqual([]);
  });
});
