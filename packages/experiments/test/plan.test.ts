/**
 * Experiment files -> plans: the native shape (grid, explicit list, repeats, names, seeds), the
 * EvalAP experiment-set JSON and DeathMath's run.yaml giving the same plan as the native file that
 * says the same, and one clear message naming the field for each kind of bad file.
 */
import { describe, expect, it } from 'vitest';
import { pyFloat } from '@lm-eval/core/python';
import { parsePlanText, type ExperimentPlan } from '../src/index.ts';

const ENV = { VLLM_KEY: 'k-1', OTHER_KEY: 'k-2' };

/** The plan without where it came from (source) and the set name. */
function comparable(p: ExperimentPlan): unknown {
  return { models: p.models, tasks: p.tasks, experiments: p.experiments.map(({ model, ...rest }) => ({ ...rest, model: model.name })) };
}

describe('native experiment files', () => {
  it('expands common + grid into named experiments with repeats and distinct seeds', () => {
    const plan = parsePlanText(
      `
models:
  - {name: small, backend: hf, model_args: "pretrained=models/stories260k"}
  - name: served
    backend: local-completions
    model_args: {model: m, tokenizer_backend: huggingface}
    num_concurrent: 4
    request_delay: 0.5
    endpoints:
      - {base_url: "http://a:8000/v1/completions", api_key_env: VLLM_KEY}
      - {base_url: "http://b:8000/v1/completions", api_key_env: OTHER_KEY, num_concurrent: 2}
tasks: [arc_easy, {name: hellaswag, num_fewshot: 10}]
common: {limit: 20, system_instruction: "Be brief."}
grid:
  model: [small, served]
  num_fewshot: [0, 5]
  temperature: [0.0]
repeat: 2
seed: 42
`,
      'set.yaml',
      { env: ENV },
    );
    expect(plan.experiments.map((e) => e.id)).toEqual([
      'small_num_fewshot-0_r1', 'small_num_fewshot-0_r2', 'served_num_fewshot-0_r1', 'served_num_fewshot-0_r2',
      'small_num_fewshot-5_r1', 'small_num_fewshot-5_r2', 'served_num_fewshot-5_r1', 'served_num_fewshot-5_r2',
    ]);
    const e = plan.experiments[3];
    expect(e.settings).toEqual({ limit: 20, systemInstruction: 'Be brief.', numFewshot: 0, genKwargs: { temperature: pyFloat(0) } });
    expect(e.seeds).toEqual({ random: 43, numpy: 43, torch: 43, fewshot: 43 });
    expect(plan.experiments[2].seeds).toEqual({ random: 42, numpy: 42, torch: 42, fewshot: 42 });
    expect(e.tasks).toEqual([{ name: 'arc_easy' }, { name: 'hellaswag', numFewshot: 10 }]);
    expect(e.model.endpoints).toEqual([
      { baseUrl: 'http://a:8000/v1/completions', apiKeyEnv: 'VLLM_KEY' },
      { baseUrl: 'http://b:8000/v1/completions', apiKeyEnv: 'OTHER_KEY', numConcurrent: 2 },
    ]);
    expect(e.model.requestDelay).toBe(0.5);
    expect(plan.models[0].modelArgs).toEqual({ pretrained: 'models/stories260k' });
  });

  it('takes an explicit experiments list with names', () => {
    const plan = parsePlanText(
      `
models: [{name: m, backend: hf, model_args: {pretrained: x}}]
tasks: [t1]
experiments:
  - {name: zero, num_fewshot: 0}
  - {name: five-chat, num_fewshot: 5, apply_chat_template: true, tasks: [t2]}
`,
      'x.yaml',
      { env: {} },
    );
    expect(plan.experiments.map((e) => [e.id, e.model.name, e.settings, e.tasks])).toEqual([
      ['zero', 'm', { numFewshot: 0 }, [{ name: 't1' }]],
      ['five-chat', 'm', { numFewshot: 5, applyChatTemplate: true, tasks: ['t2'] }, [{ name: 't2' }]],
    ]);
  });
});

