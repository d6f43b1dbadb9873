import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../errors.ts';
import type { LM } from '../model/types.ts';
import type { ResolvedTask } from '../task/group.ts';
import { resolveEnvironment } from './environment.ts';
import { buildModel, chatSettings } from './model-setup.ts';
import { checkSamplesKeys, evaluationOrder, runProfileOf } from './task-selection.ts';
import { runLog } from './run-log.ts';

const task = (name: string, profile: '0.4.4' | 'latest') => ({ name, profile }) as ResolvedTask;

describe('task selection', () => {
  it('the run profile is 0.4.4 only when every task is; 0.4.4 evaluates tasks sorted by name', () => {
    const tasks = [task('b', '0.4.4'), task('a', '0.4.4')];
    expect(runProfileOf(tasks)).toBe('0.4.4');
    expect(runProfileOf([...tasks, task('c', 'latest')])).toBe('latest');
    expect(evaluationOrder(tasks, '0.4.4').map((t) => t.name)).toEqual(['a', 'b']);
    expect(evaluationOrder(tasks, 'latest').map((t) => t.name)).toEqual(['b', 'a']);
  });
  it('--samples keys must name selected tasks', () => {
    const loaded = { tasks: new Map([['arc', task('arc', 'latest')]]), groups: new Map(), topLevel: [] };
    expect(() => checkSamplesKeys({ arc: [0] }, loaded)).not.toThrow();
    expect(() => checkSamplesKeys({ acr: [0] }, loaded)).toThrow("--samples names 'acr', not among the tasks being run (arc)");
  });
});

describe('model set-up', () => {
  const lm = { name: 'm' } as LM;
  it('multiturn few-shot follows the chat template in latest; a model without a template is refused', () => {
    expect(chatSettings({}, 'latest', lm)).toEqual({ applyChat: false, fewshotAsMultiturn: false });
    const chatLm = { name: 'm', applyChatTemplate: () => '' } as unknown as LM;
    expect(chatSettings({ applyChatTemplate: true }, 'latest', chatLm)).toEqual({ applyChat: true, fewshotAsMultiturn: true });
    expect(chatSettings({ applyChatTemplate: true }, '0.4.4', chatLm)).toEqual({ applyChat: true, fewshotAsMultiturn: false });
    expect(() => chatSettings({ applyChatTemplate: true }, 'latest', lm)).toThrow(LmEvalError);
    expect(() => chatSettings({ fewshotAsMultiturn: true }, 'latest', lm)).toThrow('fewshot_as_multiturn needs apply_chat_template');
  });
  it('builds a backend with the request factory and the run settings, then wraps it', async () => {
    const seen: unknown[] = [];
    const built = await buildModel(
      {
        model: 'x',
        tasks: [],
        batchSize: 4,
        device: 'cpu',
        modelFactory: (args, opts) => (seen.push(args, opts), lm),
        wrapModel: (inner) => ({ ...inner, name: `wrapped ${inner.name}` }),
      },
      { a: 1 },
    );
    expect(built.name).toBe('wrapped m');
    expect(seen).toEqual([{ a: 1 }, { batchSize: 4, maxBatchSize: undefined, device: 'cpu', strict: undefined }]);
  });
});

describe('environment facts', () => {
  it('takes what the caller gives; the parent hash is dropped when it equals the hash', async () => {
    const facts = { transformersVersion: '3', lmEvalVersion: '1', gitHash: 'h', upperGitHash: 'h', prettyEnvInfo: 'box', defaultDevice: 'cuda:0' };
    expect(await resolveEnvironment(facts, '/')).toEqual({ ...facts, upperGitHash: null });
  });
  it('defaults: no transformers, this package version, this process, no device', async () => {
    const env = await resolveEnvironment({ gitHash: null, upperGitHash: null }, '/');
    expect(env).toMatchObject({ transformersVersion: 'N/A', gitHash: null, upperGitHash: null, defaultDevice: null });
    expect(env.lmEvalVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(env.prettyEnvInfo).toBe(`Node.js ${process.version} on ${process.platform}-${process.arch}`);
  });
  it('asks git in the folder and its parent; without a repository, the commit .git/HEAD names', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'env-git-'));
    try {
      const repo = path.join(dir, 'repo');
      mkdirSync(repo);
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8' }).trim();
      git('init', '-q');
      writeFileSync(path.join(repo, 'a'), 'a');
      git('add', 'a');
      git('commit', '-qm', 'a');
      // the parent: not a repository for git, but a .git/HEAD naming a commit
      mkdirSync(path.join(dir, '.git'));
      writeFileSync(path.join(dir, '.git', 'HEAD'), 'abc1234\n');
      const env = await resolveEnvironment({}, repo);
      expect(env.gitHash).toBe(git('describe', '--always'));
      expect(env.upperGitHash).toBe('abc1234');
      expect((await resolveEnvironment({}, path.join(dir, 'missing'))).gitHash).toBeNull();
      // no repository from here up (git is not asked)
      const outside = mkdtempSync(path.join(os.tmpdir(), 'env-nogit-'));
      try {
        expect(await resolveEnvironment({}, outside)).toMatchObject({ gitHash: null, upperGitHash: null });
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('runLog', () => {
  it('prints each distinct warning once', () => {
    const lines: string[] = [];
    const log = runLog({ log: (level, m) => lines.push(`${level} ${m}`) });
    log.warn('a');
    log.warn('a');
    log.warn('b');
    expect(lines).toEqual(['WARNING a', 'WARNING b']);
  });
});
