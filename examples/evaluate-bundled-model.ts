/**
 * Evaluate the bundled 260K-parameter TinyStories Llama (models/stories260k) on the bundled
 * `tinystories` task group through the library API, and print the metrics.
 *
 *   node --import tsx examples/evaluate-bundled-model.ts [--limit N] [--output_path DIR]
 *
 * This is what `lm-eval --model hf --model_args pretrained=models/stories260k --tasks tinystories`
 * does, without the command line: register the `hf` backend, call `runEvaluation`, read the
 * results object (the same object that `results_*.json` holds).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runEvaluation } from '@lm-eval/core/engine';
import { registerTransformersModels } from '@lm-eval/transformers';

const { values } = parseArgs({
  options: {
    limit: { type: 'string' },
    output_path: { type: 'string' },
  },
});
const limit = values.limit === undefined ? null : Number(values.limit);
if (limit !== null && !(Number.isInteger(limit) && limit > 0)) {
  console.error(`--limit must be a positive integer, got ${values.limit}`);
  process.exit(2);
}

// `--model hf` is an in-process CPU model on transformers.js; backends register themselves
// explicitly, so importing a package has no side effects.
registerTransformersModels();

// The model folder, resolved from this file so the program runs from any directory.
const modelDir = fileURLToPath(new URL('../models/stories260k', import.meta.url));

const output = await runEvaluation({
  model: 'hf',
  modelArgs: { pretrained: modelDir },
  tasks: ['tinystories'], // the group; its three tasks ship their data in tasks/tinystories/
  limit,
  outputPath: values.output_path ?? null,
  log: (level, message) => {
    if (level !== 'DEBUG' && level !== 'INFO') console.error(`${level}: ${message}`);
  },
});

// output.results is the results document: results[task]["<metric>,<filter>"] = value, with
// "<metric>_stderr,<filter>" next to each value.
const perTask = output.results.results as Record<string, Record<string, unknown>>;
for (const [task, entry] of Object.entries(perTask)) {
  for (const [key, value] of Object.entries(entry)) {
    const [metric, filter] = key.split(',');
    if (filter === undefined || metric.endsWith('_stderr')) continue;
    const stderr = entry[`${metric}_stderr,${filter}`];
    const shown = typeof value === 'number' ? value.toFixed(4) : String(value);
    const err = typeof stderr === 'number' ? ` ± ${stderr.toFixed(4)}` : '';
    console.log(`${task}\t${metric} (${filter})\t${shown}${err}`);
  }
}

// The same table the lm-eval command prints.
console.log('\n' + output.summary);
for (const file of output.files) console.log(`wrote ${file}`);
