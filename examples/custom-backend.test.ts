import { describe, expect, it } from 'vitest';
import { evaluate, TaskManager, type LmEvalEvent } from '@lm-eval/core';
import { runBackendBehaviour } from '@lm-eval/core/testing';
import { lmFromFunction } from './custom-backend.ts';

describe('bring-your-own backend through evaluate()', () => {
  it('runs a generate_until task on an async function; results are plain numbers; events arrive', async () => {
    const prompts: string[] = [];
    const lm = lmFromFunction('fixed', async (prompt) => {
      prompts.push(prompt);
      return ' time. Then more';
    });
    const events: LmEvalEvent[] = [];
    const out = await evaluate({ model: lm, tasks: ['tinystories_continue'], limit: 4, onEvent: (e) => events.push(e) });
    expect(prompts).toHaveLength(4);
    const entry = out.results.results.tinystories_continue;
    expect(typeof entry['exact_match,first-word']).toBe('number');
    expect(out.results.config.model).toBe('fixed');
    expect(out.samples.tinystories_continue).toHaveLength(4);
    expect(out.samples.tinystories_continue[0].filtered_resps).toEqual(['time']);
    expect(events.some((e) => e.type === 'phase')).toBe(true);
    expect(events.some((e) => e.type === 'progress' && e.total === 4)).toBe(true);
    expect(JSON.parse(JSON.stringify(out.results)).results.tinystories_continue).toEqual(entry);
  });

  it('keeps the LM contract for generate_until (the shared behaviour suite)', async () => {
    const make = () => lmFromFunction('echo-length', async (prompt, kw) => ` ${prompt.length} and ${String(kw.max_gen_toks)}. More`);
    const report = await runBackendBehaviour(make, { requestTypes: ['generate_until'] });
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual(['close: the backend has no close()', 'cache: no otherIdentity given (another model must miss)']);
  });

  it('a loglikelihood task fails with the backend message', async () => {
    const lm = lmFromFunction('fixed', async () => 'x');
    await expect(evaluate({ model: lm, tasks: ['tinystories_cloze'], limit: 2 })).rejects.toThrow(/only generates text/);
  });
});

describe('TaskManager', () => {
  it('lists, loads and builds requests without a model', async () => {
    const tm = new TaskManager();
    expect(tm.tasks()).toContain('tinystories_cloze');
    expect(tm.groups()).toContain('tinystories');
    const loaded = await tm.load(['tinystories']);
    expect([...loaded.tasks.keys()].sort()).toEqual(['tinystories_cloze', 'tinystories_continue', 'tinystories_perplexity']);
    const byDoc = await tm.buildRequests('tinystories_cloze', { limit: 3 });
    expect(byDoc).toHaveLength(3);
    expect(byDoc[0].every((i) => i.requestType === 'loglikelihood')).toBe(true);
    expect(byDoc[0]).toHaveLength(4); // four choices
  });
});
