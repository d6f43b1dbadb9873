#!/usr/bin/env node
// Repository hygiene over every tracked text file (run by .ci/run):
// - no citation of the private behaviour notes this project was written from (their file names,
//   `spec/<file>.md`, bare `§N` section marks): comments cite the public source instead
//   (lm-eval file and function, CPython, PyYAML, vLLM, MERA …);
// - no absolute path of a developer machine (`/work/`, `/home/`, `/Users/`, `/tmp/`); tests make
//   temporary folders with os.tmpdir()/mkdtemp, never a literal path;
// - no Markdown link that leaves the repository.
// Prints `file:line: what` for each finding and exits 1 when there is one.
// Usage: node scripts/check-hygiene.mjs [repository root, default: this repository]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const self = 'scripts/check-hygiene.mjs';

// Names are split so that this file does not match itself when read by another tool.
const NOTE_FILES = ['wire-formats', 'api-backends', 'outputs-and-cli', 'task-yaml', 'prompts-and-requests', 'evaluation-and-metrics', 'mera'];
const CHECKS = [
  {
    what: 'cites the private spec; cite the public source (lm-eval file and function, CPython, PyYAML, vLLM, MERA file) instead',
    re: new RegExp(`\\bspec/[\\w-]+\\.md\\b|\\b(?:${NOTE_FILES.join('|')})\\.md\\b|\\u00a7\\s*\\d`),
  },
  {
    what: 'absolute machine path; use a path relative to the repository, or os.tmpdir()/mkdtemp in tests',
    // a path segment at the start of a path only (not `a/tmp/`, not inside a URL)
    re: /(?<![\w.~/$-])\/(?:work|home|Users|tmp)\//,
  },
];
// Files where a match is not a path on a machine: ignore patterns are relative to the repository.
const SKIP = new Set([self]);
const SKIP_BASENAMES = new Set(['.gitignore', '.npmignore', '.dockerignore']);

const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 })
  .split('\0')
  .filter((f) => f && !SKIP.has(f) && !SKIP_BASENAMES.has(path.posix.basename(f)));

const findings = [];
for (const file of files) {
  let buf;
  try {
    buf = readFileSync(path.join(root, file));
  } catch {
    continue; // deleted in the work tree
  }
  if (buf.includes(0)) continue; // binary
  const lines = buf.toString('utf8').split('\n');
  lines.forEach((line, i) => {
    for (const c of CHECKS) if (c.re.test(line)) findings.push(`${file}:${i + 1}: ${c.what}\n    ${line.trim().slice(0, 160)}`);
    if (file.endsWith('.md')) {
      for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s[^)]*)?\)/g)) {
        const target = m[1];
        if (/^(?:[a-z][a-z0-9+.-]*:|#)/i.test(target)) continue; // URL, anchor
        const resolved = path.resolve(root, path.dirname(file), target.split('#')[0]);
        if (path.isAbsolute(target) || path.relative(root, resolved).startsWith('..')) {
          findings.push(`${file}:${i + 1}: link leaves the repository: ${target}`);
        }
      }
    }
  });
}

if (findings.length) {
  process.stderr.write(`check-hygiene: ${findings.length} finding(s)\n${findings.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`check-hygiene: ${files.length} tracked files clean\n`);
