import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Profile } from '../compat.ts';
import { PyFloat, PyTuple, pyRepr, tuple } from '../python/values.ts';
import type { OutputType } from '../task/config.ts';
import { keywordMetric, resolveMetricList, type MetricSpec } from './metrics/registry.ts';
import { builtinProcessResults, type ProcessResultsContext } from './process-results.ts';
import { stderrOf } from './stderr.ts';

function ctx(
  outputType: OutputType,
  metricList: MetricSpec[] | null,
  rest: Partial<ProcessResultsContext> & { profile?: Profile } = {},
): ProcessResultsContext {
  const profile = rest.profile ?? 'latest';
  const { metrics } = resolveMetricList({ task: 't', outputType, metricList, customProcessResults: false, profile });
  return { task: 't', outputType, metrics, profile, target: undefined, ...rest };
}
const ll = (x: number, g: boolean) => tuple<unknown>(x, g);

describe('loglikelihood / loglikelihood_rolling', () => {
  it('loglikelihood: perplexity = ll, acc = int(is_greedy) (an int)', () => {
    const r = builtinProcessResults(ctx('loglikelihood', null), [ll(-1.25, true)]);
    expect(Object.keys(r)).toEqual(['perplexity', 'acc']);
    expect(r).toEqual({ perplexity: -1.25, acc: 1 });
    expect(r.acc).not.toBeInstanceOf(PyFloat);
    expect(builtinProcessResults(ctx('loglikelihood', [{ metric: 'acc' }]), [ll(-1, false)])).toEqual({ acc: 0 });
  });
  it('rolling: (ll, words) with re.split(r"\\s+") counting empty ends, (ll, utf-8 bytes)', () => {
    const r = builtinProcessResults(ctx('loglikelihood_rolling', null, { target: ' Да нет\n' }), [-3.5]);
    expect(Object.keys(r)).toEqual(['word_perplexity', 'byte_perplexity', 'bits_per_byte']);
    expect(r.word_perplexity).toEqual(tuple<unknown>(-3.5, 4)); // ['', 'Да', 'нет', '']
    expect(r.byte_perplexity).toEqual(tuple<unknown>(-3.5, 13)); // 1 + 4 + 1 + 6 + 1
    expect(r.word_perplexity).toBeInstanceOf(PyTuple);
  });
});

