/**
 * gsm8k_cot's own answer extraction, loaded from the YAML as the evaluator loads it. Expected
 * values were computed with Python `re` applying lm-eval's regex filter semantics.
 */
import { describe, expect, it } from 'vitest';
import { TaskIndex, loadTasks } from '@lm-eval/core/tasks';
import { buildFilterPipelines } from '@lm-eval/core/metrics';

async function gsm8kCot() {
  const index = TaskIndex.build({});
  const loaded = await loadTasks(['gsm8k_cot'], index);
  return loaded.tasks.get('gsm8k_cot')!.config as unknown as Record<string, any>;
}

const RESPONSES = [
  '23 - 15 is 8. The answer is 8.',
  'So the total is $1,234.50 dollars. The answer is 1,234.',
  'I do not know',
  'The answer is 5',
  'Result: -3 apples. The answer is -3.\n\n',
];

describe('gsm8k_cot', () => {
  it('strict-match takes "The answer is N" + one character; flexible-extract the last number', async () => {
    const cfg = await gsm8kCot();
    const pipes = buildFilterPipelines(cfg.filter_list, { profile: 'latest' });
    expect(pipes.map((p) => p.name)).toEqual(['strict-match', 'flexible-extract']);
    const resps = RESPONSES.map((r) => [r]);
    const docs = RESPONSES.map(() => ({ question: 'q', answer: '#### 1' }));
    expect(pipes[0].apply(resps, docs)).toEqual(['8', '1,234', '[invalid]', '[invalid]', '-3']);
    expect(pipes[1].apply(resps, docs)).toEqual(['8.', '1,234.', '[invalid]', '5', '-3.']);
  });

  it('has eight exemplars taken in order, each ending with "The answer is N."', async () => {
    const cfg = await gsm8kCot();
    expect(cfg.num_fewshot).toBe(8);
    const fc = cfg.fewshot_config;
    expect(fc.sampler).toBe('first_n');
    expect(fc.samples).toHaveLength(8);
    for (const s of fc.samples) {
      expect(Object.keys(s)).toEqual(['question', 'target']);
      expect(s.target).toMatch(/The answer is \d+\.$/);
    }
    expect(cfg.generation_kwargs.until).toEqual(['Q:', '</s>', '<|im_end|>']);
  });
});
