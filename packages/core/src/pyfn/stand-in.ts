/**
 * What the worker's `lm_eval` stand-in (packages/core/worker/shim/lm_eval, put on the path only
 * when the real package is not importable) provides, and which `lm_eval` imports of a helper
 * file it does not: `validate` reports those as needing the real package. A helper inside an
 * `…/lm_eval/tasks/` tree imports that tree's modules as `lm_eval.tasks.…` (the worker puts the
 * tree on the stand-in package's path). Checked statically
 * from the source text (imports at any indentation, `from … import (a, b)` included).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

/** The innermost `…/lm_eval/tasks` folder holding `file` (the worker puts it on `lm_eval.tasks`' path), or null. */
function lmEvalTasksRoot(file: string): string | null {
  const parts = path.resolve(file).split(path.sep);
  for (let i = parts.length - 2; i > 0; i--) if (parts[i - 1] === 'lm_eval' && parts[i] === 'tasks') return parts.slice(0, i + 1).join(path.sep);
  return null;
}

/** Names importable from module `lm_eval.tasks.<rest>` of the tree at `root` (null: no such module). */
function treeModuleNames(root: string, rest: string[]): Set<string> | null {
  const base = path.join(root, ...rest);
  const file = [`${base}.py`, path.join(base, '__init__.py')].find((f) => existsSync(f));
  let isDir = false;
  try {
    isDir = statSync(base).isDirectory();
  } catch {
    // not a folder
  }
  if (!file && !isDir) return null;
  const names = new Set<string>();
  if (file) {
    const mod = pythonModule(file);
    if (mod?.statements) for (const n of pythonTopLevelNames(mod.statements)) names.add(n);
  }
  if (isDir) {
    for (const e of readdirSync(base, { withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith('.py')) names.add(e.name.slice(0, -3));
      else if (e.isDirectory()) names.add(e.name);
    }
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
  const root = lmEvalTasksRoot(pyFile);
  for (const m of mod.text.matchAll(IMPORT_RE)) {
    const module = m[1] ?? m[3];
    const parts = module.split('.');
    const names = root && parts[1] === 'tasks' && parts.length > 2 ? treeModuleNames(root, parts.slice(2)) : standInNames(module);
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
