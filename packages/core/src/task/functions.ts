/**
 * `!function` resolution (lm_eval/tasks/_yaml_loader.py `_import_func_in_yml`; v0.4.4: lm_eval/utils.py
 * `import_function`), TS design.
 *
 * The referenced code is Python; a TS port provides a JS/TS module next to the Python file
 * (`utils.ts` next to `utils.py`, same export name). Both Python path readings are tried:
 * - v0.4.4: `<yaml dir>/<module>` literally (`../custom_samplers` -> `<dir>/../custom_samplers`,
 *   `sub.utils` -> `<dir>/sub.utils`);
 * - latest: `<yaml dir>/<module with "." replaced by "/">` (`sub.utils` -> `<dir>/sub/utils`).
 *   Modules starting with `.` are skipped in this reading (Python turns them into absolute paths
 *   such as `/x.py`, which is a known lm-eval bug).
 * each with the extensions `.ts`, `.mts`, `.js`, `.mjs`. The reading of the file's profile is
 * tried first. When no module exists, the Python definition the reference points to is looked
 * up among the TS ports we ship, by its source (ports.ts) — a recognised port needs no Python;
 * when none applies and the `.py` file exists, the function runs in the Python helper worker
 * (pyfn/), unless Python helpers are switched off.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import { importHelperModule } from './helper-import.ts';
import { loadRecognisedPort } from './ports.ts';
import { FunctionRef } from './yaml.ts';
import { pythonHelperFor } from '../pyfn/resolve.ts';

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** Module base paths (without extension) for a reference, in lookup order for `profile`. */
export function moduleBases(ref: FunctionRef, profile: Profile = 'latest'): string[] {
  const literal = path.resolve(ref.yamlDir, ref.module);
  const dotted = ref.module.startsWith('.') ? undefined : path.resolve(ref.yamlDir, ref.module.split('.').join('/'));
  const order = profile === 'latest' ? [dotted, literal] : [literal, dotted];
  return [...new Set(order.filter((x): x is string => x !== undefined))];
}

/** Every JS/TS module path tried for a reference, in order. */
export function modulePathsTried(ref: FunctionRef, profile: Profile = 'latest'): string[] {
  return moduleBases(ref, profile).flatMap((b) => EXTENSIONS.map((e) => b + e));
}

/** Python source files a reference may point to (existing or not), in order. */
export function pythonPaths(ref: FunctionRef, profile: Profile = 'latest'): string[] {
  return moduleBases(ref, profile).map((b) => b + '.py');
}

function where(ref: FunctionRef): string {
  return ref.yamlFile || path.join(ref.yamlDir, '<yaml>');
}

/** How a `!function` reference resolves without running Python (steps 1 and 2). */
export type JsResolution = { via: 'module'; value: unknown; file: string } | { via: 'port'; value: unknown; file: string };

/**
 * Steps 1–2 of resolution: the JS/TS module next to the YAML, else the recognised TS port of the
 * Python definition. undefined when neither applies (the reference then needs Python); throws
 * LmEvalError when a module exists but cannot be imported or lacks the export.
 */
export async function resolveWithoutPython(ref: FunctionRef, profile: Profile = 'latest'): Promise<JsResolution | undefined> {
  const tried = modulePathsTried(ref, profile);
  const found = tried.find((p) => existsSync(p));
  if (found) {
    let mod: Record<string, unknown>;
    try {
      mod = await importHelperModule(found);
    } catch (err) {
      const tsHint = found.endsWith('ts') ? ' (TypeScript modules need tsx: run with `node --import tsx`)' : '';
      throw new LmEvalError(
        `${where(ref)}: !function ${ref.raw}: failed to import ${found}${tsHint}: ${(err as Error).message}`,
        undefined,
        { cause: err },
      );
    }
    if (!(ref.name in mod) || mod[ref.name] === undefined) {
      const exported = Object.keys(mod).filter((k) => k !== 'default');
      throw new LmEvalError(
        `${where(ref)}: !function ${ref.raw}: module ${found} has no export '${ref.name}'` +
          ` (exports: ${exported.length ? exported.join(', ') : 'none'})`,
      );
    }
    return { via: 'module', value: mod[ref.name], file: found };
  }
  for (const py of pythonPaths(ref, profile)) {
    if (!existsSync(py)) continue;
    const value = await loadRecognisedPort(py, ref.name);
    return value === undefined ? undefined : { via: 'port', value, file: py };
  }
  return undefined;
}

