/**
 * Requests per output_type (lm_eval/api/task.py `ConfigurableTask.construct_requests`, lm_eval/evaluator.py
 * `evaluate`; the request layout `ConfigurableTask.process_results` expects for mutual information and multiple-input tasks).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildContext, type BuiltContext } from '../src/prompt/context.ts';
import { buildInstances, choiceDelimiter, type BuildOptions } from '../src/request/build.ts';
import { evaluateTasks, type EvaluatorOptions } from '../src/evaluate/evaluator.ts';
import { DummyLM, dummyLoglikelihood } from '../src/model/dummy.ts';
import { PyFloat, pyStr } from '../src/python/values.ts';
import { runEvaluation } from '../src/evaluate/run-evaluation.ts';
import type { Doc } from '../src/prompt/task-view.ts';
import { EchoLM, makeEvalTask, makeView, plainOptions, RecordingChatLM, type ViewSpec } from './prompts-helpers.ts';

const opts = (over: Partial<BuildOptions> = {}): BuildOptions => ({ applyChatTemplate: false, mutualInfo: false, repeats: 1, ...over });
const ctx = (context: string): BuiltContext => ({ kind: 'single', context });

const args = (insts: ReturnType<typeof buildInstances>) => insts.map((i) => [i.requestType, i.idx, ...i.arguments]);

describe('loglikelihood / rolling / generate_until', () => {
  it('loglikelihood: (ctx, target) with the target verbatim, no TD', () => {
    const view = makeView({ outputType: 'loglikelihood', targetDelimiter: ' ' });
    expect(args(buildInstances({ a: ' 4' }, 0, ctx('Q:'), view, opts()))).toEqual([['loglikelihood', 0, 'Q:', ' 4']]);
    expect(args(buildInstances({ a: '4' }, 0, ctx('Q:'), view, opts()))).toEqual([['loglikelihood', 0, 'Q:', '4']]);
  });

  it('loglikelihood_rolling: (target,) and the context is ignored', () => {
    const view = makeView({ outputType: 'loglikelihood_rolling' });
    expect(args(buildInstances({ a: 'whole page' }, 3, ctx('ignored'), view, opts()))).toEqual([['loglikelihood_rolling', 0, 'whole page']]);
  });

  it('generate_until: a deep copy of generation_kwargs per request (PyFloat kept)', () => {
    const view = makeView({ outputType: 'generate_until' });
    const gk = { until: ['\n\n', 'Question:'], do_sample: false, temperature: new PyFloat(0) };
    const a = buildInstances({ q: 1 }, 0, ctx('c1'), view, opts({ generationKwargs: gk }));
    const b = buildInstances({ q: 2 }, 1, ctx('c2'), view, opts({ generationKwargs: gk }));
    const ka = a[0].arguments[1] as Record<string, unknown>;
    const kb = b[0].arguments[1] as Record<string, unknown>;
    expect(ka).toEqual(gk);
    expect(ka).not.toBe(gk);
    expect(ka.until).not.toBe(kb.until);
    (ka.until as string[]).push('MUTATED');
    ka.max_gen_toks = 5;
    expect(kb.until).toEqual(['\n\n', 'Question:']);
    expect(gk.until).toEqual(['\n\n', 'Question:']);
    expect('max_gen_toks' in kb).toBe(false);
    expect(kb.temperature).toBeInstanceOf(PyFloat);
    expect((kb.temperature as PyFloat).value).toBe(0);
  });
});

describe('multiple_choice', () => {
  const mc = (extra: ViewSpec = {}) => makeView({ outputType: 'multiple_choice', docToChoice: (d) => d.choices as unknown[], ...extra });
  const DOC: Doc = { choices: ['A', 'B'] };

  it('one loglikelihood request per choice, (ctx, TD + choice), idx = i, choices unstripped', () => {
    expect(args(buildInstances(DOC, 0, ctx('…Ответ:'), mc(), opts()))).toEqual([
      ['loglikelihood', 0, '…Ответ:', ' A'],
      ['loglikelihood', 1, '…Ответ:', ' B'],
    ]);
    expect(args(buildInstances({ choices: [' x ', 'y\n', 3] }, 0, ctx('c'), mc(), opts()))).toEqual([
      ['loglikelihood', 0, 'c', '  x '],
      ['loglikelihood', 1, 'c', ' y\n'],
      ['loglikelihood', 2, 'c', ' 3'],
    ]);
  });

  it("TD' under a chat template: latest TD only with a gen_prefix not ending in whitespace; v0.4.4 always TD", () => {
    expect(choiceDelimiter(mc(), DOC, false)).toBe(' ');
    expect(choiceDelimiter(mc(), DOC, true)).toBe('');
    expect(choiceDelimiter(mc({ genPrefix: 'Answer:' }), DOC, true)).toBe(' ');
    expect(choiceDelimiter(mc({ genPrefix: 'Answer: ' }), DOC, true)).toBe('');
    expect(choiceDelimiter(mc({ genPrefix: 'Answer:\n' }), DOC, true)).toBe('');
    expect(choiceDelimiter(mc({ genPrefix: 'Answer:\u0085' }), DOC, true)).toBe(''); // Python isspace
    expect(choiceDelimiter(mc({ genPrefix: 'Answer:\ufeff' }), DOC, true)).toBe(' '); // not isspace
    expect(choiceDelimiter(mc({ genPrefix: '' }), DOC, true)).toBe('');
    expect(choiceDelimiter(mc({ profile: '0.4.4' }), DOC, true)).toBe(' ');
    expect(args(buildInstances(DOC, 0, ctx('<a>'), mc(), opts({ applyChatTemplate: true })))).toEqual([
      ['loglikelihood', 0, '<a>', 'A'],
      ['loglikelihood', 1, '<a>', 'B'],
    ]);
  });

  it("latest checks the configured gen_prefix as written, not its rendering", () => {
    const view = mc({ genPrefix: '{{p}}' });
    const rendered = { ...view, task: { ...view.task, genPrefix: () => 'Answer: ' } };
    expect(choiceDelimiter(rendered, DOC, true)).toBe(' ');
  });

  it('mutual information: k unconditional requests after the k conditional ones, idx k..2k-1', () => {
    expect(args(buildInstances(DOC, 0, ctx('c'), mc(), opts({ mutualInfo: true })))).toEqual([
      ['loglikelihood', 0, 'c', ' A'],
      ['loglikelihood', 1, 'c', ' B'],
      ['loglikelihood', 2, '', ' A'],
      ['loglikelihood', 3, '', ' B'],
    ]);
    // latest with a chat template: ("", TD' + choice) with TD' = ""
    expect(args(buildInstances(DOC, 0, ctx('c'), mc(), opts({ mutualInfo: true, applyChatTemplate: true }))).slice(2)).toEqual([
      ['loglikelihood', 2, '', 'A'],
      ['loglikelihood', 3, '', 'B'],
    ]);
    // v0.4.4: ("", choice)
    expect(args(buildInstances(DOC, 0, ctx('c'), mc({ profile: '0.4.4' }), opts({ mutualInfo: true }))).slice(2)).toEqual([
      ['loglikelihood', 2, '', 'A'],
      ['loglikelihood', 3, '', 'B'],
    ]);
  });

  it('the Llama-3-style chat example: continuations "10"/"11" (latest), " 10"/" 11" (v0.4.4)', () => {
    const tplPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'oracle', 'oracle_chat_template.jinja');
    const lm = new DummyLM({ chat_template_path: tplPath });
    const doc: Doc = { q: '5+5?', choices: ['10', '11'] };
    const run = (spec: ViewSpec) => {
      const view = mc(spec);
      const built = buildContext(doc, view, plainOptions({ applyChatTemplate: true, fewshotAsMultiturn: true, lm }), () => []);
      return args(buildInstances(doc, 0, built, view, opts({ applyChatTemplate: true })));
    };
    const header =
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nQuestion: 5+5?\nAnswer:<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';
    expect(run({})).toEqual([
      ['loglikelihood', 0, header, '10'],
      ['loglikelihood', 1, header, '11'],
    ]);
    expect(run({ profile: '0.4.4' })).toEqual([
      ['loglikelihood', 0, header, ' 10'],
      ['loglikelihood', 1, header, ' 11'],
    ]);
    // latest with a gen_prefix: the prompt ends inside the assistant turn, right after GP
    expect(run({ genPrefix: 'The answer is' })).toEqual([
      ['loglikelihood', 0, header + 'The answer is', ' 10'],
      ['loglikelihood', 1, header + 'The answer is', ' 11'],
    ]);
  });
});

describe('multiple-input requests', () => {
  const mi = (extra: ViewSpec = {}) =>
    makeView({
      outputType: 'multiple_choice',
      multipleInput: true,
      docToText: (d) => d.gold,
      docToChoice: (d) => d.options as unknown[],
      docToTarget: (d) => d.cont,
      ...extra,
    });
  const DOC: Doc = { options: ['The cat', 'The dog'], gold: 1, cont: 'barked.' };
  const build = (extra: ViewSpec, over: { chat?: boolean; mutualInfo?: boolean } = {}) => {
    const view = mi(extra);
    const lm = new RecordingChatLM();
    const built = buildContext(DOC, view, plainOptions({ applyChatTemplate: over.chat ?? false, fewshotAsMultiturn: true, lm }), () => []);
    return args(buildInstances(DOC, 0, built, view, opts({ applyChatTemplate: over.chat ?? false, mutualInfo: over.mutualInfo ?? false })));
  };

  it("latest: (ctx_i, TD' + target)", () => {
    expect(build({})).toEqual([
      ['loglikelihood', 0, 'The cat', ' barked.'],
      ['loglikelihood', 1, 'The dog', ' barked.'],
    ]);
    expect(build({}, { chat: true })).toEqual([
      ['loglikelihood', 0, '<user>The cat<assistant>', 'barked.'],
      ['loglikelihood', 1, '<user>The dog<assistant>', 'barked.'],
    ]);
  });

  it('v0.4.4: (prefix + choice_i, TD + target), chat included', () => {
    expect(build({ profile: '0.4.4' })).toEqual([
      ['loglikelihood', 0, 'The cat', ' barked.'],
      ['loglikelihood', 1, 'The dog', ' barked.'],
    ]);
    expect(build({ profile: '0.4.4' }, { chat: true })).toEqual([
      ['loglikelihood', 0, '<assistant>The cat', ' barked.'],
      ['loglikelihood', 1, '<assistant>The dog', ' barked.'],
    ]);
  });

  it('mutual information also applies (unconditional requests over the choices)', () => {
    expect(build({}, { mutualInfo: true })).toEqual([
      ['loglikelihood', 0, 'The cat', ' barked.'],
      ['loglikelihood', 1, 'The dog', ' barked.'],
      ['loglikelihood', 2, '', ' The cat'],
      ['loglikelihood', 3, '', ' The dog'],
    ]);
    expect(build({ profile: '0.4.4' }, { mutualInfo: true }).slice(2)).toEqual([
      ['loglikelihood', 2, '', 'The cat'],
      ['loglikelihood', 3, '', 'The dog'],
    ]);
  });

  it('the shared continuation is str() of doc_to_target (f-string)', () => {
    expect(build({ docToTarget: () => 7 })[0]).toEqual(['loglikelihood', 0, 'The cat', ' 7']);
  });
});

describe('repeats', () => {
  it('each instance is sent `repeats` times consecutively; resps has `repeats` entries', async () => {
    const lm = new EchoLM();
    const task = makeEvalTask({
      view: makeView({ outputType: 'generate_until' }),
      evalDocs: [{ q: 'a' }, { q: 'b' }],
      repeats: 3,
    });
    const options: EvaluatorOptions = {
      applyChatTemplate: false,
      fewshotAsMultiturn: false,
      fewshotSeed: 1234,
      bootstrapIters: 0,
      logSamples: true,
    };
    const [out] = await evaluateTasks([task], lm, options);
    expect(lm.sent.map((s) => s.args[0])).toEqual([
      'Question: a\nAnswer:',
      'Question: a\nAnswer:',
      'Question: a\nAnswer:',
      'Question: b\nAnswer:',
      'Question: b\nAnswer:',
      'Question: b\nAnswer:',
    ]);
    const resps = out.samples.map((s) => s.resps);
    expect(resps).toEqual([[['gen0', 'gen1', 'gen2']], [['gen3', 'gen4', 'gen5']]]);
  });
});

describe('multiple-input + acc_mutual_info end to end (lm_eval/evaluator.py `evaluate`, `ConfigurableTask.process_results`)', () => {
  it('requests, idx order and scoring (gold = doc_to_text) line up', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mi-e2e-'));
    const docs = [
      { option1: 'The cat', option2: 'The dog', label: '1', cont: 'barked.' },
      { option1: 'Ann', option2: 'Bob', label: '0', cont: 'won.' },
    ];
    writeFileSync(path.join(dir, 'test.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    writeFileSync(
      path.join(dir, 'wino.yaml'),
      [
        'task: wino_like',
        'dataset_path: json',
        `dataset_kwargs: {data_files: {test: ${JSON.stringify(path.join(dir, 'test.jsonl'))}}}`,
        'test_split: test',
        'output_type: multiple_choice',
        'doc_to_text: "{{label}}"',
        'doc_to_choice: "{{[option1, option2]}}"',
        'doc_to_target: "{{cont}}"',
        'metric_list: [{metric: acc}, {metric: acc_mutual_info}]',
      ].join('\n') + '\n',
    );
    for (const profile of ['latest', '0.4.4'] as const) {
      const out = await runEvaluation({ model: 'dummy', tasks: ['wino_like'], includePath: [dir], logSamples: true, cwd: dir, profile });
      const samples = out.samples.wino_like;
      samples.forEach((s, d) => {
        const doc = docs[d];
        const choices = [doc.option1, doc.option2];
        const a = s.arguments as Record<string, Record<string, unknown>>;
        const uncond = (c: string) => (profile === 'latest' ? ' ' + c : c);
        expect(Object.values(a).map((g) => [g.arg_0, g.arg_1])).toEqual([
          [choices[0], ' ' + doc.cont],
          [choices[1], ' ' + doc.cont],
          ['', uncond(choices[0])],
          ['', uncond(choices[1])],
        ]);
        const gold = Number(doc.label);
        const ll = Object.values(a).map((g) => dummyLoglikelihood(String(g.arg_0), String(g.arg_1))[0]);
        const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
        // latest: conditional = first k, unconditional = last k; v0.4.4: even / odd (its bug)
        const [lls, llu] = profile === 'latest' ? [ll.slice(0, 2), ll.slice(2)] : [[ll[0], ll[2]], [ll[1], ll[3]]];
        expect(Number(pyStr(s.acc))).toBe(argmax(lls) === gold ? 1 : 0);
        expect(Number(pyStr(s.acc_mutual_info))).toBe(argmax(lls.map((x, i) => x - llu[i])) === gold ? 1 : 0);
      });
    }
  });
});
