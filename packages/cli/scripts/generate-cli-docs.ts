/**
 * Writes docs/cli.md from the flag table: `node --import tsx packages/cli/scripts/generate-cli-docs.ts`.
 * With `--check`, writes nothing and exits 1 when docs/cli.md is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderCliDocs } from '../src/docs.ts';

const target = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));
const text = renderCliDocs();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    process.stderr.write(`${target} is stale: run node --import tsx packages/cli/scripts/generate-cli-docs.ts\n`);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
