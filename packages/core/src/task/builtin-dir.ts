/** The built-in `tasks/` folder (task YAML files, TS ports, `python-ports.json`). */
export { defaultTasksDir } from '../bundled.ts';
