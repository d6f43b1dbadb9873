/**
 * Which behaviour profile governs a YAML file: the nearest folder at or above the file that holds
 * a `.lm-eval-profile` marker (content `0.4.4` or `latest`) pins it; otherwise the run-level
 * default applies (CLI `--compat`, else 'latest'). See docs/profiles.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseProfile, PROFILE_MARKER_FILE, type Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';

/** folder -> pinned profile (null = no marker at or above this folder). */
const folderCache = new Map<string, Profile | null>();

function pinnedProfile(dir: string): Profile | null {
  const cached = folderCache.get(dir);
  if (cached !== undefined) return cached;
  let result: Profile | null;
  const marker = path.join(dir, PROFILE_MARKER_FILE);
  if (existsSync(marker)) {
    const text = readFileSync(marker, 'utf8');
    try {
      result = parseProfile(text, marker);
    } catch (err) {
      throw new LmEvalError((err as Error).message, `Write '0.4.4' or 'latest' into ${marker}.`);
    }
  } else {
    const parent = path.dirname(dir);
    result = parent === dir ? null : pinnedProfile(parent);
  }
  folderCache.set(dir, result);
  return result;
}

/** Profile of a YAML file: the nearest marker above it wins, else `fallback`. Cached per folder. */
export function profileForFile(file: string, fallback: Profile): Profile {
  return pinnedProfile(path.dirname(path.resolve(file))) ?? fallback;
}

/** Profile pinned for a folder (and everything below it), or null when none. */
export function pinnedProfileForDir(dir: string): Profile | null {
  return pinnedProfile(path.resolve(dir));
}

/** Forgets cached marker look-ups (tests, or after writing a marker file). */
export function clearProfileCache(): void {
  folderCache.clear();
}
