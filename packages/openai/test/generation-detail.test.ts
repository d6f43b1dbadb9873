import { describe, expect, it } from 'vitest';
import { generationDetail } from '../src/generation-detail.ts';

describe('generationDetail', () => {
  const resp = { usage: { prompt_tokens: 12, completion_tokens: 5 } };
  const choice = { index: 0, finish_reason: 'length' };

  it('reports usage, finish reason, latency and reasoning of a single-prompt answer', () => {
    expect(generationDetail(resp, choice, 1, 0.5, 'because')).toEqual({
      finish_reason: 'length',
      prompt_tokens: 12,
      completion_tokens: 5,
      latency_s: 0.5,
      reasoning: 'because',
    });
  });

  it('leaves token counts out when usage sums a batch of prompts, and when the server sends none', () => {
    expect(generationDetail(resp, choice, 3, 0.5)).toEqual({ finish_reason: 'length', prompt_tokens: null, completion_tokens: null, latency_s: 0.5 });
    expect(generationDetail({}, {}, 1, 1)).toEqual({ finish_reason: null, prompt_tokens: null, completion_tokens: null, latency_s: 1 });
  });
});
