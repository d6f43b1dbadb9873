/**
 * Registries scoped to an instance: two registries in one process, each with its own backend,
 * metric, aggregation, filter and few-shot sampler under the same names, evaluating the same
 * task at the same time, each get their own numbers; the process-wide registry does not see
 * them, and a name no registry knows fails with the task and its YAML file named.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistry,
  defaultRegistry,
  evaluate,
  LmEvalError,
  registerMetric,
  TaskManager,
  type GenerateRequest,
  type LM,
  type Registry,
  type RequestHooks,
} from '../src/index.ts';
import { getMetricDef, metricNames } from '../src/evaluate/metrics/registry.ts';

let dir = '';
let yamlFile = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-registry-'));
  const jsonl = (qs: string[]) => qs.map((q) => JSON.stringify({ q, a: 'x' })).join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'docs.jsonl'), jsonl(['Q1', 'Q2', 'Q3', 'Q4']));
  fs.writeFileSync(path.join(dir, 'shots.jsonl'), jsonl(['S1', 'S2', 'S3', 'S4']));
  yamlFile = path.join(dir, 'scoped.yaml');
  fs.writeFileSync(
    yamlFile,
    [
      'task: scoped',
      'dataset_path: json',
      'dataset_kwargs:',
      '  data_files:',
      '    test: docs.jsonl',
      '    train: shots.jsonl',
      'output_type: generate_until',
      'test_split: test',
      'fewshot_split: train',
      'fewshot_config:',
      '  sampler: pick_one',
      'doc_to_text: "Q: {{q}}\\nA:"',
      'doc_to_target: "{{a}}"',
      'generation_kwargs:',
      '  until: ["\\n"]',
      'filter_list:',
      '  - name: custom',
      '    filter:',
      '      - function: shape',
      'metric_list:',
      '  - metric: my_score',
      '    aggregation: my_agg',
      '    higher_is_better: true',
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A backend answering `answer` to every prompt, after a turn of the event loop (so two runs interleave). */
function fixedAnswer(answer: string, prompts: string[]): LM {
  const refuse = async (): Promise<never> => {
    throw new LmEvalError('generation only');
  };
  return {
    name: `fixed-${answer}`,
    loglikelihood: refuse,
    loglikelihoodRolling: refuse,
    async generateUntil(requests: GenerateRequest[], hooks?: RequestHooks): Promise<string[]> {
      const out: string[] = [];
      for (const [i, r] of requests.entries()) {
        await new Promise((resolve) => setImmediate(resolve));
        prompts.push(typeof r.context === 'string' ? r.context : r.context.prompt);
        out.push(answer);
        hooks?.onResult?.(i, answer);
      }
      return out;
    },
  };
}

interface Scoped {
  registry: Registry;
  prompts: string[];
}

/** A registry whose `fixed` backend, `shape` filter, `my_score` metric, `my_agg` aggregation and `pick_one` sampler are its own. */
function scopedRegistry(o: { answer: string; shape: (s: string) => string; expected: string; score: number; aggregate: (xs: number[]) => number; fewshotIndex: number }): Scoped {
  const prompts: string[] = [];
  const registry = createRegistry()
    .registerModel('fixed', () => fixedAnswer(o.answer, prompts))
    .registerFilter('shape', () => ({ apply: (resps) => (resps as string[][]).map((r) => o.shape(r[0])) }))
    .registerMetric({
      name: 'my_score',
      higherIsBetter: true,
      aggregation: 'my_agg',
      outputTypes: ['generate_until'],
      compute: ({ predictions }) => (predictions[0] === o.expected ? o.score : 0),
    })
    .registerAggregation({ name: 'my_agg', aggregate: (items) => o.aggregate(items as number[]), stderr: 'none' })
    .registerSampler(
      'pick_one',
      class {
        private readonly docs: Record<string, unknown>[];
        constructor(init: { docs: Record<string, unknown>[] }) {
          this.docs = init.docs;
        }
        sample(): Record<string, unknown>[] {
          return [this.docs[o.fewshotIndex]];
        }
      },
    );
  return { registry, prompts };
}

