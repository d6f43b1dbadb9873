/**
 * API keys written in foreign files (EvalAP, DeathMath keep them inline): `$VAR`, `${VAR}` and
 * `os.environ/VAR` name an environment variable; anything else is the key itself, kept in memory
 * under a placeholder name and never written to any output.
 */
export class LiteralKeys {
  readonly map = new Map<string, string>();

  /** The api_key_env value for a written key, or undefined when there is none. */
  envNameFor(key: unknown): string | undefined {
    if (key === undefined || key === null) return undefined;
    const s = String(key).trim();
    if (s === '') return undefined;
    const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(s) ?? /^os\.environ\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(s);
    if (m) return m[1];
    const name = `<key written in the file #${this.map.size + 1}>`;
    this.map.set(name, s);
    return name;
  }
}
