#!/usr/bin/env node
// The `lm-eval` binary. TypeScript sources run through tsx (no build step); task helpers written
// in TypeScript (`!function utils.fn` -> utils.ts) load the same way.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
