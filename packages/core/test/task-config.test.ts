import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../src/errors.ts';
import { PyFloat, pyStr } from '../src/python/values.ts';
import { buildTaskConfig, normaliseGenerationKwargs, TASK_FIELDS, validateTaskConfig } from '../src/task/config.ts';
import { FunctionRef, parseYaml } from '../src/task/yaml.ts';

const y = (text: string) => parseYaml(text, { file: '/t/x.yaml' }) as Record<string, unknown>;
const build = (text: string, profile: '0.4.4' | 'latest') => buildTaskConfig(y(text), { profile, source: '/t/x.yaml' });

describe('TaskConfig build', () => {
  it('fills defaults in dataclass field order (latest)', () => {
    const c = build('task: t\noutput_type: multiple_choice\ndoc_to_text: q', 'latest');
    expect(Object.keys(c)).toEqual(TASK_FIELDS.latest);
    expect(c.description).toBe('');
    expect(c.target_delimiter).toBe(' ');
    expect(c.fewshot_delimiter).toBe('\n\n');
    expect(c.repeats).toBe(1);
    expect(c.should_decontaminate).toBe(false);
    expect(c.unsafe_code).toBe(false);
    expect(c.generation_kwargs).toBeNull();
    expect(c.num_fewshot).toBeNull();
  });

  it('0.4.4 order includes the MERA fork keys and no unsafe_code', () => {
    const c = build('task: t\ncontext_based: true\nrequest_updater: !function utils._update_request', '0.4.4');
    expect(Object.keys(c)).toEqual(TASK_FIELDS['0.4.4']);
    expect(c.context_based).toBe(true);
    expect(c.request_updater).toBeInstanceOf(FunctionRef);
    expect('unsafe_code' in c).toBe(false);
  });

  it('generation_kwargs defaults per profile (key order matters)', () => {
    const latest = build('task: t', 'latest').generation_kwargs!;
    expect(Object.keys(latest)).toEqual(['temperature', 'do_sample', 'max_gen_toks', 'until']);
    expect(pyStr(latest)).toBe("{'temperature': 0.0, 'do_sample': False, 'max_gen_toks': 256, 'until': ['\\n\\n']}");
    const old = build('task: t\nfewshot_delimiter: "\\n"', '0.4.4').generation_kwargs!;
    expect(pyStr(old)).toBe("{'until': ['\\n'], 'do_sample': False}");
  });

  it('given generation_kwargs: temperature -> float, until appended when missing, order kept', () => {
    const g = build('task: t\ngeneration_kwargs:\n  do_sample: false\n  temperature: 0\n', 'latest').generation_kwargs!;
    expect(pyStr(g)).toBe("{'do_sample': False, 'temperature': 0.0, 'until': ['\\n\\n']}");
    const g2 = build('task: t\ngeneration_kwargs: {until: ["\\n"], do_sample: false}', '0.4.4').generation_kwargs!;
    expect(pyStr(g2)).toBe("{'until': ['\\n'], 'do_sample': False}");
    const warnings: string[] = [];
    normaliseGenerationKwargs({ max_gen_toks: 5 }, 'loglikelihood', '\n\n', 'latest', (m) => warnings.push(m));
    expect(warnings[0]).toMatch(/only used by generate_until/);
    expect(normaliseGenerationKwargs(null, 'multiple_choice', '\n\n', 'latest')).toBeNull();
  });

  it('latest fewshot_config = task values overlaid with the YAML dict, in dataclass order', () => {
    const c = build('task: t\nfewshot_split: train\ndoc_to_text: q\ndoc_to_target: a\nfewshot_config:\n  sampler: first_n\n  doc_to_text: fq\n', 'latest');
    expect(c.fewshot_config).toEqual({
      sampler: 'first_n', split: 'train', process_docs: null, fewshot_indices: null, samples: null,
      doc_to_text: 'fq', doc_to_choice: null, doc_to_target: 'a', gen_prefix: null, fewshot_delimiter: '\n\n', target_delimiter: ' ',
    });
  });

  it('0.4.4 fewshot_config keeps extra keys (MERA samplers read them)', () => {
    const c = build('task: t\nfewshot_config:\n  sampler: !function ../custom_samplers.FewshotSampler\n  doc_to_text_without_instruction: "{{x}}"\n  query: "{{q}}"\n', '0.4.4');
    expect(Object.keys(c.fewshot_config!)).toEqual(['sampler', 'doc_to_text_without_instruction', 'query']);
    expect(build('task: t', '0.4.4').fewshot_config).toBeNull();
  });

  it('keeps float metadata as floats', () => {
    const c = build('task: t\nmetadata:\n  version: 1.0', '0.4.4');
    expect(c.metadata!.version).toEqual(new PyFloat(1));
  });
});

describe('TaskConfig validation', () => {
  const err = (text: string, profile: '0.4.4' | 'latest' = 'latest') => {
    try {
      validateTaskConfig(y(text), profile, '/t/x.yaml');
    } catch (e) {
      expect(e).toBeInstanceOf(LmEvalError);
      return e as LmEvalError;
    }
    throw new Error('no error');
  };

  it('output_type must be one of four', () => {
    expect(err('task: t\noutput_type: generate').message).toBe(
      "/t/x.yaml: invalid task config: 'output_type' must be one of loglikelihood, loglikelihood_rolling, multiple_choice, generate_until, got 'generate'",
    );
  });

  it('unknown keys are rejected with a suggestion', () => {
    expect(err('task: t\ndoc_to_txt: q').message).toMatch(/\/t\/x\.yaml: invalid task config: unknown key 'doc_to_txt' \(did you mean 'doc_to_text'\?\)/);
  });

  it('all problems in one message', () => {
    const e = err('task: t\nrepeats: 0\nnum_fewshot: two\nmetric_list: [acc]\nfilter_list: [{name: x, filter: [take_first]}]');
    expect(e.message).toContain("'repeats' must be a positive integer, got 0");
    expect(e.message).toContain("'num_fewshot' must be an integer, got 'two'");
    expect(e.message).toContain("'metric_list[0]' must be a mapping with a 'metric' key, got 'acc'");
    expect(e.message).toContain("'filter_list[0].filter[0]' must be a mapping with a 'function' key");
  });

  it('MERA keys and extra fewshot_config keys: accepted under 0.4.4, rejected with a hint under latest', () => {
    const mera = 'task: t\ncontext_based: true\nfewshot_config:\n  sampler: first_n\n  query: "{{q}}"\n';
    expect(() => validateTaskConfig(y(mera), '0.4.4', '/t/x.yaml')).not.toThrow();
    const e = err(mera, 'latest');
    expect(e.message).toContain("unknown key 'context_based'");
    expect(e.message).toContain("unknown key 'fewshot_config.query'");
    expect(e.hint).toMatch(/\.lm-eval-profile/);
  });

  it('latest-only keys are unknown to 0.4.4', () => {
    expect(err('task: t\ngen_prefix: x', '0.4.4').message).toContain("unknown key 'gen_prefix'");
    expect(() => validateTaskConfig(y('task: t\ngen_prefix: x\nunsafe_code: false'), 'latest', '/t/x.yaml')).not.toThrow();
  });

  it('nulls are always accepted; function-typed fields accept FunctionRef', () => {
    expect(() => validateTaskConfig(y('task: t\nprocess_results: null\ndoc_to_choice: null\ntraining_split: null\nprocess_docs: !function u.f'), 'latest', '/t/x.yaml')).not.toThrow();
    expect(err('task: t\nprocess_docs: "utils.process_docs"').message).toContain("'process_docs' must be a !function");
  });
});