const NATIVE_EQUIVALENT = `
name: arena-hard-v0.1
models:
  - name: gpt-4o-mini
    backend: local-chat-completions
    model_args: {model: gpt-4o-mini}
    apply_chat_template: true
    endpoints: [{base_url: "https://router.example/api/v1/chat/completions", api_key_env: VLLM_KEY}]
    num_concurrent: 6
    system_instruction: "You are a helpful math assistant."
    gen_kwargs: {temperature: 0.0, max_gen_toks: 2048}
  - name: local-tuned
    backend: local-chat-completions
    model_args: {model: ./ckpt/}
    apply_chat_template: true
    endpoints:
      - {base_url: "http://localhost:8000/v1/chat/completions", api_key_env: OTHER_KEY}
      - {base_url: "http://localhost:8001/v1/chat/completions", api_key_env: OTHER_KEY}
    num_concurrent: 3
    request_delay: 1.5
    gen_kwargs: {temperature: 0.0, max_gen_toks: 512}
tasks: [gsm8k]
common: {limit: 190}
`;

describe('foreign experiment files parse into the native plan', () => {
  it("DeathMath's configs/run.yaml (unchanged shape)", () => {
    const deathmath = parsePlanText(
      `
bench_name: arena-hard-v0.1
temperature: 0.0
max_tokens: 2048
debug: true
num_examples: 190
num_choices: 1
model_list:
  - gpt-4o-mini
  - local-tuned
local-tuned:
    model_name: './ckpt/'
    endpoints:
        - api_base: http://localhost:8000/v1
          api_key: $OTHER_KEY
        - api_base: http://localhost:8001/v1
          api_key: \${OTHER_KEY}
    api_type: openai
    parallel: 3
    max_tokens: 512
    request_delay: 1.5
gpt-4o-mini:
    model_name: "gpt-4o-mini"
    endpoints:
        - api_base: "https://router.example/api/v1"
          api_key: "$VLLM_KEY"
    api_type: openai
    parallel: 6
    system_prompt: "You are a helpful math assistant."
unused-model:
    model_name: "x"
    api_type: openai
`,
      'configs/run.yaml',
      { env: ENV, tasks: ['gsm8k'] },
    );
    const native = parsePlanText(NATIVE_EQUIVALENT, 'native.yaml', { env: ENV });
    expect(deathmath.source).toBe('deathmath');
    expect(comparable(deathmath)).toEqual(comparable(native));
  });

  it("EvalAP's experiment-set JSON (unchanged shape)", () => {
    const evalap = parsePlanText(
      JSON.stringify({
        name: 'arena-hard-v0.1',
        readme: 'two models',
        cv: {
          common_params: { dataset: 'gsm8k', metrics: ['judge_precision'] },
          grid_params: {
            model: [
              { name: 'gpt-4o-mini', base_url: 'https://router.example/api/v1', api_key: '$VLLM_KEY', system_prompt: 'You are a helpful math assistant.', sampling_params: { temperature: 0.0, max_tokens: 2048 } },
              { name: './ckpt/', aliased_name: 'local-tuned', base_url: 'http://localhost:8000/v1', api_key: 'os.environ/OTHER_KEY', sampling_params: { temperature: 0.0, max_tokens: 512 } },
            ],
          },
          repeat: 3,
        },
      }).replace(/"temperature":0/g, '"temperature":0.0'),
      'set.json',
      { env: ENV },
    );
    const native = parsePlanText(
      NATIVE_EQUIVALENT.replace('common: {limit: 190}', 'repeat: 3')
        .replace('      - {base_url: "http://localhost:8001/v1/chat/completions", api_key_env: OTHER_KEY}\n', '')
        .replace('    num_concurrent: 6\n', '')
        .replace('    num_concurrent: 3\n    request_delay: 1.5\n', ''),
      'native.yaml',
      { env: ENV },
    );
    expect(evalap.source).toBe('evalap');
    expect(comparable(evalap)).toEqual(comparable(native));
    expect(evalap.experiments.map((e) => e.id)).toEqual(['gpt-4o-mini_r1', 'gpt-4o-mini_r2', 'gpt-4o-mini_r3', 'local-tuned_r1', 'local-tuned_r2', 'local-tuned_r3']);
  });

  it('keeps a key written in a foreign file in memory only', () => {
    const plan = parsePlanText(
      'model_list: [m]\nm: {model_name: x, endpoints: [{api_base: "http://h/v1", api_key: "sk-literal"}], api_type: openai}\n',
      'run.yaml',
      { env: {}, tasks: ['t'] },
    );
    expect(plan.models[0].endpoints[0].apiKey).toBe('sk-literal');
    expect(JSON.stringify(plan.experiments.map((e) => ({ ...e, model: { ...e.model, endpoints: e.model.endpoints.map((x) => x.baseUrl) } })))).not.toContain('sk-literal');
  });
});

