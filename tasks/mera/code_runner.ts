/**
 * Runs model-generated Python against test cases in a separate, limited `python3` process
 * (MERA's ruHumanEval/ruCodeEval scoring, benchmark_tasks/ruhumaneval/utils.py
 * `check_correctness`, `unsafe_execute`).
 *
 * What one run does (one process per generation):
 * - the child is started with a fresh temporary directory as cwd (removed afterwards), a minimal
 *   environment (PATH, HOME = the temp dir, LANG, single-threaded BLAS/OpenMP), `python3 -I`
 *   (isolated mode: no PYTHON* variables, no user site-packages), stdin = the JSON payload only;
 * - network: when `unshare -n` (or `unshare -rn` through a user namespace) works on this machine,
 *   the child runs in a new, empty network namespace (no interfaces but a down loopback). Where it
 *   does not, the prelude only removes the `socket`/`_socket`/`ssl` modules, which stops ordinary
 *   Python networking but not a determined program (ctypes). {@link sandboxInfo} says which;
 * - limits set by the prelude with `resource.setrlimit`: address space (default 4 GiB,
 *   `LM_EVAL_CODE_MEMORY_MB`), CPU seconds, file size (16 MiB), and no new processes
 *   (`RLIMIT_NPROC` 0; not enforced for the real root user); destructive `os`/`shutil`/`subprocess`
 *   functions are replaced by None before the program runs;
 * - time: defining the program (`exec`) is interrupted after 3 s (→ every test `None`); the
 *   whole process is killed after 4 s (→ `"timed out"`), as MERA's harness does;
 * - the program runs as MERA runs it: `exec(function_prompt + generation)` with the harness module's
 *   globals and a separate locals dict, so top-level imports and helper functions of the program
 *   are not visible inside its functions (a MERA quirk kept for result parity); each test calls
 *   `entry_point(**test)` and records `str(result)`, or None on an exception or a None result.
 *
 * This is a best-effort sandbox for benchmark code, not a security boundary: run it only on
 * machines where executing model output is acceptable (hence `--confirm_run_unsafe_code`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { LmEvalError } from '@lm-eval/core';
import { runLimited } from '@lm-eval/core/engine';

/** The environment variable the run sets when `--confirm_run_unsafe_code` is given. */
export const CONFIRM_UNSAFE_ENV = 'LM_EVAL_CONFIRM_RUN_UNSAFE_CODE';

/** Refuses to go on unless the run confirmed executing model-generated code. */
export function assertUnsafeCodeConfirmed(task: string, env: NodeJS.ProcessEnv = process.env, confirmed = false): void {
  if (!confirmed && env[CONFIRM_UNSAFE_ENV] !== '1') {
    throw new LmEvalError(
      `task '${task}' executes model-generated Python code to score it, which this run has not allowed`,
      `rerun with --confirm_run_unsafe_code (or set ${CONFIRM_UNSAFE_ENV}=1) to run it in the sandboxed subprocess described in tasks/mera/README.md`,
    );
  }
}

/** Per test: `str(result)` or null; the whole string "timed out" when the process was killed. */
export type CodeRunResult = Array<string | null> | 'timed out';

export interface CodeRunOptions {
  /** complete program: the prompt's function header + the generation */
  program: string;
  /** Python literal of a list of kwargs dicts (`inputs.tests`), parsed in the child */
  tests: string;
  entryPoint: string;
  /** seconds allowed for `exec(program)` (MERA: 3) */
  defineTimeoutS?: number;
  /** seconds before the process is killed (MERA: define timeout + 1) */
  overallTimeoutS?: number;
  memoryBytes?: number;
}

