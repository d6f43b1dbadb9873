/**
 * Prints the fingerprint of a Python definition, as `python-ports.json` lists it:
 *   node --import tsx tasks/python-port-hash.ts <file.py> <name> [<name> ...]
 * (whitespace and comments do not count; the same-module helpers, constants and imports the
 * definition uses do — packages/core/src/python/source-hash.ts).
 */
import { readFileSync } from 'node:fs';
import { pythonDefinitionHash } from '@lm-eval/core/python';

const [file, ...names] = process.argv.slice(2);
if (!file || names.length === 0) {
  process.stderr.write('usage: node --import tsx tasks/python-port-hash.ts <file.py> <name> [<name> ...]\n');
  process.exit(2);
}
const source = readFileSync(file, 'utf8');
for (const name of names) process.stdout.write(`${name} ${pythonDefinitionHash(source, name) ?? '(not defined at top level)'}\n`);
