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

// The backend READMEs' model-args tables (same --check behaviour).
const { README_SCHEMAS, withModelArgsTable } = await import('../src/model-args-docs.ts');
const root = fileURLToPath(new URL('../../../', import.meta.url));
for (const [rel, schema] of Object.entries(README_SCHEMAS)) {
  const file = root + rel;
  const current = readFileSync(file, 'utf8');
  const updated = withModelArgsTable(current, schema, rel);
  if (current === updated) continue;
  if (process.argv.includes('--check')) {
    process.stderr.write(`${rel} is stale: run node --import tsx packages/cli/scripts/generate-cli-docs.ts\n`);
    process.exit(1);
  }
  writeFileSync(file, updated);
  process.stdout.write(`wrote ${rel}\n`);
}
