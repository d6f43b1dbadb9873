/**
 * Step 2 of `!function` resolution: a Python helper we ship a TypeScript port of is recognised by
 * its source, so the user's copy of a known task folder (MERA's `benchmark_tasks`, lm-eval's
 * hellaswag, winogrande, ...) runs without Python.
 *
 * The ports are listed in a manifest (`python-ports.json` of the built-in task folder, plus any
 * registered with {@link registerPythonPort}); each names a Python definition, the fingerprints of
 * the Python versions the port reproduces (python/source-hash.ts: whitespace and comments do not
 * count, the helpers and imports it uses do), and the TS module + export to use instead.
 * A definition whose fingerprint is not listed is not recognised, whatever its file is called:
 * the reference then goes on to the next step (the Python worker).
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import { definitionHash, pythonRegisteredFilters, topLevelStatements, type TopLevelStatement } from '../python/source-hash.ts';
import { defaultTasksDir } from './builtin-dir.ts';

export interface PythonPort {
  /** Name of the Python function/class. */
  name: string;
  /** Fingerprints (`sha256:…`) of the Python versions the port reproduces. */
  hashes: string[];
  /** Absolute path of the TS/JS module holding the port. */
  module: string;
  /** Export of that module; absent when importing the module is the whole effect (filter registration). */
  export?: string;
  /** The `@register_filter` name the Python class registers (importing the port registers it too). */
  registersFilter?: string;
  /** lm-eval version the Python code was written for; '0.4.4' marks its folder as 0.4.4 (see profile.ts). */
  profile?: Profile;
  /** Where the known versions come from (for people; not used). */
  sources?: string[];
}

interface ManifestEntry extends Omit<PythonPort, 'module'> {
  module: string;
}

const registered: PythonPort[] = [];
let manifestPorts: PythonPort[] | undefined;
let manifestDir: string | undefined = defaultTasksDir();

/** Adds a port (library users; the built-in ones come from the task folder's manifest). */
export function registerPythonPort(port: PythonPort): void {
  registered.push({ ...port, module: path.resolve(port.module) });
}

/** Reads `python-ports.json` of the built-in task folder (once). */
function manifest(): PythonPort[] {
  if (manifestPorts) return manifestPorts;
  manifestPorts = [];
  if (!manifestDir) return manifestPorts;
  const file = path.join(manifestDir, 'python-ports.json');
  let data: { ports?: ManifestEntry[] };
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as { ports?: ManifestEntry[] };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return manifestPorts;
    throw new LmEvalError(`${file}: cannot read the list of Python ports: ${(err as Error).message}`);
  }
  manifestPorts = (data.ports ?? []).map((e) => ({ ...e, module: path.resolve(manifestDir as string, e.module) }));
  return manifestPorts;
}

/** Sets the folder whose `python-ports.json` lists the built-in ports (default: the built-in task folder; null: none). */
export function setPortManifestDir(dir: string | null): void {
  if (dir === manifestDir) return;
  manifestDir = dir ?? undefined;
  manifestPorts = undefined;
}

/**
 * What decides which Python files pin a folder's profile, for caches of the task index: the
 * manifest file (null: none; its content is the caller's to check) and a description of the
 * ports registered in-process that pin a profile.
 */
export function profilePortSources(): { manifest: string | null; registered: string } {
  const registeredPins = registered.filter((p) => p.profile).map((p) => [p.name, p.profile, p.hashes]);
  return { manifest: manifestDir ? path.join(manifestDir, 'python-ports.json') : null, registered: JSON.stringify(registeredPins) };
}

function allPorts(): PythonPort[] {
  return [...registered, ...manifest()];
}

interface PythonModule {
  mtimeMs: number;
  text: string;
  /** top-level statements (split on first use); null when the file cannot be tokenised */
  readonly statements: TopLevelStatement[] | null;
  hashes: Map<string, string | undefined>;
}

/** Source text and statements per Python file, keyed by path + mtime (files are read and split once per run). */
const sourceCache = new Map<string, PythonModule>();

/** A Python file read and split into top-level statements (cached); undefined when it cannot be read. */
export function pythonModule(pyFile: string): PythonModule | undefined {
  return sourceOf(pyFile);
}

