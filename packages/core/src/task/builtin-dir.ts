/** The repository's built-in `tasks/` folder (task YAML files, TS ports, `python-ports.json`). */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultTasksDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../tasks');
}
