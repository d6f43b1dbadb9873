#!/usr/bin/env node
// The `lm-eval` binary of the repository. When the dev build (scripts/dev-build.mjs, run by
// `pnpm install`) is current — every source file as it was when it was compiled — it runs that
// build, as the packed binary runs dist/ (bin/lm-eval-dist.mjs). Otherwise, after any edit, or
// with LM_EVAL_FROM_SOURCES=1, the TypeScript sources run through tsx (no build step); task
// helpers written in TypeScript (`!function utils.fn` -> utils.ts) load the same way.
import { currentDevBuild } from '../../../scripts/dev-build.mjs';

const built = process.env.LM_EVAL_FROM_SOURCES ? undefined : currentDevBuild();
if (built) {
  const { pathToFileURL } = await import('node:url');
  await import(pathToFileURL(built).href); // sets process.exitCode
} else {
  const { register: registerHooks } = await import('node:module');
  const { register } = await import('tsx/esm/api');
  // Before tsx, so that tsx compiles what helper-hooks.mjs loads as an ES module.
  registerHooks('./helper-hooks.mjs', import.meta.url);
  register();
  const { main } = await import('../src/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