const PRELUDE = String.raw`
import sys, os, json, ast, signal, resource, builtins
_write, _dumps, _exit = os.write, json.dumps, os._exit
_payload = json.loads(sys.stdin.read())
# Names visible to the program's functions: those of MERA's harness module.
import contextlib, faulthandler, io, platform, tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List
_globals = {'__name__': 'utils', '__builtins__': builtins, 'ast': ast, 'contextlib': contextlib,
            'faulthandler': faulthandler, 'io': io, 'os': os, 'platform': platform, 'signal': signal,
            'tempfile': tempfile, 'ThreadPoolExecutor': ThreadPoolExecutor, 'Dict': Dict, 'List': List}
try:
    import multiprocessing as _mp
    _globals['mp'] = _mp
except Exception:
    pass
class _LazyModule:
    # imports the module on first use (numpy costs ~0.2 s per process otherwise)
    def __init__(self, name):
        self.__dict__['_name'], self.__dict__['_mod'] = name, None
    def __getattr__(self, attr):
        if self.__dict__['_mod'] is None:
            # the import itself needs some of the functions disabled below (numpy calls os.putenv)
            import importlib
            disabled = {n: getattr(os, n) for n in _saved_os}
            for n, f in _saved_os.items():
                setattr(os, n, f)
            try:
                self.__dict__['_mod'] = importlib.import_module(self.__dict__['_name'])
            finally:
                for n, f in disabled.items():
                    setattr(os, n, f)
        return getattr(self.__dict__['_mod'], attr)
import importlib.util
if importlib.util.find_spec('numpy') is not None:
    _globals['np'] = _LazyModule('numpy')
_tests = ast.literal_eval(_payload['tests'])
_entry = _payload['entry_point']
_program = _payload['program']
_define_timeout = float(_payload['define_timeout'])

def _limit(kind, value):
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass
if _payload['memory_bytes']:
    _limit(resource.RLIMIT_AS, int(_payload['memory_bytes']))
_limit(resource.RLIMIT_FSIZE, 16 * 1024 * 1024)
_limit(resource.RLIMIT_CPU, int(_payload['cpu_seconds']))
_limit(resource.RLIMIT_NPROC, 0)

# Disable functions that could damage the machine or escape the time limits.
faulthandler.disable()
_saved_os = {}
for _name in ('kill', 'killpg', 'system', 'putenv', 'remove', 'removedirs', 'rmdir', 'unlink', 'rename',
              'renames', 'replace', 'truncate', 'fork', 'forkpty', 'setuid', 'fchdir', 'chdir', 'fchmod',
              'chmod', 'fchown', 'chown', 'lchown', 'lchmod', 'lchflags', 'chroot', 'getcwd', 'execv',
              'execve', 'execvp', 'execvpe', 'spawnv', 'spawnve', 'posix_spawn', 'posix_spawnp'):
    if hasattr(os, _name):
        _saved_os[_name] = getattr(os, _name)
        setattr(os, _name, None)
import shutil, subprocess
shutil.rmtree = shutil.move = shutil.chown = None
subprocess.Popen = None
builtins.exit = builtins.quit = builtins.help = None
for _mod in ('socket', '_socket', 'ssl', 'ipdb', 'joblib', 'resource', 'psutil', 'tkinter'):
    sys.modules[_mod] = None

class _TimeoutException(Exception):
    pass

def _on_alarm(signum, frame):
    raise _TimeoutException('Timed out!')

class _Sink(io.StringIO):
    def read(self, *a, **k): raise OSError
    def readline(self, *a, **k): raise OSError
    def readlines(self, *a, **k): raise OSError
    def readable(self, *a, **k): return False

_locals = {}
try:
    _sink = _Sink()
    _saved = (sys.stdout, sys.stderr, sys.stdin)
    sys.stdout = sys.stderr = sys.stdin = _sink
    try:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, _define_timeout)
        try:
            exec(_program, _globals, _locals)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        sys.stdout, sys.stderr, sys.stdin = _saved
    _results = []
    for _test in _tests:
        try:
            _r = _locals[_entry](**_test)
            if _r is not None:
                _r = str(_r)
        except Exception:
            _r = None
        _results.append(_r)
except Exception:
    _results = [None] * len(_tests)
_write(3, _dumps(_results).encode('utf-8'))
_exit(0)
`;

interface Sandbox {
  python: string;
  unshare: string[] | null;
}
let sandbox: Sandbox | undefined;

