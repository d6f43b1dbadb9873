/** docs/cli.md is generated from the flag table; this fails when it is stale. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderCliDocs } from '../src/docs.ts';
import { ENV_VARS, RUN_FLAGS } from '../src/flags.ts';
import { README_SCHEMAS, withModelArgsTable } from '../src/model-args-docs.ts';
import { modelArgsHelpText } from '../src/backends.ts';

const DOC = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));

describe('docs/cli.md', () => {
  it('is up to date (regenerate: node --import tsx packages/cli/scripts/generate-cli-docs.ts)', () => {
    expect(readFileSync(DOC, 'utf8')).toBe(renderCliDocs());
  });

  it('documents every flag and environment variable', () => {
    const text = renderCliDocs();
    for (const f of RUN_FLAGS) expect(text).toContain(`| \`--${f.name}\` |`);
    for (const e of ENV_VARS) expect(text).toContain(`| \`${e.name}\` |`);
    for (const name of ['HF_HOME', 'HF_DATASETS_CACHE', 'HF_TOKEN', 'HF_ENDPOINT', 'HF_HUB_OFFLINE', 'TOKENIZERS_PARALLELISM', 'LMEVAL_LOG_LEVEL', 'LM_EVAL_DATASETS_DIR']) {
      expect(ENV_VARS.map((e) => e.name)).toContain(name);
    }
  });

  it('the backend READMEs show the model-args schemas (same regeneration command)', () => {
    for (const [rel, schema] of Object.entries(README_SCHEMAS)) {
      const text = readFileSync(fileURLToPath(new URL(`../../../${rel}`, import.meta.url)), 'utf8');
      expect(text, rel).toBe(withModelArgsTable(text, schema, rel));
      for (const a of schema.args) expect(text, rel).toContain(`| \`${a.name}\` |`);
    }
  });

  it('`lm-eval run --model NAME --help` lists the backend model arguments', async () => {
    expect(await modelArgsHelpText('hf')).toMatch(/^Model arguments of --model hf[\s\S]*\n {2}pretrained \(str\) /);
    expect(await modelArgsHelpText('local-chat-completions')).toMatch(/tokenized_requests \(bool\) .*\[default: True \(completions\), False \(chat\)\]/);
    expect(await modelArgsHelpText('dummy')).toMatch(/chat_template_path \(str\)/);
    expect(await modelArgsHelpText('nope')).toBeNull();
  });
});