describe('bad experiment files: one message naming the field', () => {
  const base = (rest: string) => `models:\n  - {name: m, backend: hf, model_args: {pretrained: x}}\ntasks: [t]\n${rest}`;
  const cases: Array<[string, string, RegExp]> = [
    ['unknown model key', 'models:\n  - {name: m, backend: hf, modle_args: {}}\ntasks: [t]\n', /bad\.yaml: models\[0\]\.modle_args: unknown key 'modle_args'/],
    ['empty grid', base('grid: {}\n'), /bad\.yaml: grid: is empty/],
    ['grid key without values', base('grid: {num_fewshot: []}\n'), /bad\.yaml: grid\.num_fewshot: has no values/],
    ['duplicate experiment names', base('experiments:\n  - {name: a, num_fewshot: 0}\n  - {name: a, num_fewshot: 1}\n'), /bad\.yaml: experiments\[1\]: duplicate experiment name 'a' \(also experiments\[0\]\)/],
    [
      'missing env var for a key',
      'models:\n  - {name: m, backend: local-completions, endpoints: [{base_url: "http://h/v1/completions", api_key_env: NOPE_KEY}]}\ntasks: [t]\n',
      /bad\.yaml: models\[0\]\.endpoints\[0\]\.api_key_env: environment variable 'NOPE_KEY' is not set/,
    ],
    ['unknown model in grid', base('grid: {model: [m, other]}\n'), /bad\.yaml: grid\.model: unknown model 'other'/],
    ['a key written in the file', 'models:\n  - {name: m, backend: local-completions, model_args: {base_url: "http://h", api_key: sk-1}}\ntasks: [t]\n', /models\[0\]\.model_args\.api_key: API keys may not be written in the file/],
    ['no tasks', 'models:\n  - {name: m, backend: hf}\n', /bad\.yaml: tasks: is missing/],
    ['bad setting type', base('common: {num_fewshot: many}\n'), /bad\.yaml: common\.num_fewshot: must be an integer >= 0 \(got "many"\)/],
    ['unknown top-level key', base('gird: {}\n'), /bad\.yaml: gird: unknown key 'gird'/],
  ];
  for (const [what, text, message] of cases) {
    it(what, () => {
      let err: unknown;
      try {
        parsePlanText(text, 'bad.yaml', { env: {} });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('LmEvalError');
      expect((err as Error).message).toMatch(message);
    });
  }

  it('DeathMath: a model_list entry without its block', () => {
    expect(() => parsePlanText('model_list: [ghost]\n', 'run.yaml', { env: {}, tasks: ['t'] })).toThrow(/run\.yaml \(DeathMath run\.yaml\): model_list\[0\]: no model block 'ghost'/);
  });
});
