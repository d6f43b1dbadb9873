import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pyStr } from '../src/python/values.ts';
import { loadYamlConfig } from '../src/task/include.ts';
import { clearProfileCache, profileForFile } from '../src/task/profile.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/tasks-engine/include');
const f = (name: string) => path.join(dir, name);
const neutralCwd = tmpdir();

describe('include resolution', () => {
  it('0.4.4: first listed include wins, including its inherited base keys (diamond accepted)', () => {
    const c = loadYamlConfig(f('gen.yaml'), { profile: '0.4.4', cwd: neutralCwd });
    expect(c.output_type).toBe('generate_until'); // a.yaml's own key
    expect(c.dataset_name).toBe('a');
    expect(c.doc_to_text).toBe('base: {{question}}'); // base via a.yaml beats b.yaml's own key
    expect(c.num_fewshot).toBe(1); // only in b.yaml
    expect(c.task_list).toEqual(['x']); // kept in v0.4.4
    expect('include' in c).toBe(false);
    expect(c.task).toBe('gen');
    // v0.4.4 key order: reversed list applied in order => b's keys first
    expect(Object.keys(c)).toEqual(['output_type', 'doc_to_text', 'process_results', 'metadata', 'dataset_name', 'num_fewshot', 'task_list', 'task']);
  });

  it('latest: last listed include wins; task_list of included files dropped', () => {
    const c = loadYamlConfig(f('gen.yaml'), { profile: 'latest', cwd: neutralCwd });
    expect(c.output_type).toBe('loglikelihood');
    expect(c.dataset_name).toBe('b');
    expect(c.doc_to_text).toBe('b: {{question}}');
    expect('task_list' in c).toBe(false);
  });

  it('own keys win over every include; nested dicts are replaced, not merged', () => {
    for (const profile of ['0.4.4', 'latest'] as const) {
      const c = loadYamlConfig(f('own.yaml'), { profile, cwd: neutralCwd });
      expect(c.output_type).toBe('multiple_choice');
      expect(c.metadata).toEqual({ version: expect.anything() });
      expect(pyStr((c.metadata as Record<string, unknown>).version)).toBe('2.0');
    }
  });

  it('an explicit null overrides an included value', () => {
    const c = loadYamlConfig(f('nulls.yaml'), { profile: 'latest', cwd: neutralCwd });
    expect('doc_to_text' in c).toBe(true);
    expect(c.doc_to_text).toBeNull();
    expect(c.process_results).toBeNull();
  });

  it('rejects a real cycle and prints it', () => {
    expect(() => loadYamlConfig(f('cyc1.yaml'), { profile: 'latest', cwd: neutralCwd })).toThrow(
      /Include cycle: .*cyc1\.yaml -> .*cyc2\.yaml -> .*cyc3\.yaml -> .*cyc1\.yaml/,
    );
  });

  it('missing include names the including file and the paths tried', () => {
    expect(() => loadYamlConfig(f('missing.yaml'), { profile: '0.4.4', cwd: neutralCwd })).toThrow(
      /missing\.yaml: included file 'does_not_exist\.yaml' not found \(tried: .*does_not_exist\.yaml, .*does_not_exist\.yaml\)/,
    );
  });

  it('0.4.4 resolves a relative include against the CWD first, latest against the YAML folder', () => {
    expect(loadYamlConfig(f('cwdfirst.yaml'), { profile: '0.4.4', cwd: f('cwd') }).dataset_name).toBe('from_cwd');
    expect(loadYamlConfig(f('cwdfirst.yaml'), { profile: 'latest', cwd: f('cwd') }).dataset_name).toBe('from_yaml_dir');
    expect(loadYamlConfig(f('cwdfirst.yaml'), { profile: '0.4.4', cwd: neutralCwd }).dataset_name).toBe('from_yaml_dir');
  });

  it('returned configs are independent copies', () => {
    const a = loadYamlConfig(f('own.yaml'), { profile: 'latest', cwd: neutralCwd });
    (a.metadata as Record<string, unknown>).version = 99;
    const b = loadYamlConfig(f('own.yaml'), { profile: 'latest', cwd: neutralCwd });
    expect(pyStr((b.metadata as Record<string, unknown>).version)).toBe('2.0');
  });
});

describe('profile markers', () => {
  it('a .lm-eval-profile file pins every YAML below its folder', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'lm-eval-profile-'));
    mkdirSync(path.join(root, 'mera/sub'), { recursive: true });
    writeFileSync(path.join(root, 'mera/.lm-eval-profile'), '0.4.4\n');
    clearProfileCache();
    expect(profileForFile(path.join(root, 'mera/sub/x.yaml'), 'latest')).toBe('0.4.4');
    expect(profileForFile(path.join(root, 'mera/x.yaml'), 'latest')).toBe('0.4.4');
    expect(profileForFile(path.join(root, 'other.yaml'), 'latest')).toBe('latest');
    expect(profileForFile(path.join(root, 'other.yaml'), '0.4.4')).toBe('0.4.4');
    writeFileSync(path.join(root, 'mera/sub/.lm-eval-profile'), 'latest');
    clearProfileCache();
    expect(profileForFile(path.join(root, 'mera/sub/x.yaml'), '0.4.4')).toBe('latest');
    writeFileSync(path.join(root, 'mera/sub/.lm-eval-profile'), '0.5');
    clearProfileCache();
    expect(() => profileForFile(path.join(root, 'mera/sub/x.yaml'), 'latest')).toThrow(/unknown compatibility profile '0.5'/);
    clearProfileCache();
  });

  it('the include precedence follows the marker of the including file', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'lm-eval-inc-'));
    writeFileSync(path.join(root, 'A.yaml'), 'output_type: generate_until\n');
    writeFileSync(path.join(root, 'B.yaml'), 'output_type: multiple_choice\n');
    writeFileSync(path.join(root, 'T.yaml'), 'include: [A.yaml, B.yaml]\ntask: t\n');
    writeFileSync(path.join(root, '.lm-eval-profile'), '0.4.4');
    clearProfileCache();
    expect(loadYamlConfig(path.join(root, 'T.yaml'), { profile: 'latest', cwd: neutralCwd }).output_type).toBe('generate_until');
    clearProfileCache();
  });
});