describe('multiple_choice', () => {
  const choices = ['a', 'bbbb', 'cc'];
  const res = [ll(-2, false), ll(-4, true), ll(-3, false)];
  it('acc (argmax), acc_norm (per code point), acc_bytes (per UTF-8 byte); floats are PyFloat', () => {
    const c = ctx('multiple_choice', [{ metric: 'acc' }, { metric: 'acc_norm' }, { metric: 'acc_bytes' }], { choices, target: 1 });
    const r = builtinProcessResults(c, res);
    // lls/len: -2, -1, -1.5 → acc_norm picks 1; argmax(lls) = 0
    expect(r).toEqual({ acc: new PyFloat(0), acc_norm: new PyFloat(1), acc_bytes: new PyFloat(1) });
    expect(r.acc).toBeInstanceOf(PyFloat);
  });
  it('acc_norm counts code points, not UTF-16 units; acc_bytes counts bytes', () => {
    // "😀" is 1 code point / 2 UTF-16 units / 4 bytes; "ab" is 2 / 2 / 2
    const c = ctx('multiple_choice', [{ metric: 'acc_norm' }, { metric: 'acc_bytes' }], { choices: ['😀', 'ab'], target: 0 });
    // lls/charlen: -3/1 = -3 vs -4/2 = -2 → 1; lls/bytes: -3/4 vs -4/2 → 0
    expect(builtinProcessResults(c, [ll(-3, false), ll(-4, false)])).toEqual({ acc_norm: new PyFloat(0), acc_bytes: new PyFloat(1) });
  });
  it('argmax takes the first maximum', () => {
    const c = ctx('multiple_choice', [{ metric: 'acc' }], { choices: ['x', 'y'], target: 0 });
    expect(builtinProcessResults(c, [ll(-1, false), ll(-1, false)]).acc).toEqual(new PyFloat(1));
  });
  it('resolves the gold: str → index, out of range → -100 (scores 0, warns)', () => {
    const warnings: string[] = [];
    const mk = (target: unknown) => ctx('multiple_choice', [{ metric: 'acc' }, { metric: 'exact_match' }], { choices, target, onWarning: (w) => warnings.push(w) });
    expect(builtinProcessResults(mk('bbbb'), res)).toEqual({ acc: new PyFloat(0), exact_match: 1 });
    expect(builtinProcessResults(mk('a'), res)).toEqual({ acc: new PyFloat(1), exact_match: 0 });
    expect(warnings).toEqual([]);
    expect(builtinProcessResults(mk(7), res)).toEqual({ acc: new PyFloat(0), exact_match: 0 });
    expect(builtinProcessResults(mk('zzz'), res)).toEqual({ acc: new PyFloat(0), exact_match: 0 });
    expect(warnings).toHaveLength(2);
  });
  it('multiple gold (list): membership tests and any(greedy)', () => {
    const c = ctx('multiple_choice', [{ metric: 'acc' }, { metric: 'acc_norm' }, { metric: 'exact_match' }], { choices, target: [1, 2], multipleTarget: true });
    expect(builtinProcessResults(c, res)).toEqual({ acc: new PyFloat(0), acc_norm: new PyFloat(1), exact_match: 1 });
  });
  it('f1/mcc/brier_score/likelihood values and Python key order', () => {
    const c = ctx(
      'multiple_choice',
      [{ metric: 'likelihood', aggregation: 'mean' }, { metric: 'brier_score' }, { metric: 'mcc' }, { metric: 'acc_norm' }, { metric: 'f1' }, { metric: 'acc' }],
      { choices: ['p', 'q', 'r', 's'], target: 2 },
    );
    const lls = [-1.5, -2.25, -0.75, -3.0];
    const r = builtinProcessResults(c, lls.map((x) => ll(x, false)));
    expect(Object.keys(r)).toEqual(['acc', 'f1', 'mcc', 'acc_norm', 'brier_score', 'likelihood']);
    expect(r.f1).toEqual(tuple<unknown>(2, 2));
    expect(r.mcc).toEqual(tuple<unknown>(2, 2));
    expect(r.likelihood).toEqual(tuple<unknown>(2, PyTuple.from(lls)));
    // softmax with NumPy's exp/sum (CPython + NumPy reference)
    expect((r.brier_score as unknown[])[1]).toEqual([0.2622953069734415, 0.12389952995519078, 0.5552791692202023, 0.05852599385116556]);
    // [v0.4.4] neither likelihood nor acc_bytes exist
    const c4 = ctx('multiple_choice', [{ metric: 'acc' }, { metric: 'brier_score' }], { choices: ['p', 'q'], target: 0, profile: '0.4.4' });
    expect(Object.keys(builtinProcessResults(c4, [ll(-1, true), ll(-2, false)]))).toEqual(['acc', 'brier_score']);
  });
  it('acc_mutual_info: [latest] first k / last k, [v0.4.4] even / odd positions', () => {
    // conditional lls then unconditional lls (the request layout)
    const r = [ll(-1, false), ll(-2, false), ll(-3, false), ll(-1, false)];
    const mk = (profile: Profile) => ctx('multiple_choice', [{ metric: 'acc' }, { metric: 'acc_mutual_info' }], { choices: ['x', 'y'], target: 1, profile });
    // latest: lls [-1,-2], llu [-3,-1] → mi [2,-1] → 0 ≠ 1; acc: argmax [-1,-2] = 0
    expect(builtinProcessResults(mk('latest'), r)).toEqual({ acc: new PyFloat(0), acc_mutual_info: new PyFloat(0) });
    // v0.4.4: lls [-1,-3], llu [-2,-1] → mi [1,-2] → 0; acc on [-1,-3] → 0
    expect(builtinProcessResults(mk('0.4.4'), r)).toEqual({ acc: new PyFloat(0), acc_mutual_info: new PyFloat(0) });
    const r2 = [ll(-1, false), ll(-2, false), ll(-0.5, false), ll(-3, false)];
    // latest: mi = [-1+0.5, -2+3] = [-0.5, 1] → 1 = gold; v0.4.4: lls [-1,-0.5] llu [-2,-3] → mi [1, 2.5] → 1
    expect(builtinProcessResults(mk('latest'), r2).acc_mutual_info).toEqual(new PyFloat(1));
    expect(builtinProcessResults(mk('0.4.4'), r2)).toEqual({ acc: new PyFloat(1), acc_mutual_info: new PyFloat(1) });
  });
  it('bypass produces no keys', () => {
    const c = ctx('multiple_choice', [{ metric: 'bypass' }], { choices, target: 0 });
    expect(builtinProcessResults(c, res)).toEqual({});
  });
});