function sourceOf(pyFile: string): PythonModule | undefined {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(pyFile).mtimeMs;
  } catch {
    return undefined;
  }
  const cached = sourceCache.get(pyFile);
  if (cached && cached.mtimeMs === mtimeMs) return cached;
  const text = readFileSync(pyFile, 'utf8');
  let statements: TopLevelStatement[] | null | undefined;
  const entry: PythonModule = {
    mtimeMs,
    text,
    get statements() {
      if (statements === undefined) {
        try {
          statements = topLevelStatements(text);
        } catch {
          statements = null;
        }
      }
      return statements;
    },
    hashes: new Map<string, string | undefined>(),
  };
  sourceCache.set(pyFile, entry);
  return entry;
}

/** Fingerprint of `name` in a Python file (cached), undefined when the file or the name is missing. */
export function pythonFileDefinitionHash(pyFile: string, name: string): string | undefined {
  const src = sourceOf(pyFile);
  if (!src) return undefined;
  if (!src.hashes.has(name)) src.hashes.set(name, src.statements ? definitionHash(src.statements, name) : undefined);
  return src.hashes.get(name);
}

/** The port whose known fingerprints include that of `name` in `pyFile`, if any. */
export function recognisePort(pyFile: string, name: string): PythonPort | undefined {
  const candidates = allPorts().filter((p) => p.name === name);
  if (candidates.length === 0) return undefined;
  const hash = pythonFileDefinitionHash(pyFile, name);
  if (!hash) return undefined;
  return candidates.find((p) => p.hashes.includes(hash));
}

/** `@register_filter` classes of a Python file: filter name -> the port that stands for it (undefined: not recognised). */
export function registeredFilterPorts(pyFile: string): Map<string, PythonPort | undefined> {
  const out = new Map<string, PythonPort | undefined>();
  const src = sourceOf(pyFile);
  if (!src) return out;
  if (!src.statements) return out;
  const filters = pythonRegisteredFilters(src.statements);
  for (const [filterName, cls] of filters) {
    const port = recognisePort(pyFile, cls);
    out.set(filterName, port && port.registersFilter === filterName ? port : undefined);
  }
  return out;
}

const loadedModules = new Map<string, Promise<Record<string, unknown>>>();

async function importPort(port: PythonPort): Promise<Record<string, unknown>> {
  let p = loadedModules.get(port.module);
  if (!p) {
    p = import(pathToFileURL(port.module).href) as Promise<Record<string, unknown>>;
    loadedModules.set(port.module, p);
  }
  try {
    return await p;
  } catch (err) {
    loadedModules.delete(port.module);
    throw new LmEvalError(`cannot load the TypeScript port of '${port.name}' (${port.module}): ${(err as Error).message}`, undefined, { cause: err });
  }
}

/**
 * The TS value standing for Python definition `name` of `pyFile`, when that definition is a
 * recognised port; undefined otherwise. Importing the Python module registers its
 * `@register_filter` classes in lm-eval; the recognised ones among them are registered here too
 * (by importing their ports).
 */
export async function loadRecognisedPort(pyFile: string, name: string): Promise<unknown> {
  const port = recognisePort(pyFile, name);
  if (!port) return undefined;
  for (const filterPort of registeredFilterPorts(pyFile).values()) if (filterPort) await importPort(filterPort);
  const mod = await importPort(port);
  if (port.export === undefined) return mod;
  const value = mod[port.export];
  if (value === undefined) throw new LmEvalError(`the TypeScript port of '${port.name}' (${port.module}) has no export '${port.export}'`);
  return value;
}

/** Profile a recognised Python definition in `pyFile` was written for ('0.4.4'), if any of its ports says so. */
export function recognisedProfileOfFile(pyFile: string): Profile | undefined {
  const pinned = allPorts().filter((p) => p.profile);
  if (pinned.length === 0) return undefined;
  const src = sourceOf(pyFile);
  if (!src) return undefined;
  for (const p of pinned) {
    if (!new RegExp(`\\b(?:class|def)\\s+${p.name}\\b`).test(src.text)) continue;
    if (recognisePort(pyFile, p.name) === p) return p.profile;
  }
  return undefined;
}
