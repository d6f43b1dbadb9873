/**
 * Thrown to end a command with a given exit code after it has printed its own last line
 * (`validate` with missing tasks, an interrupted run).
 */
export class ExitCode extends Error {
  constructor(public readonly code: number) {
    super(`exit ${code}`);
    this.name = 'ExitCode';
  }
}
