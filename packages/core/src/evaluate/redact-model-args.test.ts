import { describe, expect, it } from 'vitest';
import { redactModelArgs } from './redact-model-args.ts';

describe('redactModelArgs', () => {
  it('hides secret values only; settings that explain results stay visible', () => {
    const out = redactModelArgs({
      add_bos_token: true,
      eos_token: '</s>',
      think_end_token: '</think>',
      custom_prefix_token_id: 1,
      api_key: 'abc',
      openai_api_key: 'x',
      header: { Authorization: 'Bearer abc' },
      auth_token: 'short',
      token: 'hf_abcdefghijklmnopqrstuvwxyz',
      hub_token: 'a1B2c3D4e5F6g7H8i9J0k1L2',
      tokenizer: 'models/stories260k',
      base_url: 'http://127.0.0.1:8080',
      max_length: 514,
    });
    expect(out).toEqual({
      add_bos_token: true,
      eos_token: '</s>',
      think_end_token: '</think>',
      custom_prefix_token_id: 1,
      api_key: '<redacted>',
      openai_api_key: '<redacted>',
      header: '<redacted>',
      auth_token: '<redacted>',
      token: '<redacted>',
      hub_token: '<redacted>',
      tokenizer: 'models/stories260k',
      base_url: 'http://127.0.0.1:8080',
      max_length: 514,
    });
  });

  it('token=True (use the stored Hub login) is a setting, not a secret', () => {
    expect(redactModelArgs({ token: true })).toEqual({ token: true });
  });
});
