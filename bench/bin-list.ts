/**
 * The benches' `--bin [LABEL=]PATH,...` option: the CLI entry points to run as `node PATH`, each
 * with its label (`defaultLabel(path)` when none is given).
 */
import path from 'node:path';

export interface BenchBin {
  label: string;
  /** absolute path of the entry point */
  file: string;
}

export function parseBins(spec: string, defaultLabel: (file: string) => string): BenchBin[] {
  return spec
    .split(',')
    .filter(Boolean)
    .map((b) => {
      const eq = b.indexOf('=');
      const file = path.resolve(eq > 0 ? b.slice(eq + 1) : b);
      return { label: eq > 0 ? b.slice(0, eq) : defaultLabel(file), file };
    });
}