describe('generate_until', () => {
  it('casts the gold to the response type (str(int))', () => {
    const c = ctx('generate_until', null, { target: 42 });
    expect(builtinProcessResults(c, ['42'])).toEqual({ exact_match: new PyFloat(1) });
  });
  it('maps an index through doc_to_choice', () => {
    const c = ctx('generate_until', null, { target: 1, choices: ['Да', 'Нет'] });
    expect(builtinProcessResults(c, ['Нет'])).toEqual({ exact_match: new PyFloat(1) });
    expect(builtinProcessResults({ ...c, target: -1 }, ['Нет'])).toEqual({ exact_match: new PyFloat(1) });
  });
  it('passes metric kwargs; pass-through metrics get [gold, result]', () => {
    const c = ctx('generate_until', [{ metric: 'exact_match', ignore_case: true }, { metric: 'bleu' }, { metric: 'bypass' }], { target: 'Paris' });
    expect(builtinProcessResults(c, ['paris'])).toEqual({ exact_match: new PyFloat(1), bleu: ['Paris', 'paris'], bypass: null });
  });
  it('multiple targets: exact_match = 1.0 if any matches; others: any truthy', () => {
    const c = ctx('generate_until', [{ metric: 'exact_match' }, { metric: 'bleu' }], { target: ['A', 'B'], multipleTarget: true });
    expect(builtinProcessResults(c, ['B'])).toEqual({ exact_match: new PyFloat(1), bleu: new PyFloat(1) });
    expect(builtinProcessResults(c, ['C']).exact_match).toEqual(new PyFloat(0));
  });
  it('[latest] no cast when the list has bypass or the response is a list; [v0.4.4] casts', () => {
    const lat = ctx('generate_until', [{ metric: 'bypass' }], { target: 3 });
    expect(builtinProcessResults(lat, ['x'])).toEqual({ bypass: null });
    function echo(items: unknown) {
      return items;
    }
    const c44 = ctx('generate_until', [{ metric: echo, aggregation: 'mean' }], { target: 'ab', profile: '0.4.4' });
    expect(builtinProcessResults(c44, [['x']])).toEqual({ echo: [['a', 'b'], ['x']] }); // list('ab')
    const cl = ctx('generate_until', [{ metric: echo, aggregation: 'mean' }], { target: 'ab' });
    expect(builtinProcessResults(cl, [['x']])).toEqual({ echo: ['ab', ['x']] });
  });
  it('dict-returning metrics: [latest] every key, [v0.4.4] dict[metric]', () => {
    const kwScores = keywordMetric(function scores(args) {
      return { scores: args.predictions[0] === args.references[0] ? 1 : 0, other: 5 };
    });
    const spec = [{ metric: kwScores, aggregation: 'mean' }];
    expect(builtinProcessResults(ctx('generate_until', spec, { target: 'a' }), ['a'])).toEqual({ scores: 1, other: 5 });
    expect(builtinProcessResults(ctx('generate_until', spec, { target: 'a', profile: '0.4.4' }), ['a'])).toEqual({ scores: 1 });
  });
});

// --------------------------------------------------------------------------------------------
// Conformance with the Python harness' per-doc values and aggregated results (oracle fixtures)

