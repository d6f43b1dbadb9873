/**
 * Conformance with Python lm-eval: every fixture task and setting must produce the same
 * requests (samples' arguments), per-sample records, metrics and stderrs, and results files
 * equal apart from environment fields.
 */
import { describe, expect, it } from 'vitest';
import { parsePyJson, pyJsonDumps } from '../src/index.ts';
import { oracleRuns, runOracle } from './oracle-harness.ts';

/** Fields that depend on the environment (time, paths, versions, the model's name). */
const ENV_TOP = [
  'date', 'pretty_env_info', 'transformers_version', 'lm_eval_version', 'git_hash', 'upper_git_hash',
  'model_name', 'model_name_sanitized', 'model_source', 'total_evaluation_time_seconds', 'start_time', 'end_time',
];

function normaliseResults(text: string): Record<string, any> {
  const r = parsePyJson(text) as Record<string, any>;
  for (const k of ENV_TOP) delete r[k];
  delete r.config.model;
  if (r.config.model_args && typeof r.config.model_args === 'object') delete r.config.model_args.chat_template_path;
  if (typeof r.config.model_args === 'string') r.config.model_args = r.config.model_args.replace(/chat_template_path=[^,]*/, 'chat_template_path=…');
  for (const cfg of Object.values(r.configs ?? {}) as Array<Record<string, any>>) {
    if (cfg.metadata) {
      delete cfg.metadata.config_source;
      delete cfg.metadata.chat_template_path;
    }
    // Python callables print their source or `<function name at 0x…>`; ours cannot be identical.
    for (const [k, v] of Object.entries(cfg)) if (typeof v === 'string' && /^(def |class |<function |<class )/.test(v)) cfg[k] = '<callable>';
    if (cfg.fewshot_config) {
      for (const [k, v] of Object.entries(cfg.fewshot_config)) if (typeof v === 'string' && /^(<function |<class )/.test(v)) cfg.fewshot_config[k] = '<callable>';
    }
  }
  return r;
}

const runs = oracleRuns();

describe('oracle conformance (dummy model vs Python lm-eval)', () => {
  it('has fixtures', () => {
    expect(runs.length).toBeGreaterThan(30);
  });
  for (const run of runs) {
    it(`${run.task} / ${run.setting}`, async () => {
      const { ours, theirs } = await runOracle(run);
      // samples: byte-for-byte, line by line
      expect(Object.keys(ours.samplesText).sort()).toEqual(Object.keys(theirs.samplesText).sort());
      for (const [name, text] of Object.entries(theirs.samplesText)) {
        const a = ours.samplesText[name].split('\n');
        const b = text.split('\n');
        expect(a.length).toBe(b.length);
        for (let i = 0; i < b.length; i++) expect(a[i], `${name} line ${i + 1}`).toBe(b[i]);
      }
      // results: equal apart from environment fields
      const a = normaliseResults(ours.resultsText);
      const b = normaliseResults(theirs.resultsText);
      expect(pyJsonDumps(a, { indent: 2, ensureAscii: false })).toBe(pyJsonDumps(b, { indent: 2, ensureAscii: false }));
    });
  }
});
