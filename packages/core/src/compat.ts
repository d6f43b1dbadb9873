/**
 * Behaviour profiles: the places where lm-eval v0.4.4 (pinned by MERA) and the latest lm-eval
 * disagree (include precedence, MC target delimiter under chat templates, remove_whitespace,
 * group weight_by_size default, result/sample key sets, sampler API).
 */
export type Profile = '0.4.4' | 'latest';

export const PROFILES: readonly Profile[] = ['0.4.4', 'latest'];

/** Name of the marker file that pins a task folder (and everything below it) to a profile. */
export const PROFILE_MARKER_FILE = '.lm-eval-profile';

export function parseProfile(value: string, where: string): Profile {
  const v = value.trim().replace(/^v/, '');
  if (v === '0.4.4' || v === 'latest') return v;
  throw new Error(`${where}: unknown compatibility profile '${value}' (allowed: 0.4.4, latest)`);
}
