/**
 * The task index's snapshot (index-snapshot.ts): an unchanged tree is restored from it without
 * reading any task file, with the same names, kinds, files, tags, collisions and warnings; every
 * change an index depends on (an edited, added, removed or renamed file, an include outside the
 * tree, a profile marker, a v0.4.4 include looked up in the working directory) is seen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskIndex } from '../src/task/index.ts';
import { ScanCache } from '../src/task/index-cache.ts';
import { clearProfileCache } from '../src/task/profile.ts';

let dir: string;
let tree: string;
let cacheFile: string;

const OLD = new Date(Date.now() - 60_000);

/** Writes a file dated a minute back (its folder's times move, unless the file existed). */
function write(rel: string, text: string, base = tree): string {
  const f = path.join(base, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  fs.utimesSync(f, OLD, OLD);
  return f;
}

/**
 * Dates every file and folder under `root` a minute back (out of the snapshot's racy window).
 * Only before the first build: setting times moves ctimes, which the snapshot checks.
 */
function age(root = dir): void {
  for (const rel of fs.readdirSync(root, { recursive: true }) as string[]) fs.utimesSync(path.join(root, rel), OLD, OLD);
  fs.utimesSync(root, OLD, OLD);
}

/** A fresh build as a new process would make it (no in-process caches), with the cache file. */
function build(opts: { profile?: 'latest' | '0.4.4'; includePaths?: string[]; cwd?: string } = {}): { index: TaskIndex; cache: ScanCache } {
  clearProfileCache();
  const cache = ScanCache.open(cacheFile);
  const index = TaskIndex.build({ builtinDir: null, includePaths: opts.includePaths ?? [tree], scanCache: cache, profile: opts.profile, cwd: opts.cwd ?? dir });
  return { index, cache };
}

const summary = (ix: TaskIndex) => ({
  names: ix.names().map((n) => [n, ix.get(n)!.kind, ix.get(n)!.yamlPath ?? null, ix.get(n)!.outputType ?? null, ix.get(n)!.tags ?? null, ix.get(n)!.tasks ?? null, ix.get(n)!.profile]),
  collisions: ix.collisions,
  warnings: ix.warnings,
});

const snapshots = () => fs.readdirSync(path.dirname(cacheFile)).filter((n) => n.includes('.snapshot-'));

/** A build served from the snapshot reads no task file: with the scan cache gone it still scans nothing. */
function restoredBuild(opts?: Parameters<typeof build>[0]) {
  const cacheDir = path.dirname(cacheFile);
  for (const n of fs.readdirSync(cacheDir)) if (n.includes('.scan-')) fs.rmSync(path.join(cacheDir, n), { force: true });
  return build(opts);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-index-snapshot-'));
  tree = path.join(dir, 'tasks');
  cacheFile = path.join(dir, 'cache', 'task-index.json');
  write('a/base.yaml', 'output_type: multiple_choice\ntag: [family]\n');
  write('a/one.yaml', 'include: base.yaml\ntask: one\n');
  write('a/two.yaml', 'include: base.yaml\ntask: two\noutput_type: loglikelihood\n');
  write('b/one_again.yaml', 'task: one\n'); // a collision within the folder
  write('g/group.yaml', 'group: grp\ntask:\n  - one\n  - two\n');
  write('c/complex.yaml', 'defaults: &d\n  x: 1\ntask: three\ntag: &t family\n');
  write('bad/broken.yaml', 'task: broken\ninclude: ../../outside/missing.yaml\n');
  age();
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('task index snapshot', () => {
  it('an unchanged tree is restored from the snapshot with the same index', () => {
    const cold = build();
    expect(cold.cache.misses).toBe(7);
    expect(snapshots()).toHaveLength(1);
    const warm = restoredBuild();
    expect(warm.cache.misses).toBe(0);
    expect(summary(warm.index)).toEqual(summary(cold.index));
    expect(warm.index.collisions.length).toBeGreaterThan(0);
    expect(() => warm.index.matchTasks(['broken'])).toThrow(/missing\.yaml/);
    // names given as files still load after a restore
    expect(warm.index.matchTasks([path.join(tree, 'a/two.yaml')])).toEqual(['two']);
  });

  it('an edit in place (the folder unchanged), an addition and a removal are seen', () => {
    build();
    const folder = fs.statSync(path.join(tree, 'a'));
    write('a/two.yaml', 'include: base.yaml\ntask: two_renamed\n');
    expect(fs.statSync(path.join(tree, 'a')).ctimeMs).toBe(folder.ctimeMs); // only the file changed
    const ix = build().index;
    expect(ix.has('two')).toBe(false);
    expect(ix.get('two_renamed')?.outputType).toBe('multiple_choice');

    write('b/four.yaml', 'task: four\n');
    expect(build().index.has('four')).toBe(true);
    fs.rmSync(path.join(tree, 'c/complex.yaml'));
    expect(build().index.has('three')).toBe(false);
  });

  it('an edit to an included file outside the tree is seen', () => {
    const shared = write('shared.yaml', 'output_type: loglikelihood\n', path.join(dir, 'elsewhere'));
    write('x/x.yaml', `include: ${shared}\ntask: x\n`);
    age();
    expect(build().index.get('x')?.outputType).toBe('loglikelihood');
    expect(restoredBuild().index.get('x')?.outputType).toBe('loglikelihood');
    write('shared.yaml', 'output_type: generate_until\n', path.join(dir, 'elsewhere'));
    expect(build().index.get('x')?.outputType).toBe('generate_until');
  });

  it('a missing include that appears is seen', () => {
    build();
    expect(restoredBuild().index.has('broken')).toBe(false);
    write('missing.yaml', 'output_type: loglikelihood\n', path.join(dir, 'outside'));
    expect(build().index.get('broken')?.outputType).toBe('loglikelihood');
  });

  it('a profile marker added in a folder of the tree is seen', () => {
    write('v/grp.yaml', 'group: vgrp\ntask:\n  - one\n');
    write('v/.lm-eval-profile', 'latest\n');
    age();
    expect(build().index.get('vgrp')?.profile).toBe('latest');
    expect(restoredBuild().index.get('vgrp')?.profile).toBe('latest');
    write('v/.lm-eval-profile', '0.4.4\n'); // edited in place: the folder is unchanged
    expect(build().index.get('vgrp')?.profile).toBe('0.4.4');
    fs.rmSync(path.join(tree, 'v/.lm-eval-profile'));
    expect(build().index.get('vgrp')?.profile).toBe('latest');
  });

  it('a profile marker above the include path is seen', () => {
    build();
    expect(restoredBuild().index.get('one')?.profile).toBe('latest');
    write('.lm-eval-profile', '0.4.4\n', dir);
    expect(build().index.get('one')?.profile).toBe('0.4.4');
  });

  it('v0.4.4 includes looked up in the working directory: one snapshot per directory, a new file there is seen', () => {
    write('w/.lm-eval-profile', '0.4.4\n');
    write('w/base.yaml', 'output_type: loglikelihood\n');
    write('w/w.yaml', 'include: base.yaml\ntask: w\n');
    const cwdA = path.join(dir, 'cwd-a');
    const cwdB = path.join(dir, 'cwd-b');
    fs.mkdirSync(cwdA);
    fs.mkdirSync(cwdB);
    age();
    expect(build({ cwd: cwdA }).index.get('w')?.outputType).toBe('loglikelihood');
    expect(build({ cwd: cwdB }).index.get('w')?.outputType).toBe('loglikelihood');
    expect(restoredBuild({ cwd: cwdA }).cache.misses).toBe(0);
    // v0.4.4 tries the working directory first
    write('base.yaml', 'output_type: generate_until\n', cwdA);
    expect(build({ cwd: cwdA }).index.get('w')?.outputType).toBe('generate_until');
    expect(restoredBuild({ cwd: cwdB }).index.get('w')?.outputType).toBe('loglikelihood');
  });

  it('files changed moments ago are not trusted: no snapshot', () => {
    write('a/fresh.yaml', 'task: fresh\n');
    build();
    expect(snapshots()).toHaveLength(0);
  });

  it('one snapshot per set of include paths and profile; old ones are removed', () => {
    const roots: string[] = [];
    for (let i = 0; i < 10; i++) {
      roots.push(path.dirname(write(`r${i}/t.yaml`, `task: t${i}\n`, dir)));
    }
    age();
    for (const r of roots) build({ includePaths: [r] });
    build({ profile: '0.4.4' });
    expect(snapshots().length).toBe(8);
    expect(restoredBuild({ profile: '0.4.4' }).cache.misses).toBe(0);
    expect(restoredBuild({ includePaths: [roots[9]] }).index.has('t9')).toBe(true);
  });

  it('a corrupt snapshot is ignored and replaced', () => {
    build();
    for (const s of snapshots()) fs.writeFileSync(path.join(path.dirname(cacheFile), s), '{"version": 1, "key": ');
    expect(summary(build().index).names.length).toBeGreaterThan(0);
    expect(restoredBuild().cache.misses).toBe(0);
  });
});
