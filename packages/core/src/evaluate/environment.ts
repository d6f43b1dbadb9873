/**
 * Facts about the running environment that a results file records (lm-eval's
 * `add_env_info`: versions, git hashes, host). The caller supplies them; what it leaves out gets
 * the defaults documented on {@link EnvironmentFacts}. Nothing here reads another package's files.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { version } from '../version.ts';

/**
 * Facts about the running environment that the results record. The library reads none of them
 * from another package's files; the caller (the CLI) supplies them.
 */
export interface EnvironmentFacts {
  /** `transformers_version` (default `N/A`); the CLI passes the installed transformers.js version. */
  transformersVersion?: string;
  /** `lm_eval_version` (default: this package's version). */
  lmEvalVersion?: string;
  /** `git_hash` / `upper_git_hash` (default: `git describe --always` in cwd and its parent). */
  gitHash?: string | null;
  upperGitHash?: string | null;
  /** `pretty_env_info` (default: `Node.js <version> on <platform>-<arch>` of this process). */
  prettyEnvInfo?: string;
  /**
   * `config.device` recorded (latest profile) when neither the request nor the model names a
   * device (default null; the CLI passes lm-eval's `--device` default `cuda:0`).
   */
  defaultDevice?: string | null;
}

/** Every fact with its value: the caller's, else the default. */
export interface ResolvedEnvironment {
  transformersVersion: string;
  lmEvalVersion: string;
  gitHash: string | null;
  /** null when it equals `gitHash` (lm-eval records the parent's hash only when it differs) */
  upperGitHash: string | null;
  prettyEnvInfo: string;
  defaultDevice: string | null;
}

/**
 * `git describe --always` in `cwd` (lm-eval's `get_git_commit_hash`), else the commit `.git/HEAD`
 * names, else null. A child process the caller need not wait for at once: a run starts it early
 * and takes the answer when it writes the results.
 */
export function gitDescribe(cwd: string): Promise<string | null> {
  if (!mayBeInRepository(cwd)) return Promise.resolve(null);
  return new Promise((resolve) => {
    execFile('git', ['describe', '--always'], { cwd }, (error, stdout) => {
      if (!error) {
        resolve(stdout.trim() || null);
        return;
      }
      try {
        resolve(headCommit(cwd));
      } catch {
        resolve(null);
      }
    });
  });
}

/**
 * Whether git could find a repository from `dir`: GIT_DIR is set, or `dir` or a folder above holds
 * `.git` or is itself a git directory (`HEAD` and `objects`, as a bare repository). Otherwise
 * `git describe` can only fail, and there is no `.git/HEAD` to read either: git is not started
 * (a child process costs the run tens of milliseconds).
 */
function mayBeInRepository(dir: string): boolean {
  if (process.env.GIT_DIR) return true;
  for (let d = path.resolve(dir); ; ) {
    if (existsSync(path.join(d, '.git')) || (existsSync(path.join(d, 'HEAD')) && existsSync(path.join(d, 'objects')))) return true;
    const up = path.dirname(d);
    if (up === d) return false;
    d = up;
  }
}

function headCommit(cwd: string): string | null {
  const head = path.join(cwd, '.git', 'HEAD');
  if (!existsSync(head)) return null;
  const text = readFileSync(head, 'utf8').trim();
  if (!text.startsWith('ref: ')) return text || null;
  const ref = path.join(cwd, '.git', text.slice(5));
  return existsSync(ref) ? readFileSync(ref, 'utf8').trim() : null;
}

export function hostDescription(): string {
  return `Node.js ${process.version} on ${process.platform}-${process.arch}`;
}

/**
 * The facts a run records: `facts` as given, the rest from their defaults (git is asked only when
 * needed; both `git describe` run at once, and the promise never rejects).
 */
export async function resolveEnvironment(facts: EnvironmentFacts, cwd: string): Promise<ResolvedEnvironment> {
  const [gitHash, upperGitHash] = await Promise.all([
    facts.gitHash !== undefined ? facts.gitHash : gitDescribe(cwd),
    facts.upperGitHash !== undefined ? facts.upperGitHash : gitDescribe(path.resolve(cwd, '..')),
  ]);
  return {
    transformersVersion: facts.transformersVersion ?? 'N/A',
    lmEvalVersion: facts.lmEvalVersion ?? version,
    gitHash,
    upperGitHash: upperGitHash === gitHash ? null : upperGitHash,
    prettyEnvInfo: facts.prettyEnvInfo ?? hostDescription(),
    defaultDevice: facts.defaultDevice ?? null,
  };
}
