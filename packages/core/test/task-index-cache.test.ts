/**
 * The task index's persistent scan cache: an unchanged tree is indexed from the cache with the
 * same result, and any change (edit, new file, deletion, a file written moments ago) is seen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskIndex } from '../src/task/index.ts';
import { KEEP_ROOTS, rootCachePath, ScanCache, taskIndexCachePath } from '../src/task/index-cache.ts';

let dir: string;
let tree: string;
let cacheFile: string;

/** Writes a file dated `ageS` seconds ago (older than the cache's racy window unless 0). */
function write(rel: string, text: string, ageS = 60): string {
  const f = path.join(tree, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  if (ageS > 0) {
    const t = new Date(Date.now() - ageS * 1000);
    fs.utimesSync(f, t, t);
  }
  return f;
}

function build(cache: ScanCache, roots = [tree]): TaskIndex {
  return TaskIndex.build({ builtinDir: null, includePaths: roots, scanCache: cache });
}

/** The cache file of root folder `root`. */
const rootFile = (root = tree) => rootCachePath(cacheFile, root);
/** The file paths stored in root folder `root`'s cache file. */
const stored = (root = tree) => Object.keys(JSON.parse(fs.readFileSync(rootFile(root), 'utf8')).files);

/** A small task tree of its own under the test folder, dated a minute back. */
function otherTree(name: string, task: string): string {
  const root = path.join(dir, name);
  fs.mkdirSync(root, { recursive: true });
  const f = path.join(root, `${task}.yaml`);
  fs.writeFileSync(f, `task: ${task}\n`);
  const t = new Date(Date.now() - 60_000);
  fs.utimesSync(f, t, t);
  return root;
}

const summary = (ix: TaskIndex) => ix.names().map((n) => [n, ix.get(n)!.kind, ix.get(n)!.outputType ?? null, ix.get(n)!.tasks ?? null]);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-index-cache-'));
  tree = path.join(dir, 'tasks');
  cacheFile = path.join(dir, 'cache', 'task-index.json');
  write('a/base.yaml', 'output_type: multiple_choice\ntag: [family]\n');
  write('a/one.yaml', 'include: base.yaml\ntask: one\n');
  write('a/two.yaml', 'include: base.yaml\ntask: two\noutput_type: loglikelihood\n');
  write('g/group.yaml', 'group: grp\ntask:\n  - one\n  - two\n');
  // a file the line scan cannot read (anchors): parsed in full, cached all the same
  write('c/complex.yaml', 'defaults: &d\n  x: 1\ntask: three\ntag: &t family\n');
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('task index scan cache', () => {
  it('a warm build reads nothing and gives the same index', () => {
    const cold = ScanCache.open(cacheFile);
    const first = summary(build(cold));
    expect(cold.misses).toBe(5);
    expect(fs.existsSync(rootFile())).toBe(true);
    const warm = ScanCache.open(cacheFile);
    expect(summary(build(warm))).toEqual(first);
    expect(warm.misses).toBe(0);
    expect(first).toContainEqual(['family', 'tag', null, ['one', 'three', 'two']]);
  });

  it('an edited, an added and a deleted file are seen', () => {
    build(ScanCache.open(cacheFile));
    write('a/two.yaml', 'include: base.yaml\ntask: two_renamed\noutput_type: loglikelihood\n', 30);
    write('b/four.yaml', 'task: four\n', 30);
    fs.rmSync(path.join(tree, 'c/complex.yaml'));
    const cache = ScanCache.open(cacheFile);
    const ix = build(cache);
    expect(cache.misses).toBe(2);
    expect(ix.has('two')).toBe(false);
    expect(ix.get('two_renamed')?.outputType).toBe('loglikelihood');
    expect(ix.has('four')).toBe(true);
    expect(ix.has('three')).toBe(false);
    expect(stored().some((f) => f.endsWith('complex.yaml'))).toBe(false);
    expect(stored().some((f) => f.endsWith('four.yaml'))).toBe(true);
  });

  it('a same-size edit within the same clock tick is not missed (recent files are not trusted)', () => {
    write('a/one.yaml', 'include: base.yaml\ntask: onf\n', 0);
    build(ScanCache.open(cacheFile));
    const f = path.join(tree, 'a/one.yaml');
    const st = fs.statSync(f);
    fs.writeFileSync(f, 'include: base.yaml\ntask: ong\n');
    fs.utimesSync(f, st.atime, st.mtime); // same size, same mtime
    const ix = build(ScanCache.open(cacheFile));
    expect(ix.has('ong')).toBe(true);
    expect(ix.has('onf')).toBe(false);
  });

  it('a corrupt cache file is ignored and replaced; entries outside the tree (includes elsewhere) are kept', () => {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(rootFile(), '{not json');
    const ix = build(ScanCache.open(cacheFile));
    expect(ix.has('one')).toBe(true);
    const other = path.join(dir, 'elsewhere.yaml');
    const data = JSON.parse(fs.readFileSync(rootFile(), 'utf8'));
    data.files[other] = [1, 2, 3, { task: 'x' }];
    fs.writeFileSync(rootFile(), JSON.stringify(data));
    write('b/five.yaml', 'task: five\n', 30);
    build(ScanCache.open(cacheFile));
    expect(stored()).toContain(other);
  });

  it('one cache file per root: a second tree\'s files stay out of the first tree\'s file', () => {
    const b = otherTree('b-tree', 'bee');
    const cache = ScanCache.open(cacheFile);
    const ix = build(cache, [tree, b]);
    expect(ix.has('bee') && ix.has('one')).toBe(true);
    expect(stored().some((f) => f.startsWith(b + path.sep))).toBe(false);
    expect(stored(b)).toEqual([path.join(b, 'bee.yaml')]);
    // each tree alone is then served from its own file
    const warm = ScanCache.open(cacheFile);
    expect(build(warm, [b]).has('bee')).toBe(true);
    expect(warm.misses).toBe(0);
  });

  it("indexing tree A neither reads nor rewrites tree B's cache file", () => {
    const b = otherTree('b-tree', 'bee');
    build(ScanCache.open(cacheFile), [b]);
    // B's file made unreadable as JSON but dated a minute back: reading it would discard it, writing would replace it
    fs.writeFileSync(rootFile(b), '{"planted": true}');
    const t = new Date(Date.now() - 60_000);
    fs.utimesSync(rootFile(b), t, t);
    const before = fs.statSync(rootFile(b)).mtimeMs;
    const cache = ScanCache.open(cacheFile);
    build(cache, [tree]);
    expect(cache.misses).toBe(5);
    expect(cache.filesRead).toEqual([rootFile()]);
    write('b/five.yaml', 'task: five\n', 30); // A changes and is written again
    build(ScanCache.open(cacheFile), [tree]);
    expect(fs.readFileSync(rootFile(b), 'utf8')).toBe('{"planted": true}');
    expect(fs.statSync(rootFile(b)).mtimeMs).toBe(before);
  });

  it('at most KEEP_ROOTS root files: the least recently used is removed', () => {
    const roots = Array.from({ length: KEEP_ROOTS }, (_, i) => otherTree(`r${i}`, `t${i}`));
    for (const [i, r] of roots.entries()) {
      build(ScanCache.open(cacheFile), [r]);
      const t = new Date(Date.now() - (100 - i) * 1000); // r0 used longest ago
      fs.utimesSync(rootFile(r), t, t);
    }
    // r0 used again (served from its cache, nothing written): now r1 is the least recent
    build(ScanCache.open(cacheFile), [roots[0]]);
    const extra = otherTree('extra', 'tx');
    build(ScanCache.open(cacheFile), [extra]);
    const scanFiles = fs.readdirSync(path.dirname(cacheFile)).filter((n) => n.includes('.scan-'));
    expect(scanFiles).toHaveLength(KEEP_ROOTS);
    expect(fs.existsSync(rootFile(roots[1]))).toBe(false);
    expect(fs.existsSync(rootFile(roots[0]))).toBe(true);
    expect(fs.existsSync(rootFile(extra))).toBe(true);
  });

  it('the single-file cache of earlier versions is removed; another file at the base path is left alone', () => {
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(cacheFile, JSON.stringify({ version: 1, files: { '/x.yaml': [1, 2, 3, {}] } }));
    build(ScanCache.open(cacheFile));
    expect(fs.existsSync(cacheFile)).toBe(false);
    fs.writeFileSync(cacheFile, '{"mine": 1}');
    write('b/five.yaml', 'task: five\n', 30);
    build(ScanCache.open(cacheFile));
    expect(fs.readFileSync(cacheFile, 'utf8')).toBe('{"mine": 1}');
  });

  it('location: LMEVAL_TASK_INDEX_CACHE (off disables), else XDG_CACHE_HOME', () => {
    expect(taskIndexCachePath({ LMEVAL_TASK_INDEX_CACHE: 'off' })).toBeNull();
    expect(taskIndexCachePath({ LMEVAL_TASK_INDEX_CACHE: '/x/y.json' })).toBe(path.resolve('/x/y.json'));
    expect(taskIndexCachePath({ XDG_CACHE_HOME: '/c' })).toBe(path.join('/c', 'lm-eval-ts', 'task-index.json'));
    expect(path.basename(rootCachePath('/c/task-index.json', '/t'))).toMatch(/^task-index\.scan-[0-9a-f]{16}\.json$/);
  });
});
