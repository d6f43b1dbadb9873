/**
 * Which behaviour profile governs a YAML file: the nearest folder at or above the file that pins
 * one decides; otherwise the run-level default applies (CLI `--compat`, else 'latest'). A folder
 * pins a profile by
 * - a `.lm-eval-profile` marker (content `0.4.4` or `latest`), or
 * - recognisably being written for lm-eval 0.4.4: it holds task YAML files and a Python file that
 *   defines a helper we know to use lm-eval 0.4.4's API (ports.ts `profile`) — MERA's
 *   `benchmark_tasks` has `custom_samplers.py` with its `FewshotSampler` (the `get_context`
 *   sampler API lm-eval removed in 0.4.10). No marker or flag is needed for such a folder.
 * See docs/profiles.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseProfile, PROFILE_MARKER_FILE, type Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import { recognisedProfileOfFile } from './ports.ts';

/** folder -> pinned profile (null = no marker at or above this folder). */
const folderCache = new Map<string, Profile | null>();
/** folder -> its entry names, as a walk over it listed them (saves listing it again). */
const listings = new Map<string, string[]>();

/** Records the entries of a folder just listed (the task index walks every task folder). */
export function noteFolderListing(dir: string, names: string[]): void {
  listings.set(dir, names);
}

function pinnedProfile(dir: string): Profile | null {
  const cached = folderCache.get(dir);
  if (cached !== undefined) return cached;
  let result: Profile | null;
  const marker = path.join(dir, PROFILE_MARKER_FILE);
  const listed = listings.get(dir);
  if ((listed === undefined || listed.includes(PROFILE_MARKER_FILE)) && existsSync(marker)) {
    const text = readFileSync(marker, 'utf8');
    try {
      result = parseProfile(text, marker);
    } catch (err) {
      throw new LmEvalError((err as Error).message, `Write '0.4.4' or 'latest' into ${marker}.`);
    }
  } else {
    result = detectedProfile(dir);
    if (result === null) {
      const parent = path.dirname(dir);
      result = parent === dir ? null : pinnedProfile(parent);
    }
  }
  folderCache.set(dir, result);
  return result;
}

/** The profile a task folder was recognisably written for (see the module comment), or null. */
function detectedProfile(dir: string): Profile | null {
  let names = listings.get(dir);
  if (!names) {
    try {
      names = readdirSync(dir);
    } catch {
      return null;
    }
  }
  if (!names.some((n) => n.endsWith('.yaml'))) return null;
  for (const n of names) {
    if (!n.endsWith('.py')) continue;
    const p = recognisedProfileOfFile(path.join(dir, n));
    if (p) return p;
  }
  return null;
}

/** Profile of a YAML file: the nearest marker above it wins, else `fallback`. Cached per folder. */
export function profileForFile(file: string, fallback: Profile): Profile {
  return pinnedProfile(folderOf(file)) ?? fallback;
}

/** The last absolute file asked about and its folder (the index asks about each file several times in a row). */
let lastFile = '';
let lastFolder = '';

/** The resolved folder of a file. */
function folderOf(file: string): string {
  if (file === lastFile) return lastFolder;
  const folder = path.dirname(path.resolve(file));
  if (path.isAbsolute(file)) {
    lastFile = file;
    lastFolder = folder;
  }
  return folder;
}

/** Profile pinned for a folder (and everything below it), or null when none. */
export function pinnedProfileForDir(dir: string): Profile | null {
  return pinnedProfile(path.resolve(dir));
}

/** Forgets cached marker look-ups (tests, or after writing a marker file). */
export function clearProfileCache(): void {
  folderCache.clear();
  listings.clear();
}
