/**
 * What the worker's `lm_eval` stand-in (packages/core/worker/shim/lm_eval, put on the path only
 * when the real package is not importable) provides, and which `lm_eval` imports of a helper
 * file it does not: `validate` reports those as needing the real package. Checked statically
 * from the source text (imports at any indentation, `from … import (a, b)` included).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pythonTopLevelNames } from '../python/source-hash.ts';
import { pythonModule } from '../task/ports.ts';
import { pyfnWorkerScriptPath } from './worker.ts';

const STAND_IN_ROOT = (): string => path.join(path.dirname(pyfnWorkerScriptPath()), 'shim');

/** module → its top-level names (null: the stand-in has no such module). */
const standInModules = new Map<string, Set<string> | null>();

function standInNames(module: string): Set<string> | null {
  let names = standInModules.get(module);
  if (names === undefined) {
    const base = path.join(STAND_IN_ROOT(), ...module.split('.'));
    const file = [`${base}.py`, path.join(base, '__init__.py')].find((f) => existsSync(f));
    names = file ? pythonTopLevelNames(readFileSync(file, 'utf8')) : null;
    if (names && file?.endsWith('__init__.py')) {
      // a package's submodules are importable names too (`from lm_eval.api import filter`)
      for (const e of readdirSync(base, { withFileTypes: true })) {
        if (e.isFile() && e.name.endsWith('.py') && e.name !== '__init__.py') names.add(e.name.slice(0, -3));
        else if (e.isDirectory() && existsSync(path.join(base, e.name, '__init__.py'))) names.add(e.name);
      }
    }
    standInModules.set(module, names);
  }
  return names;
}

const IMPORT_RE = /^[ \t]*(?:from[ \t]+(lm_eval(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)|import[ \t]+(lm_eval(?:\.\w+)*))/gm;

const missingByFile = new Map<string, { mtimeMs: number; missing: string[] }>();

/** The `lm_eval` imports of `pyFile` the stand-in does not provide (`lm_eval.tasks.x.y`, `lm_eval.utils.name`). */
export function lmEvalImportsMissingFromStandIn(pyFile: string): string[] {
  const mod = pythonModule(pyFile);
  if (!mod) return [];
  const hit = missingByFile.get(pyFile);
  if (hit && hit.mtimeMs === mod.mtimeMs) return hit.missing;
  const missing: string[] = [];
  for (const m of mod.text.matchAll(IMPORT_RE)) {
    const module = m[1] ?? m[3];
    const names = standInNames(module);
    if (!names) {
      missing.push(module);
      continue;
    }
    if (!m[2]) continue;
    for (const item of m[2].replace(/[()\\\n]/g, ' ').split(',')) {
      const name = item.trim().split(/\s+/)[0];
      if (name && name !== '*' && !names.has(name)) missing.push(`${module}.${name}`);
    }
  }
  missingByFile.set(pyFile, { mtimeMs: mod.mtimeMs, missing });
  return missing;
}