function probe(): Sandbox {
  if (sandbox) return sandbox;
  const requested = process.env.LM_EVAL_PYTHON || 'python3';
  const r = spawnSync(requested, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  if (r.error || r.status !== 0 || !r.stdout.trim()) {
    throw new LmEvalError(
      `cannot run '${requested}' to execute generated code: ${r.error?.message ?? r.stderr.trim()}`,
      'install Python 3 (or point LM_EVAL_PYTHON at an interpreter)',
    );
  }
  const python = r.stdout.trim();
  let unshare: string[] | null = null;
  for (const args of [['-n'], ['-rn']]) {
    const u = spawnSync('unshare', [...args, python, '-c', 'pass'], { stdio: 'ignore' });
    if (!u.error && u.status === 0) {
      unshare = args;
      break;
    }
  }
  sandbox = { python, unshare };
  return sandbox;
}

/** How generated code is isolated on this machine (resolved on first use). */
export function sandboxInfo(): { python: string; networkNamespace: boolean } {
  const s = probe();
  return { python: s.python, networkNamespace: s.unshare !== null };
}

function memoryLimit(): number {
  const mb = Number(process.env.LM_EVAL_CODE_MEMORY_MB);
  return Number.isFinite(mb) && mb > 0 ? Math.floor(mb * 1024 * 1024) : 4 * 1024 * 1024 * 1024;
}

/** The child process invocation shared by the sync and async runners. */
function invocation(opts: CodeRunOptions): { cmd: string; args: string[]; payload: string; overall: number } {
  const { python, unshare } = probe();
  const defineTimeout = opts.defineTimeoutS ?? 3;
  const overall = opts.overallTimeoutS ?? defineTimeout + 1;
  const payload = JSON.stringify({
    program: opts.program,
    tests: opts.tests,
    entry_point: opts.entryPoint,
    define_timeout: defineTimeout,
    memory_bytes: opts.memoryBytes ?? memoryLimit(),
    cpu_seconds: Math.ceil(overall) + 1,
  });
  const argv = [python, '-I', '-c', PRELUDE];
  const [cmd, ...args] = unshare ? ['unshare', ...unshare, ...argv] : argv;
  return { cmd, args, payload, overall };
}

function childEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    OMP_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
  };
}

/** The per-test results the prelude wrote on fd 3, or 'timed out'. */
function parseChannel(text: string): CodeRunResult {
  if (!text) return 'timed out';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed) && parsed.every((x) => x === null || typeof x === 'string')) return parsed as Array<string | null>;
  } catch {
    // a partial write (killed mid-way) counts as no result
  }
  return 'timed out';
}

/** Runs one program against its tests; never throws for anything the program does. */
export function runPythonTests(opts: CodeRunOptions): CodeRunResult {
  const { cmd, args, payload, overall } = invocation(opts);
  const dir = mkdtempSync(path.join(tmpdir(), 'mera-code-'));
  try {
    const r = spawnSync(cmd, args, {
      cwd: dir,
      env: childEnv(dir),
      input: payload,
      stdio: ['pipe', 'ignore', 'ignore', 'pipe'],
      timeout: overall * 1000,
      killSignal: 'SIGKILL',
      maxBuffer: 64 * 1024 * 1024,
    });
    const channel = r.output?.[3];
    return parseChannel(channel ? channel.toString('utf8') : '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** {@link runPythonTests} without blocking: several programs can run at once. */
export function runPythonTestsAsync(opts: CodeRunOptions): Promise<CodeRunResult> {
  const { cmd, args, payload, overall } = invocation(opts);
  const dir = mkdtempSync(path.join(tmpdir(), 'mera-code-'));
  return new Promise<CodeRunResult>((resolve) => {
    const child = spawn(cmd, args, { cwd: dir, env: childEnv(dir), stdio: ['pipe', 'ignore', 'ignore', 'pipe'] });
    const chunks: Buffer[] = [];
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), overall * 1000);
    const finish = () => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve(parseChannel(Buffer.concat(chunks).toString('utf8')));
    };
    child.on('error', finish);
    child.on('close', finish);
    child.stdin!.on('error', () => {});
    child.stdin!.end(payload);
  });
}

/** Runs `jobs` with at most one per CPU at a time; results in input order. */
export function runLimitedPerCpu<T>(jobs: Array<() => Promise<T>>): Promise<T[]> {
  return runLimited(jobs, availableParallelism());
}
