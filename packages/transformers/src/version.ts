/** The version of the transformers.js package this backend runs on (recorded as `transformers_version`). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export function transformersJsVersion(): string {
  try {
    // the package's exports map hides package.json: walk up from its resolved entry point
    let dir = path.dirname(createRequire(import.meta.url).resolve('@huggingface/transformers'));
    for (;;) {
      const file = path.join(dir, 'package.json');
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === '@huggingface/transformers' && pkg.version) return pkg.version;
      } catch {
        // no package.json here
      }
      const up = path.dirname(dir);
      if (up === dir) return 'N/A';
      dir = up;
    }
  } catch {
    return 'N/A';
  }
}
