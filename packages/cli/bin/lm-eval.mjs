#!/usr/bin/env node
// The `lm-eval` binary. TypeScript sources run through tsx (no build step); task helpers written
// in TypeScript (`!function utils.fn` -> utils.ts) load the same way.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

// Before tsx, so that tsx compiles what helper-hooks.mjs loads as an ES module.
registerHooks('./helper-hooks.mjs', import.meta.url);
register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
