import { describe, expect, it } from 'vitest';
import type { LM } from '../model/types.ts';
import { PyFloat } from '../python/values.ts';
import type { ResolvedEnvironment } from './environment.ts';
import type { TaskOutcome } from './evaluator.ts';
import { assembleResults } from './results.ts';
import { describeRun, modelNames } from './run-info.ts';

const lm = { name: 'my-lm', configInfo: () => ({ batch_sizes: [8] }) } as unknown as LM;
const environment: ResolvedEnvironment = { transformersVersion: '3.0.0', lmEvalVersion: '9.9.9', gitHash: 'abc', upperGitHash: null, prettyEnvInfo: 'host', defaultDevice: 'cuda:0' };
const clock = { startedMs: 1_700_000_000_000, startPerf: 5 };
const chat = { applyChat: false, fewshotAsMultiturn: false };
const facts = { lm, modelArgs: { pretrained: 'org/m', api_key: 'sk-1' }, chat, logSamples: false, names: { modelName: 'org/m', modelNameSanitized: 'org__m' }, environment, clock };

describe('describeRun', () => {
  it('[latest] redacted model args, the default device when none is named, seeds and bootstrap defaults', () => {
    const info = describeRun({ model: 'hf', tasks: [] }, { ...facts, profile: 'latest' });
    expect(info).toMatchObject({
      model: 'hf',
      modelArgs: { pretrained: 'org/m', api_key: '<redacted>' },
      batchSize: 1,
      batchSizes: [8],
      device: 'cuda:0',
      genKwargs: {},
      bootstrapIters: 100000,
      seeds: { random: 0, numpy: 1234, torch: 1234, fewshot: 1234 },
      fewshotAsMultiturn: null,
      chatTemplate: null,
      judgeModel: null,
      date: 1_700_000_000,
      startTime: 5,
      modelName: 'org/m',
      modelNameSanitized: 'org__m',
    });
  });

  it('[v0.4.4] model args as typed, no device, judge args without secrets', () => {
    const info = describeRun({ model: 'hf', tasks: [], modelArgsRaw: 'pretrained=org/m', judgeModel: { backend: 'local-chat-completions', args: { model: 'j', api_key: 'k' } } }, { ...facts, profile: '0.4.4' });
    expect(info).toMatchObject({ modelArgs: 'pretrained=org/m', device: null, genKwargs: null, fewshotAsMultiturn: false, judgeModel: { backend: 'local-chat-completions', model_args: { model: 'j' } } });
  });
});

describe('modelNames', () => {
  it('an LM object is named by itself; a backend by its pretrained/model argument', () => {
    expect(modelNames({ model: lm }, 'latest', {}, lm)).toEqual({ modelName: 'my-lm', modelNameSanitized: 'my-lm' });
    expect(modelNames({ model: 'hf' }, 'latest', { pretrained: 'org/m' }, lm).modelNameSanitized).toBe('org__m');
  });
});

describe('assembleResults', () => {
  const outcome = {
    task: { name: 't', configDump: { task: 't' }, version: 1, nShot: 0, higherIsBetter: { acc: true }, evalDocs: [{}, {}] },
    metrics: [['acc,none', 0.5]],
    sampleLen: 2,
    effective: 2,
    samples: [],
    answerSummary: { 'acc,none': { per_repeat: [0.5], none: 0, scored: 2 } },
  } as unknown as TaskOutcome;
  it('records the environment facts, the judge model in config and answer metrics last', () => {
    const info = describeRun({ model: 'hf', tasks: [], judgeModel: { backend: 'b', args: {} } }, { ...facts, profile: 'latest' });
    const r = assembleResults([outcome], [], info);
    expect(r.pretty_env_info).toBe('host');
    expect(r.transformers_version).toBe('3.0.0');
    expect(r.lm_eval_version).toBe('9.9.9');
    expect(r.git_hash).toBe('abc');
    expect(r.date).toEqual(new PyFloat(1_700_000_000));
    const config = r.config as Record<string, unknown>;
    expect(Object.keys(config).slice(-2)).toEqual(['fewshot_seed', 'judge_model']);
    expect(config.judge_model).toEqual({ backend: 'b', model_args: {} });
    expect(Object.keys(r).slice(-2)).toEqual(['total_evaluation_time_seconds', 'answer_metrics']);
    expect(r.answer_metrics).toEqual({ t: outcome.answerSummary });
  });
  it('without answer metrics or a judge, neither key appears', () => {
    const r = assembleResults([{ ...outcome, answerSummary: undefined }], [], describeRun({ model: 'hf', tasks: [] }, { ...facts, profile: 'latest' }));
    expect('answer_metrics' in r).toBe(false);
    expect('judge_model' in (r.config as object)).toBe(false);
  });
});
