#!/usr/bin/env node
// The packed `lm-eval` binary (publishConfig.bin): runs the compiled dist/. The module hooks for
// task helpers (helper-hooks.mjs) and tsx (TypeScript helpers in the user's own task folders; the
// bundled tasks ship as JS) are registered only before the first helper module is imported:
// registering module hooks starts a loader thread that every later import goes through, which
// `--help`, `ls` and runs without such helpers do not need.
import { register as registerHooks } from 'node:module';
import { setHelperImportPreparation } from '@lm-eval/core/light';

setHelperImportPreparation(async () => {
  registerHooks('./helper-hooks.mjs', import.meta.url);
  try {
    (await import('tsx/esm/api')).register();
  } catch {
    // without tsx, TypeScript helpers outside the bundled tasks cannot load (JS helpers still do)
  }
});
const { main } = await import('../dist/main.js');
process.exitCode = await main(process.argv.slice(2));
