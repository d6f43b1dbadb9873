import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerModel } from '../../model/registry.ts';
import { runEvaluation, type EvaluationRequest } from '../run-evaluation.ts';
import { ScriptedAnswerer, ScriptedJudge, scriptedVerdict } from '../../testing/scripted-judge.ts';
import { parseReply, parserSpecOf } from './judge-parsers.ts';

let dir: string;
let judge: ScriptedJudge;

const DOCS = [
  { query: 'Capital of France? ASK:1', output_true: 'Paris' },
  { query: 'Two plus two? ASK:7', output_true: '4' },
  { query: 'Broken judge? ASK:banana', output_true: 'x' },
];

function taskYaml(name: string, metricList: string, extra = '', temperature = 0.5): string {
  return `task: ${name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: ${JSON.stringify(path.join(dir, 'questions.jsonl'))}
test_split: test
output_type: generate_until
doc_to_text: "{{query}}"
doc_to_target: "{{output_true}}"
generation_kwargs:
  until: []
  max_gen_toks: 32
  temperature: ${temperature}
${extra}metric_list:
${metricList}
`;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'answers-'));
  writeFileSync(path.join(dir, 'questions.jsonl'), DOCS.map((d) => JSON.stringify(d)).join('\n') + '\n');
  writeFileSync(
    path.join(dir, 'builtin.yaml'),
    taskYaml(
      'answers_builtin',
      ['judge_exactness', 'judge_notator', 'judge_precision', 'judge_relevant', 'answer_relevancy', 'output_length', 'generation_time', 'reasoning_length']
        .map((m) => `  - metric: ${m}`)
        .join('\n'),
      'repeats: 2\nmetadata:\n  repeat_seed: 10\n',
    ),
  );
  writeFileSync(
    path.join(dir, 'custom.yaml'),
    taskYaml(
      'answers_custom',
      `  - metric: parity_judge
    judge_template: "Answer: {{ output }} (reference {{ output_true }}) JUDGE:parity"
    judge_parser: binary
  - metric: json_judge
    judge_template: "{{ output }} JUDGE:{\\"verdict\\":{{ doc.output_true | length }}}"
    judge_parser: {type: json, key: verdict}
    higher_is_better: false`,
      'repeats: 2\nmetadata:\n  repeat_seed: 10\n',
    ),
  );
  writeFileSync(path.join(dir, 'greedy.yaml'), taskYaml('answers_greedy', '  - metric: output_length', 'repeats: 2\nmetadata:\n  repeat_seed: 10\n', 0));
  judge = new ScriptedJudge();
  registerModel('scripted-judge', () => judge);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function request(tasks: string[], extra: Partial<EvaluationRequest> = {}): EvaluationRequest {
  return {
    model: new ScriptedAnswerer(),
    tasks,
    includePath: [dir],
    cwd: dir,
    logSamples: true,
    judgeModel: { backend: 'scripted-judge', args: {} },
    ...extra,
  };
}

/** a results value as a number (results hold Python floats as PyFloat) */
const val = (results: Record<string, any>, task: string, key: string) => {
  const v = results.results[task][`${key},none`];
  return v !== null && typeof v === 'object' ? Number(v.value) : v;
};

describe('judge reply parsers', () => {
  it('binary takes the last standalone number and wants 0 or 1', () => {
    const b = parserSpecOf('binary', 'x');
    expect(parseReply('The answer matches. 1', b)).toBe(1);
    expect(parseReply('Score: 0.', b)).toBe(0);
    expect(parseReply('1 then 0', b)).toBe(0);
    expect(parseReply('7', b)).toBeNull();
    expect(parseReply('yes', b)).toBeNull();
  });
  it('number respects bounds and skips denominators', () => {
    const n = parserSpecOf({ type: 'number', min: 1, max: 10 }, 'x');
    expect(parseReply('I give it 8/10', n)).toBe(8);
    expect(parseReply('7.5', n)).toBe(7.5);
    expect(parseReply('11', n)).toBeNull();
    expect(parseReply('none', n)).toBeNull();
  });
  it('json reads a key of the last object', () => {
    const j = parserSpecOf({ type: 'json', key: 'score' }, 'x');
    expect(parseReply('thinking {"a": 1} then {"score": 3}', j)).toBe(3);
    expect(parseReply('{"score": true}', j)).toBe(1);
    expect(parseReply('{"score": "high"}', j)).toBeNull();
    expect(parseReply('{score: 3}', j)).toBeNull();
  });
  it('rejects an unknown parser with the field named', () => {
    let error: any;
    try {
      parserSpecOf('regex', 'metric_list[0].judge_parser');
    } catch (e) {
      error = e;
    }
    expect(error.message).toMatch(/metric_list\[0\]\.judge_parser: "regex" is not a judge reply parser/);
    expect(error.hint).toMatch(/binary, json, number/);
  });
});