const ORACLE = fileURLToPath(new URL('../../test/fixtures/oracle/', import.meta.url));
type Sample = Record<string, any>;
function load(task: string, setting: string): { samples: Sample[]; results: Record<string, any>; config: Record<string, any>; profile: Profile } {
  const dir = `${ORACLE}${task}/lmeval_out_${setting}/`;
  const files = readdirSync(dir);
  const results = JSON.parse(readFileSync(dir + files.find((f) => f.startsWith('results_'))!, 'utf8'));
  const samples = readFileSync(dir + files.find((f) => f.startsWith('samples_'))!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const meta = JSON.parse(readFileSync(`${ORACLE}${task}/meta.json`, 'utf8'));
  return { samples, results: results.results[task], config: results.configs[task], profile: meta.flavor === 'mera' ? '0.4.4' : 'latest' };
}

/**
 * The gold as lm-eval's doc_to_target gives it: a column's raw value, or a rendered template
 * (logged as the sample's `target`), a digit string becoming an int.
 */
function goldOf(config: Record<string, any>, s: Sample): unknown {
  const t: string = config.doc_to_target;
  if (t in s.doc) return s.doc[t];
  return /^\d+$/.test(s.target) ? parseInt(s.target, 10) : s.target;
}

function checkAggregates(task: string, setting: string, raw: Map<string, unknown[]>, metrics: ReturnType<typeof resolveMetricList>['metrics'], results: Record<string, any>) {
  for (const [key, items] of raw) {
    const [metric, filter] = key.split(',');
    const m = metrics.find((x) => x.name === metric)!;
    const value = m.aggregation.aggregate(items);
    const stderr = stderrOf(m.aggregation, metric, items, 100000);
    const num = (x: unknown) => (x instanceof PyFloat ? x.value : x);
    expect(num(value), `${task}/${setting} ${key}`).toBe(results[key]);
    expect(num(stderr), `${task}/${setting} ${metric}_stderr,${filter}`).toBe(results[`${metric}_stderr,${filter}`]);
  }
}

describe('oracle fixtures: per-doc metrics and aggregates', () => {
  const settings = ['zeroshot', 'fewshot', 'sysinst'];
  for (const task of ['arc_easy', 'hellaswag', 'mmlu_abstract_algebra', 'parus']) {
    for (const setting of settings) {
      it(`${task} ${setting} (multiple_choice)`, () => {
        const { samples, results, config, profile } = load(task, setting);
        const { metrics } = resolveMetricList({ task, outputType: 'multiple_choice', metricList: config.metric_list, customProcessResults: false, profile });
        const raw = new Map<string, unknown[]>();
        for (const s of samples) {
          const args = Object.values(s.arguments) as Array<{ arg_1: string }>;
          const choices = args.map((a) => a.arg_1.slice(config.target_delimiter.length));
          const resps = (s.filtered_resps as string[][]).map(([l, g]) => tuple<unknown>(parseFloat(l), g === 'True'));
          const out = builtinProcessResults({ task, outputType: 'multiple_choice', metrics, profile, choices, target: goldOf(config, s) }, resps);
          for (const [k, v] of Object.entries(out)) {
            expect(pyRepr(v), `${task} doc ${s.doc_id} ${k}`).toBe(pyRepr(s[k]).replace(/^(\d+)$/, '$1.0'));
            const key = `${k},${s.filter ?? config.filter_list?.[0]?.name ?? 'none'}`;
            if (!raw.has(key)) raw.set(key, []);
            raw.get(key)!.push(v);
          }
        }
        checkAggregates(task, setting, raw, metrics, results);
      });
    }
  }
  for (const task of ['gsm8k', 'simplear']) {
    for (const setting of settings) {
      it(`${task} ${setting} (generate_until, exact_match kwargs)`, () => {
        const { samples, results, config, profile } = load(task, setting);
        const { metrics } = resolveMetricList({ task, outputType: 'generate_until', metricList: config.metric_list, customProcessResults: false, profile });
        const raw = new Map<string, unknown[]>();
        for (const s of samples) {
          const out = builtinProcessResults({ task, outputType: 'generate_until', metrics, profile, target: goldOf(config, s) }, s.filtered_resps);
          expect(out.exact_match, `${task} doc ${s.doc_id}`).toEqual(new PyFloat(s.exact_match));
          const key = `exact_match,${s.filter ?? config.filter_list?.[0]?.name ?? 'none'}`;
          if (!raw.has(key)) raw.set(key, []);
          raw.get(key)!.push(out.exact_match);
        }
        checkAggregates(task, setting, raw, metrics, results);
      });
    }
  }
  it('wikitext (rolling; its process_results counts words/bytes on the raw page)', () => {
    const { samples, results, config } = load('wikitext', 'zeroshot');
    const { metrics } = resolveMetricList({ task: 'wikitext', outputType: 'loglikelihood_rolling', metricList: config.metric_list, customProcessResults: false, profile: 'latest' });
    const raw = new Map<string, unknown[]>();
    for (const s of samples) {
      const out = builtinProcessResults({ outputType: 'loglikelihood_rolling', metrics, profile: 'latest', target: s.doc.page }, [parseFloat(s.filtered_resps[0])]);
      for (const [k, v] of Object.entries(out)) {
        expect(v).toEqual(s[k]);
        const key = `${k},none`;
        if (!raw.has(key)) raw.set(key, []);
        raw.get(key)!.push(v);
      }
    }
    checkAggregates('wikitext', 'zeroshot', raw, metrics, results);
  });
});
