#!/usr/bin/env node
// The packed `lm-eval` binary (publishConfig.bin): runs the compiled dist/. tsx is registered only
// so that TypeScript task helpers in the user's own task folders load; the bundled tasks ship as JS.
import { register as registerHooks } from 'node:module';

registerHooks('./helper-hooks.mjs', import.meta.url);
try {
  (await import('tsx/esm/api')).register();
} catch {
  // without tsx, TypeScript helpers outside the bundled tasks cannot load (JS helpers still do)
}
const { main } = await import('../dist/main.js');
process.exitCode = await main(process.argv.slice(2));
