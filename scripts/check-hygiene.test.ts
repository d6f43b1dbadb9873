/** scripts/check-hygiene.mjs over a small git repository with planted findings and look-alikes. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'check-hygiene.mjs');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A git repository holding `files` (all tracked); returns the script's exit status and output. */
function check(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hygiene-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  const r = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

// Built from pieces so that this file itself stays clean.
const S = '\u00a7';
const slash = '/';
const md = '.md';

describe('check-hygiene', () => {
  it('names file and line of private-spec citations, machine paths and links out of the repository', () => {
    const { status, out } = check({
      'src/a.ts': `// ok\n// see wire-formats${md} ${S}3\n`,
      'src/b.ts': `const x = 1; // (spec ${S}6.2)\n// spec${slash}mera${md}\n`,
      'src/c.py': `ROOT = "${slash}work${slash}shared"\nH = '${slash}home${slash}me/x'\n`,
      'docs/d.md': `text\n[out](../../elsewhere/x.md)\n`,
      'src/e.mjs': `const t = '${slash}tmp${slash}x';\n`,
    });
    expect(status).toBe(1);
    expect(out).toContain('check-hygiene: 7 finding(s)');
    for (const where of ['src/a.ts:2:', 'src/b.ts:1:', 'src/b.ts:2:', 'src/c.py:1:', 'src/c.py:2:', 'docs/d.md:2: link leaves the repository', 'src/e.mjs:1:']) {
      expect(out).toContain(where);
    }
  });

  it('passes look-alikes: URLs, relative paths, ignore files, links inside the repository, binaries', () => {
    const { status, out } = check({
      'src/a.ts': `// https://example.org${slash}home${slash}x, a${slash}tmp${slash}b, ~${slash}work${slash}x\nconst spec = parse(specText); // a spec: name\n`,
      '.gitignore': `${slash}tmp${slash}\nnode_modules/\n`,
      'docs/d.md': `[x](../src/a.ts) [y](https://x.org/a) [z](#top)\n`,
      'bin/blob': Buffer.from([0, 1, 2, ...Buffer.from(`${slash}work${slash}`)]).toString('latin1'),
    });
    expect(out).toContain('tracked files clean');
    expect(status).toBe(0);
  });
});
