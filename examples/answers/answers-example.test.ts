/**
 * Runs the offline example of examples/answers/README.md: the copyable answers task
 * (answers_example.yaml) on the bundled model, with the bundled model as its own judge.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('examples/answers/answers_example.yaml', () => {
  it('runs offline with the command of the README; judge verdicts are recorded, unreadable ones as None', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'answers-example-'));
    try {
      await run(
        process.execPath,
        ['packages/cli/bin/lm-eval.mjs', 'run', '--model', 'hf', '--model_args', 'pretrained=models/stories260k', '--tasks', 'answers_example', '--include_path', 'examples/answers', '--output_path', out, '--log_samples'],
        { cwd: ROOT, timeout: 120_000, env: { ...process.env, CI: 'true' } },
      );
      const sub = path.join(out, 'models__stories260k');
      const results = JSON.parse(fs.readFileSync(path.join(sub, fs.readdirSync(sub).find((f) => f.startsWith('results_'))!), 'utf8'));
      const summary = results.answer_metrics.answers_example;
      expect(Object.keys(summary)).toEqual(['output_length', 'output_length_chars', 'generation_time', 'reasoning_length', 'story_judge']);
      expect(summary.output_length).toMatchObject({ none: 0, scored: 6 });
      expect(summary.story_judge.none + summary.story_judge.scored).toBe(6);
      expect(summary.story_judge.judge).toMatchObject({ metric: 'story_judge', backend: 'hf', parser: { type: 'number', min: 1, max: 10 } });
      const lines = fs.readFileSync(path.join(sub, fs.readdirSync(sub).find((f) => f.startsWith('samples_'))!), 'utf8').trim().split('\n');
      const sample = JSON.parse(lines[0]);
      expect(sample.generations).toHaveLength(2);
      expect(typeof sample.judgements.story_judge[0].raw).toBe('string');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
