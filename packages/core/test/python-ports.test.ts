/**
 * Ports recognised by their Python source (task/ports.ts, python/source-hash.ts): the fingerprint
 * ignores whitespace and comments, follows the helpers a definition uses, a recognised `!function`
 * resolves to the TS port without Python, its module's `@register_filter` classes register their
 * ports, and a folder holding a recognised 0.4.4-API helper is read under the 0.4.4 profile.
 * The Python snippets are our own.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { knownFilters } from '../src/evaluate/filters/index.ts';
import { pythonDefinitionHash, pythonRegisteredFilters, pythonTopLevelNames } from '../src/python/source-hash.ts';
import { resolveFunction, resolveWithoutPython } from '../src/task/functions.ts';
import { TaskIndex } from '../src/task/index.ts';
import { clearProfileCache, profileForFile } from '../src/task/profile.ts';
import { recognisePort, registerPythonPort } from '../src/task/ports.ts';
import { FunctionRef } from '../src/task/yaml.ts';

const UTILS = `import re
from typing import Dict

PATTERN = re.compile(r"\\s+")  # collapse runs


def _clean(text):
    """Strips and collapses."""
    return PATTERN.sub(" ", text.strip())


def doc_to_text(doc: Dict) -> str:
    # the prompt
    return _clean(doc["q"]) + "\\nA:"


def unrelated(x):
    return x
`;

const REFORMATTED = `import re
from typing import Dict
PATTERN = re.compile(
    r"\\s+"
)
def _clean(text):
        """Strips and collapses."""
        return PATTERN.sub(" ",   text.strip())   # same code, other layout
def doc_to_text(doc: Dict) -> str:
        return _clean(doc["q"]) + "\\nA:"
`;

const tmp = mkdtempSync(path.join(tmpdir(), 'lm-eval-ports-'));
afterAll(() => clearProfileCache());

function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

describe('Python definition fingerprints', () => {
  const h = pythonDefinitionHash(UTILS, 'doc_to_text');

  it('ignore whitespace, comments, blank lines, indentation width and unrelated definitions', () => {
    expect(h).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pythonDefinitionHash(REFORMATTED, 'doc_to_text')).toBe(h);
    expect(pythonDefinitionHash(UTILS + '\n\ndef more():\n    return 1\n', 'doc_to_text')).toBe(h);
  });

  it('change with the code, a helper it calls, or a constant/import it uses', () => {
    expect(pythonDefinitionHash(UTILS.replace('"\\nA:"', '"\\nAnswer:"'), 'doc_to_text')).not.toBe(h);
    expect(pythonDefinitionHash(UTILS.replace('text.strip()', 'text.lstrip()'), 'doc_to_text')).not.toBe(h);
    expect(pythonDefinitionHash(UTILS.replace('r"\\s+"', 'r"\\s"'), 'doc_to_text')).not.toBe(h);
    expect(pythonDefinitionHash(UTILS.replace('import re', 'import regex as re'), 'doc_to_text')).not.toBe(h);
    // the docstring is code (a string), not a comment
    expect(pythonDefinitionHash(UTILS.replace('Strips and', 'Strips, and'), 'doc_to_text')).not.toBe(h);
    // another name, same body
    expect(pythonDefinitionHash(UTILS.replace(/doc_to_text/g, 'doc_to_prompt'), 'doc_to_prompt')).not.toBe(h);
  });

  it('are undefined for a name the module does not define', () => {
    expect(pythonDefinitionHash(UTILS, 'absent')).toBeUndefined();
    expect([...pythonTopLevelNames(UTILS)].sort()).toEqual(['Dict', 'PATTERN', '_clean', 'doc_to_text', 're', 'unrelated']);
  });

  it('find @register_filter classes', () => {
    const src = 'from lm_eval.api.registry import register_filter\n\n@register_filter("shout")\nclass Shout:\n    def apply(self, resps, docs):\n        return [[r.upper() for r in rs] for rs in resps]\n';
    expect(pythonRegisteredFilters(src)).toEqual(new Map([['shout', 'Shout']]));
  });
});

describe('recognised ports in !function resolution', () => {
  const portDir = folder('ports', {
    'prompt.ts': 'export function doc_to_text(doc: { q: string }): string { return doc.q.trim().split(/\\s+/).join(" ") + "\\nA:"; }\n',
  });
  registerPythonPort({ name: 'doc_to_text', hashes: [pythonDefinitionHash(UTILS, 'doc_to_text') as string], module: path.join(portDir, 'prompt.ts'), export: 'doc_to_text' });

  it('a Python helper with a known fingerprint resolves to the TS port (any folder, any layout)', async () => {
    const dir = folder('user', { 'utils.py': REFORMATTED, 'task.yaml': 'task: t\n' });
    const ref = new FunctionRef('utils', 'doc_to_text', dir, 'utils.doc_to_text', path.join(dir, 'task.yaml'));
    const fn = (await resolveFunction(ref)) as (d: { q: string }) => string;
    expect(fn({ q: '  two   words ' })).toBe('two words\nA:');
    expect(recognisePort(path.join(dir, 'utils.py'), 'doc_to_text')?.module).toBe(path.join(portDir, 'prompt.ts'));
  });

  it('a changed helper is not recognised: the reference goes on to the Python step', async () => {
    const dir = folder('changed', { 'utils.py': UTILS.replace('"\\nA:"', '"\\nAnswer:"'), 'task.yaml': 'task: t\n' });
    const ref = new FunctionRef('utils', 'doc_to_text', dir, 'utils.doc_to_text', path.join(dir, 'task.yaml'));
    expect(recognisePort(path.join(dir, 'utils.py'), 'doc_to_text')).toBeUndefined();
    expect(await resolveWithoutPython(ref)).toBeUndefined();
  });

  it("a recognised module's @register_filter classes register their ports' filters", async () => {
    const pyFilter = 'from lm_eval.api.registry import register_filter\n\n@register_filter("shout_x")\nclass ShoutX:\n    def apply(self, resps, docs):\n        return resps\n';
    const filterModule = path.join(portDir, 'shout-filter.ts');
    const core = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/evaluate/filters/index.ts');
    writeFileSync(filterModule, `import { registerFilter } from ${JSON.stringify(core)};\nregisterFilter('shout_x', () => ({ apply: (r: unknown) => r }));\n`);
    registerPythonPort({ name: 'ShoutX', hashes: [pythonDefinitionHash(pyFilter, 'ShoutX') as string], module: filterModule, registersFilter: 'shout_x' });
    const dir = folder('filtered', { 'utils.py': UTILS + '\n\n' + pyFilter.replace(/^from.*\n/, 'from lm_eval.api.registry import register_filter\n'), 'task.yaml': 'task: t\n' });
    expect(knownFilters()).not.toContain('shout_x');
    await resolveFunction(new FunctionRef('utils', 'doc_to_text', dir, 'utils.doc_to_text', path.join(dir, 'task.yaml')));
    expect(knownFilters()).toContain('shout_x');
  });
});

describe('profile detection from recognised 0.4.4-API helpers', () => {
  const SAMPLER = 'from lm_eval.api.samplers import ContextSampler\n\n\nclass MySampler(ContextSampler):\n    def get_context(self, doc, num_fewshot):\n        return ""\n';
  registerPythonPort({ name: 'MySampler', hashes: [pythonDefinitionHash(SAMPLER, 'MySampler') as string], module: path.join(tmp, 'unused.ts'), export: 'MySampler', profile: '0.4.4' });

  it('a task folder holding the helper is 0.4.4 (files below it too); a changed copy or a folder without YAML is not', () => {
    clearProfileCache();
    const root = folder('bench044', {
      'samplers.py': SAMPLER,
      'base.yaml': 'output_type: generate_until\n',
      'sub/a.yaml': 'task: a\ninclude: [../base.yaml, b.yaml]\n',
      'sub/b.yaml': 'output_type: multiple_choice\n',
    });
    expect(profileForFile(path.join(root, 'sub/a.yaml'), 'latest')).toBe('0.4.4');
    // 0.4.4 include precedence: the first include wins
    const idx = TaskIndex.build({ builtinDir: null, includePaths: [root] });
    expect(idx.get('a')).toMatchObject({ profile: '0.4.4', outputType: 'generate_until' });

    const other = folder('bench-latest', { 'samplers.py': SAMPLER.replace('return ""', 'return "x"'), 'a.yaml': 'task: a\n' });
    expect(profileForFile(path.join(other, 'a.yaml'), 'latest')).toBe('latest');
    const noYaml = folder('only-python', { 'samplers.py': SAMPLER, 'sub/a.yaml': 'task: a\n' });
    expect(profileForFile(path.join(noYaml, 'sub/a.yaml'), 'latest')).toBe('latest');
  });
});

describe('the shipped manifest', () => {
  it('lists existing modules and well-formed fingerprints', async () => {
    const tasks = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tasks');
    const manifest = JSON.parse(readFileSync(path.join(tasks, 'python-ports.json'), 'utf8')) as { ports: Array<{ name: string; module: string; export?: string; hashes: string[] }> };
    expect(manifest.ports.length).toBeGreaterThan(20);
    for (const p of manifest.ports) {
      for (const h of p.hashes) expect(h).toMatch(/^sha256:[0-9a-f]{64}$/);
      const mod = (await import(path.join(tasks, p.module))) as Record<string, unknown>;
      if (p.export) expect(mod[p.export], `${p.module} ${p.export}`).toBeDefined();
    }
  });
});
