/**
 * The `## Model arguments` tables of the backend READMEs, generated from each backend's
 * `--model_args` schema between two marker comments (regenerate:
 * `node --import tsx packages/cli/scripts/generate-cli-docs.ts`; a test checks them).
 */
import { modelArgsMarkdown, type ModelArgsSchema } from '@lm-eval/core/light';
import { HF_MODEL_ARGS } from '@lm-eval/transformers/model-args';
import { apiModelArgs } from '@lm-eval/openai/model-args';
import { VLLM_ARGS_SCHEMA } from '@lm-eval/vllm/model-args';

export const BEGIN = '<!-- model-args: generated from the schema in src/args.ts; do not edit -->';
export const END = '<!-- /model-args -->';

/** README path (relative to the repository root) → the schema its table shows. */
export const README_SCHEMAS: Record<string, ModelArgsSchema> = {
  'packages/transformers/README.md': HF_MODEL_ARGS,
  'packages/openai/README.md': apiModelArgs('local-completions'),
  'packages/vllm/README.md': VLLM_ARGS_SCHEMA,
};

/** `readme` with the text between the markers replaced by the schema's table. */
export function withModelArgsTable(readme: string, schema: ModelArgsSchema, file: string): string {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${file}: the model-args markers are missing`);
  return `${readme.slice(0, a + BEGIN.length)}\n${modelArgsMarkdown(schema)}${readme.slice(b)}`;
}