const first = (): Scoped => scopedRegistry({ answer: 'alpha', shape: (s) => s.toUpperCase(), expected: 'ALPHA', score: 1, aggregate: (xs) => xs.reduce((a, b) => a + b, 0), fewshotIndex: 0 });
const second = (): Scoped => scopedRegistry({ answer: 'beta', shape: (s) => [...s].reverse().join(''), expected: 'ateb', score: 0.25, aggregate: (xs) => Math.max(...xs), fewshotIndex: 3 });

describe('registries scoped to an instance', () => {
  it('two registries evaluating the same task concurrently each give their own numbers', async () => {
    const a = first();
    const b = second();
    const run = (s: Scoped) => evaluate({ model: 'fixed', registry: s.registry, tasks: ['scoped'], includePath: [dir], cwd: dir, numFewshot: 1, bootstrapIters: 0 });
    const [ra, rb] = await Promise.all([run(a), run(b)]);
    expect(ra.results.results.scoped['my_score,custom']).toBe(4); // 4 docs × 1, summed
    expect(rb.results.results.scoped['my_score,custom']).toBe(0.25); // max of 4 × 0.25
    expect(ra.results.results.scoped['my_score_stderr,custom']).toBe('N/A');
    // each run's few-shot example came from its own sampler
    expect(a.prompts).toHaveLength(4);
    expect(b.prompts).toHaveLength(4);
    expect(a.prompts.every((p) => p.startsWith('Q: S1\nA: x\n\n'))).toBe(true);
    expect(b.prompts.every((p) => p.startsWith('Q: S4\nA: x\n\n'))).toBe(true);
  });

  it('what a registry registers stays out of the process-wide registry and other registries', () => {
    const a = first();
    expect(a.registry.metrics.get('my_score')).toBeDefined();
    expect(defaultRegistry.metrics.get('my_score')).toBeUndefined();
    expect(getMetricDef('my_score')).toBeUndefined();
    expect(metricNames()).not.toContain('my_score');
    expect(createRegistry().filters.has('shape')).toBe(false);
    // the built-ins resolve through every registry
    expect(a.registry.metrics.get('acc')).toBe(getMetricDef('acc'));
    expect(a.registry.models.has('dummy')).toBe(true);
  });

  it('a registry sees what is registered process-wide later (backends, task helper modules), and shadows it', async () => {
    const a = first();
    const name = `late_metric_${process.pid}`;
    registerMetric({ name, higherIsBetter: true, aggregation: 'mean', outputTypes: ['generate_until'], compute: () => 1 });
    expect(a.registry.metrics.get(name)?.name).toBe(name);
    a.registry.registerMetric({ name, higherIsBetter: false, aggregation: 'mean', outputTypes: ['generate_until'], compute: () => 0 });
    expect(a.registry.metrics.get(name)?.higherIsBetter).toBe(false);
    expect(defaultRegistry.metrics.get(name)?.higherIsBetter).toBe(true);
  });

  it('a TaskManager builds with its registry; without it the unregistered names fail naming the task and the YAML file', async () => {
    const withOwn = new TaskManager({ includePath: [dir], cwd: dir, builtin: false, registry: first().registry });
    const requests = await withOwn.buildRequests('scoped', { numFewshot: 1 });
    expect(requests).toHaveLength(4);
    expect(String(requests[0][0].arguments[0])).toBe('Q: S1\nA: x\n\nQ: Q1\nA:');

    const plain = new TaskManager({ includePath: [dir], cwd: dir, builtin: false });
    const err = await plain.prepare('scoped').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LmEvalError);
    const text = String((err as Error).message);
    expect(text).toMatch(/scoped/);
    expect(text).toContain(yamlFile);
  });

  it('evaluate() without the registry fails on the unknown metric with the task and YAML file named', async () => {
    const reg = createRegistry().registerFilter('shape', () => ({ apply: (r) => r })).registerSampler('pick_one', first().registry.samplers.get('pick_one')!);
    const err = await evaluate({ model: 'dummy', registry: reg, tasks: ['scoped'], includePath: [dir], cwd: dir, limit: 1, bootstrapIters: 0 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LmEvalError);
    const text = String((err as Error).message);
    expect(text).toMatch(/metric 'my_score' is not available/);
    expect(text).toContain('scoped');
    expect(text).toContain(yamlFile);
  });
});
