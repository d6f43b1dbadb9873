/**
 * The environment facts the CLI records in results (the library reads none itself): the
 * transformers.js version and lm-eval's `--device` default `cuda:0`, recorded when neither
 * --device nor the model names a device.
 */
import type { EnvironmentFacts } from '@lm-eval/core';
import { transformersJsVersion } from '@lm-eval/transformers/version';

export function cliEnvironment(): EnvironmentFacts {
  return { transformersVersion: transformersJsVersion(), defaultDevice: 'cuda:0' };
}