/** Resolves a `!function` reference to the exported JS value. Throws LmEvalError when missing. */
export async function resolveFunction(ref: FunctionRef, profile: Profile = 'latest'): Promise<unknown> {
  const js = await resolveWithoutPython(ref, profile);
  if (js) return js.value;
  const tried = modulePathsTried(ref, profile);
  const py = pythonPaths(ref, profile).filter((p) => existsSync(p));
  // (3) the Python worker runs the function from the .py file (pyfn/resolve.ts)
  const helper = pythonHelperFor(ref, py);
  if (helper !== undefined) return helper;
  throw new LmEvalError(
    `${where(ref)}: !function ${ref.raw}: no JS/TS module found for '${ref.name}'; tried: ${tried.join(', ')}`,
    py.length
      ? `Port '${ref.name}' from ${py[0]} to a TypeScript module next to it (export const ${ref.name} = ...).`
      : `Create one of these files exporting '${ref.name}'.`,
  );
}

/** Replaces every FunctionRef inside `value` (dicts and lists, recursively) by its resolved value. */
export async function resolveFunctionsDeep(value: unknown, profile: Profile = 'latest'): Promise<unknown> {
  if (value instanceof FunctionRef) return resolveFunction(value, profile);
  if (Array.isArray(value)) {
    const out = await Promise.all(value.map((x) => resolveFunctionsDeep(x, profile)));
    if (Object.getPrototypeOf(value) !== Array.prototype) Object.setPrototypeOf(out, Object.getPrototypeOf(value));
    return out;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveFunctionsDeep(v, profile);
    return out;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Python source text (for `configs` output parity: inspect.getsource of the callable).

/** Indentation width of a line (tabs count as advancing to the next multiple of 8, like Python). */
function indentOf(line: string): number {
  let n = 0;
  for (const ch of line) {
    if (ch === ' ') n++;
    else if (ch === '\t') n = (Math.floor(n / 8) + 1) * 8;
    else if (ch === '\f') n = 0;
    else break;
  }
  return n;
}

/**
 * Scans one source line, updating the open-bracket depth and triple-quote state.
 * Returns the new state. Single-quoted strings and comments are skipped.
 */
function scanLine(line: string, state: { depth: number; triple: string | null }): void {
  let i = 0;
  while (i < line.length) {
    if (state.triple) {
      const end = line.indexOf(state.triple, i);
      if (end < 0) return;
      // skip escaped closing quotes
      if (end > 0 && line[end - 1] === '\\') {
        i = end + 1;
        continue;
      }
      i = end + 3;
      state.triple = null;
      continue;
    }
    const ch = line[i];
    if (ch === '#') return;
    if (ch === '"' || ch === "'") {
      if (line.startsWith(ch.repeat(3), i)) {
        state.triple = ch.repeat(3);
        i += 3;
        continue;
      }
      i++;
      while (i < line.length && line[i] !== ch) i += line[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') state.depth++;
    else if (ch === ')' || ch === ']' || ch === '}') state.depth = Math.max(0, state.depth - 1);
    i++;
  }
}

/**
 * Cuts the `def name`/`class name` block (with decorators, trailing newline) out of Python
 * source text, the way `inspect.getsource` prints it. Returns undefined when not found.
 */
export function extractPythonBlock(source: string, name: string): string | undefined {
  const lines = source.split(/\r?\n/);
  const header = new RegExp(`^(\\s*)(?:async\\s+def|def|class)\\s+${name.replace(/[$]/g, '\\$')}\\b`);
  let start = -1;
  const state = { depth: 0, triple: null as string | null };
  for (let i = 0; i < lines.length; i++) {
    const inCode = state.depth === 0 && state.triple === null;
    if (inCode && header.test(lines[i])) {
      start = i;
      break;
    }
    scanLine(lines[i], state);
  }
  if (start < 0) return undefined;
  const base = indentOf(lines[start]);
  let first = start;
  while (first > 0 && /^\s*@/.test(lines[first - 1]) && indentOf(lines[first - 1]) === base) first--;
  // Header may span several lines (open brackets); body = following lines indented deeper.
  const st = { depth: 0, triple: null as string | null };
  let last = start;
  scanLine(lines[start], st);
  let i = start + 1;
  while (i < lines.length && (st.depth > 0 || st.triple !== null)) {
    scanLine(lines[i], st);
    last = i;
    i++;
  }
  for (; i < lines.length; i++) {
    const line = lines[i];
    const inContinuation = st.depth > 0 || st.triple !== null;
    if (!inContinuation) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) {
        scanLine(line, st);
        continue;
      }
      if (indentOf(line) <= base) break;
      last = i;
    } else last = i;
    scanLine(line, st);
  }
  return lines.slice(first, last + 1).join('\n') + '\n';
}

/**
 * Python source text of the callable a `!function` points to, when a `.py` file with that name
 * exists next to the YAML (either path reading); otherwise undefined.
 */
export function pythonSourceOf(ref: FunctionRef, profile: Profile = 'latest'): string | undefined {
  for (const py of pythonPaths(ref, profile)) {
    if (!existsSync(py)) continue;
    const block = extractPythonBlock(readFileSync(py, 'utf8'), ref.name);
    if (block !== undefined) return block;
  }
  return undefined;
}