describe('answer metrics through runEvaluation', () => {
  it('scores every built-in metric on every repeat; unparseable replies are None and counted', async () => {
    judge.prompts.length = 0;
    const out = await runEvaluation(request(['answers_builtin']));
    const r = out.results as Record<string, any>;
    // doc0 → "1", doc1 → "7", doc2 → "banana" (for every judge, both repeats)
    expect(val(r, 'answers_builtin', 'judge_exactness')).toBe(1);
    expect(val(r, 'answers_builtin', 'judge_precision')).toBe(1);
    expect(val(r, 'answers_builtin', 'judge_relevant')).toBe(1);
    expect(val(r, 'answers_builtin', 'answer_relevancy')).toBe(1);
    expect(val(r, 'answers_builtin', 'judge_notator')).toBe(4); // (1 + 7) / 2; banana left out
    expect(Number(r.results.answers_builtin['judge_notator_stderr,none'].value ?? r.results.answers_builtin['judge_notator_stderr,none'])).toBeCloseTo(3, 12);
    expect(val(r, 'answers_builtin', 'generation_time')).toBe(0.25);
    // completion tokens = words of "<query with JUDGE:> #<seed>"
    expect(val(r, 'answers_builtin', 'output_length')).toBeCloseTo((5 + 5 + 4) / 3, 12);
    const chars = DOCS.map((d) => `${d.query.replace('ASK:', 'JUDGE:')} #10`.length);
    expect(val(r, 'answers_builtin', 'output_length_chars')).toBeCloseTo(chars.reduce((a, b) => a + b, 0) / 3, 12);
    const reasoning = DOCS.map((d) => `thinking: ${d.query}`.length);
    expect(val(r, 'answers_builtin', 'reasoning_length')).toBeCloseTo(reasoning.reduce((a, b) => a + b, 0) / 3, 12);

    const summary = r.answer_metrics.answers_builtin;
    expect(summary.judge_exactness).toMatchObject({ per_repeat: [1, 1], none: 4, scored: 2 });
    expect(summary.judge_notator).toMatchObject({ per_repeat: [4, 4], none: 2, scored: 4 });
    expect(summary.judge_exactness.judge).toMatchObject({ metric: 'judge_exactness', backend: 'scripted-judge', parser: { type: 'binary' } });
    expect(summary.judge_exactness.judge.template_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(summary.generation_time).toMatchObject({ per_repeat: [0.25, 0.25], none: 0, scored: 6 });
    expect(r.higher_is_better.answers_builtin).toMatchObject({ judge_exactness: true, generation_time: false, output_length: null });

    // 5 judges × 3 docs × 2 repeats, each prompt holding the answer it grades
    expect(judge.prompts).toHaveLength(30);
    const samples = out.samples.answers_builtin;
    expect(samples).toHaveLength(3);
    const s1 = samples[1] as Record<string, any>;
    expect(s1.resps).toEqual([['Two plus two? JUDGE:7 #10', 'Two plus two? JUDGE:7 #11']]);
    expect(s1.generations[1]).toEqual({
      output: 'Two plus two? JUDGE:7 #11',
      reasoning: 'thinking: Two plus two? ASK:7',
      finish_reason: 'stop',
      prompt_tokens: 4,
      completion_tokens: 5,
      latency_s: 0.25,
    });
    expect(s1.judgements.judge_exactness).toEqual([
      { raw: '7', reasoning: 'judged 7', score: null },
      { raw: '7', reasoning: 'judged 7', score: null },
    ]);
    expect(s1.judge_exactness).toBeNull();
    expect(s1.judge_notator).toBe(7);
    expect(s1.answer_scores.judge_notator).toEqual([7, 7]);
    const s2 = samples[2] as Record<string, any>;
    expect(s2.judgements.judge_notator[0]).toEqual({ raw: 'banana', reasoning: 'judged banana', score: null });
  });

  it('runs custom judge templates and parsers; repeats get distinct seeds', async () => {
    judge.prompts.length = 0;
    const out = await runEvaluation(request(['answers_custom']));
    const r = out.results as Record<string, any>;
    // seeds 10 and 11: parity 0 then 1, for every doc
    expect(r.answer_metrics.answers_custom.parity_judge).toMatchObject({ per_repeat: [0, 1], none: 0, scored: 6 });
    expect(val(r, 'answers_custom', 'parity_judge')).toBe(0.5);
    // {"verdict": len(output_true)} — 5, 1, 1
    expect(val(r, 'answers_custom', 'json_judge')).toBeCloseTo(7 / 3, 12);
    expect(r.higher_is_better.answers_custom.json_judge).toBe(false);
    expect(judge.prompts[0]).toBe('Answer: Capital of France? JUDGE:1 #10 (reference Paris) JUDGE:parity');
    expect(scriptedVerdict(judge.prompts[1])).toBe('1');
  });

  it('greedy repeats are sent without seeds (repeat_seed applies when sampling)', async () => {
    const out = await runEvaluation(request(['answers_greedy']));
    expect((out.samples.answers_greedy[0] as any).resps).toEqual([['Capital of France? JUDGE:1 #0', 'Capital of France? JUDGE:1 #0']]);
  });

  it('a judge metric without a judge model fails with one clear message', async () => {
    await expect(runEvaluation(request(['answers_custom'], { judgeModel: null }))).rejects.toThrow(/parity_judge' has no judge model/);
  });

  it('answers come from the response cache; a changed judge template re-judges', async () => {
    const cache = path.join(dir, 'cache', 'run');
    judge.prompts.length = 0;
    await runEvaluation(request(['answers_custom'], { useCache: cache }));
    expect(judge.prompts).toHaveLength(12);
    judge.prompts.length = 0;
    const again = await runEvaluation(request(['answers_custom'], { useCache: cache }));
    expect(judge.prompts).toHaveLength(0);
    // details come back from the cache with the answers
    expect((again.samples.answers_custom[0] as any).generations[0].latency_s).toBe(0.25);
    const yaml = path.join(dir, 'custom.yaml');
    const { readFileSync } = await import('node:fs');
    const original = readFileSync(yaml, 'utf8');
    try {
      writeFileSync(yaml, original.replace('JUDGE:parity"', 'JUDGE:parity."'));
      judge.prompts.length = 0;
      await runEvaluation(request(['answers_custom'], { useCache: cache }));
      expect(judge.prompts).toHaveLength(6); // parity_judge only
    } finally {
      writeFileSync(yaml, original);
    }
  });
});
