/**
 * MERA's own, unmodified `benchmark_tasks` folder (a checkout of MERA-Evaluation/MERA named by
 * LM_EVAL_MERA_DIR) runs the way MERA's guide runs it (`--include_path <MERA>/benchmark_tasks`):
 * its 0.4.4 profile is detected without a marker or flag, every `!function` is a recognised TS
 * port (no Python), its tasks override the bundled copies with one warning each, and prompts,
 * requests and sample records equal those of the bundled copies on the mirrored data.
 * Skipped, with the reason printed, when no checkout is given (the MERA sources are not in this
 * repository).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runEvaluation } from '@lm-eval/core/engine';
import { listYamlFiles, recognisePort, TaskIndex } from '@lm-eval/core/tasks';
import { DummyLM } from '@lm-eval/core/models';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MIRROR = path.join(HERE, 'testdata');
const MERA = process.env.LM_EVAL_MERA_DIR ? path.join(process.env.LM_EVAL_MERA_DIR, 'benchmark_tasks') : '';
const present = MERA !== '' && existsSync(path.join(MERA, 'custom_samplers.py'));
if (!present) console.log('[skip] MERA folder tests: set LM_EVAL_MERA_DIR to a checkout of github.com/MERA-Evaluation/MERA to run them');

async function samples(task: string, includePath: string[], numFewshot: number | undefined) {
  const warnings: string[] = [];
  const out = await runEvaluation({
    model: new DummyLM(),
    tasks: [task],
    includePath,
    numFewshot,
    seeds: { random: 0, numpy: 1234, torch: 1234, fewshot: 1234 },
    logSamples: true,
    predictOnly: true,
    confirmRunUnsafeCode: true,
    env: { ...process.env, LM_EVAL_DATASETS_DIR: MIRROR, LM_EVAL_PYTHON: '/nonexistent/python' },
    log: (level, m) => {
      if (level === 'WARNING') warnings.push(m);
    },
  });
  return { profile: out.profile, samples: JSON.stringify(out.samples[task]), warnings };
}

describe.skipIf(!present)("MERA's unmodified benchmark_tasks folder", () => {
  it('is indexed under the 0.4.4 profile and overrides the bundled copies', () => {
    const index = TaskIndex.build({ includePaths: [MERA] });
    const names = index.allTasks().filter((e) => e.yamlPath?.startsWith(MERA + path.sep));
    expect(names.length).toBe(66);
    for (const e of names) expect(e.profile, e.name).toBe('0.4.4');
    // `*_gen.yaml` = include: [<generative base>, <task>.yaml]: the first include wins under 0.4.4
    expect(index.get('bps_gen')!.outputType).toBe('generate_until');
    const overrides = index.collisions.filter((c) => !c.sameRoot);
    expect(overrides).toHaveLength(66);
    expect(overrides[0].message).toMatch(/^Task '\w+' from .*benchmark_tasks.* overrides existing task from .*tasks\/mera/);
  });

  it('every !function in it is a recognised port', () => {
    const refs = new Set<string>();
    for (const file of listYamlFiles(MERA)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/!function\s+(\S+)/g)) {
        const raw = m[1];
        const dot = raw.lastIndexOf('.');
        const py = path.resolve(path.dirname(file), raw.slice(0, dot) + '.py');
        refs.add(`${py} ${raw.slice(dot + 1)}`);
      }
    }
    expect(refs.size).toBeGreaterThan(15);
    for (const r of refs) {
      const [py, name] = r.split(' ');
      expect(recognisePort(py, name), r).toBeDefined();
    }
  });

  for (const [task, shots] of [
    ['bps_gen', 1],
    ['lcs', 1],
    ['rutie', 1],
    ['use', 1],
    ['ruethics', 0],
    ['ruhatespeech', 1],
    ['chegeka', 1],
    ['rudetox', 1],
    ['ruhhh', 0],
    ['simplear', undefined],
  ] as const) {
    it(`${task}: same samples as the bundled copy (${shots ?? 'YAML'} shots, no Python)`, async () => {
      const theirs = await samples(task, [MERA], shots);
      const ours = await samples(task, [], shots);
      expect(theirs.profile).toBe('0.4.4');
      expect(theirs.warnings.some((w) => w.startsWith(`Task '${task}' from ${MERA}`))).toBe(true);
      expect(theirs.samples).toBe(ours.samples);
    });
  }
});
