/**
 * Where the bundled task folder and model are. A packed `@lm-eval/core` carries copies next to
 * its compiled modules (`dist/tasks`, `dist/models/stories260k`); running from the repository's
 * sources, they are the repository's own `tasks/` and `models/` folders.
 */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<package>/src` in the repository, `<package>/dist` once built. */
const HERE = path.dirname(fileURLToPath(import.meta.url));

function bundledPath(rel: string): string {
  const packed = path.join(HERE, rel);
  if (!existsSync(packed)) return path.resolve(HERE, '../../..', rel);
  // the repository's dev build (scripts/dev-build.mjs) links them to the repository's own folders:
  // report those, as a run from the sources does
  return lstatSync(packed).isSymbolicLink() ? realpathSync(packed) : packed;
}

/** The built-in `tasks/` folder (task YAML files, their helpers, `python-ports.json`). */
export function defaultTasksDir(): string {
  return bundledPath('tasks');
}

/** The bundled stories260K model folder (config, tokenizer, ONNX weights, expected.json). */
export function bundledModelDir(): string {
  return bundledPath('models/stories260k');
}
