/**
 * MERA submission packer, the TypeScript counterpart of MERA's
 * `scripts/log_to_submission.py`:
 *
 *   node --import tsx tasks/mera/pack-submission.ts --outputs_dir <dir> [--model_args "pretrained=..."]
 *        [--dst_dir submission] [--gen]
 *
 * - the samples of each task are read from `<outputs_dir>[/<sanitised model name>]/samples_<task>*.json*`
 *   (with `--gen`: `samples_<task>_gen*`, falling back to `samples_<task>*` for the inherently
 *   generative tasks; without it, files containing `_gen` are skipped); the newest by the trailing
 *   date id (`%Y-%m-%dT%H-%M-%S.%f`) is used;
 * - `<dst_dir>/<TaskName>.json` = `{"data": {"test": [{"outputs": …, "meta": {"id": …}}, …]}}`:
 *   multiple choice → the choice label of the highest `float(loglikelihood)`; generative →
 *   `filtered_resps[0]`; ruDetox → the last element of the filter output; ruHumanEval/ruCodeEval →
 *   the whole `filtered_resps`; ruEthics → the label for each of the 5 criteria; USE adds
 *   `id_task`/`variant`; ruTiE entries are keyed by dialog/question ids;
 * - `<dst_dir>/logs_public.zip` holds the `results_*.json` and the selected `samples_*` files, with
 *   `arguments.*.arg_0` of ruTiE samples replaced by its SHA-256; then `<dst_dir>.zip` holds the
 *   whole folder.
 *
 * Differences from the Python script (which reloads the datasets from the Hub): USE's
 * `id_task`/`variant` come from the doc logged in the samples, and ruTiE's order is the order of
 * the logged docs (dialog, question), stopping at the first question missing from a dialog.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LmEvalError, createLogger } from '@lm-eval/core';
import { modelNameOf, sanitizeModelName } from '@lm-eval/core/engine';
import { argmax, parsePyJson, pyJsonDumps, pyStr, sha256Hex } from '@lm-eval/core/python';
import { buildZip, type ZipEntry } from './zip.ts';

type Sample = Record<string, any>;
type Kind = 'classification' | 'text' | 'rudetox' | 'ruethics' | 'use' | 'rutie' | 'code';

interface TaskSpec {
  /** submission file name (MERA's class name) */
  dst: string;
  kind: Kind;
  choices?: string[];
}

const ABCD = ['A', 'B', 'C', 'D'];
const BIN = ['0', '1'];
const ONE_TWO = ['1', '2'];

/** In MERA's order. The samples file prefix is the lowercased name. */
export const SUBMISSION_TASKS: TaskSpec[] = [
  { dst: 'BPS', kind: 'classification', choices: BIN },
  { dst: 'LCS', kind: 'classification', choices: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
  { dst: 'CheGeKa', kind: 'text' },
  { dst: 'MathLogicQA', kind: 'classification', choices: ABCD },
  { dst: 'MultiQ', kind: 'text' },
  { dst: 'PARus', kind: 'classification', choices: ONE_TWO },
  { dst: 'RCB', kind: 'classification', choices: ['1', '2', '3'] },
  { dst: 'ruDetox', kind: 'rudetox' },
  { dst: 'ruEthics', kind: 'ruethics', choices: BIN },
  { dst: 'ruHateSpeech', kind: 'classification', choices: ONE_TWO },
  { dst: 'ruHHH', kind: 'classification', choices: ONE_TWO },
  { dst: 'ruMMLU', kind: 'classification', choices: ABCD },
  { dst: 'MaMuRAMu', kind: 'classification', choices: ABCD },
  { dst: 'ruModAr', kind: 'text' },
  { dst: 'ruMultiAr', kind: 'text' },
  { dst: 'SimpleAr', kind: 'text' },
  { dst: 'ruOpenBookQA', kind: 'classification', choices: ABCD },
  { dst: 'ruWorldTree', kind: 'classification', choices: ABCD },
  { dst: 'RWSD', kind: 'classification', choices: ['Да', 'Нет'] },
  { dst: 'USE', kind: 'use' },
  { dst: 'ruTiE', kind: 'rutie', choices: ONE_TWO },
  { dst: 'ruHumanEval', kind: 'code' },
  { dst: 'ruCodeEval', kind: 'code' },
];

const GENERATIVE_SUFFIX = '_gen';
const GENERATIVE_TASKS = ['chegeka', 'multiq', 'rudetox', 'ruhumaneval', 'rucodeeval', 'rumodar', 'rumultiar', 'simplear', 'use'];
const TRUNCATED_TASKS = ['rutie'];

/** The date id at the end of an output file name, as a sortable key (`%Y-%m-%dT%H-%M-%S.%f`). */
export function extractDate(fileName: string): string {
  const id = fileName.split('.json')[0].split('_').pop() ?? '';
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2})-(\d{1,2})-(\d{1,2})\.(\d{1,6})$/.exec(id);
  if (!m) throw new LmEvalError(`pack-submission: cannot read the date id of '${fileName}' (expected …_YYYY-MM-DDTHH-MM-SS.ffffff.json[l])`);
  const [, y, mo, d, h, mi, s, f] = m;
  return [y.padStart(4, '0'), mo.padStart(2, '0'), d.padStart(2, '0'), h.padStart(2, '0'), mi.padStart(2, '0'), s.padStart(2, '0'), f.padEnd(6, '0')].join('');
}

function listOutputs(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.includes('.json') && !n.endsWith('.partial'))
    .filter((n) => statSync(path.join(dir, n)).isFile());
}

/** The samples file to pack for a task, or undefined when there is none. */
export function samplesFileFor(outputsDir: string, src: string, gen: boolean): string | undefined {
  const names = listOutputs(outputsDir);
  let list: string[];
  if (gen) {
    list = names.filter((n) => n.startsWith(`samples_${src}${GENERATIVE_SUFFIX}`));
    if (list.length === 0) list = names.filter((n) => n.startsWith(`samples_${src}`));
  } else {
    list = names.filter((n) => n.startsWith(`samples_${src}`) && !n.includes(GENERATIVE_SUFFIX));
  }
  if (list.length === 0) return undefined;
  list.sort((a, b) => (extractDate(b) < extractDate(a) ? -1 : extractDate(b) > extractDate(a) ? 1 : 0));
  return path.join(outputsDir, list[0]);
}

function readJsonl(file: string): Sample[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => parsePyJson(l) as Sample);
}

function docId(sample: Sample): number {
  const id = sample.doc?.meta?.id;
  const n = typeof id === 'string' ? Number(id) : Number(id?.valueOf?.() ?? id);
  if (!Number.isFinite(n)) throw new LmEvalError(`pack-submission: sample without a numeric doc.meta.id (${pyStr(id)})`);
  return Math.trunc(n);
}

/** argmax of `float(ll)` over the per-choice `[ll, is_greedy]` entries → choice label. */
function mcLabel(filtered: unknown[], choices: string[]): string {
  const best = argmax(filtered.map((entry) => Number(Array.isArray(entry) ? entry[0] : entry)));
  if (best >= choices.length) throw new LmEvalError(`pack-submission: ${filtered.length} answers for ${choices.length} choices`);
  return choices[best];
}

function answerOf(spec: TaskSpec, filtered: unknown[], gen: boolean): unknown {
  switch (spec.kind) {
    case 'classification':
    case 'ruethics':
    case 'rutie':
      return gen ? filtered[0] : mcLabel(filtered, spec.choices!);
    case 'rudetox': {
      const out = filtered[0];
      if (!Array.isArray(out)) throw new LmEvalError('pack-submission: ruDetox samples must hold the 5-element scoring output');
      return out[out.length - 1];
    }
    case 'code':
      return filtered;
    default:
      return filtered[0];
  }
}

/** The submission object of one task from its samples. */
export function taskSubmission(spec: TaskSpec, samples: Sample[], gen: boolean): { data: { test: unknown[] } } {
  if (spec.kind === 'rutie') {
    const byKey = new Map<string, { dialog: number; question: number; outputs: unknown }>();
    for (const s of samples) {
      const dialog = Math.trunc(Number(s.doc.meta.dialog_id));
      const question = Math.trunc(Number(s.doc.meta.question_id));
      byKey.set(`${dialog};${question}`, { dialog, question, outputs: answerOf(spec, s.filtered_resps, gen) });
    }
    const entries = [...byKey.values()].sort((a, b) => a.dialog - b.dialog || a.question - b.question);
    const test: unknown[] = [];
    const expected = new Map<number, number>();
    for (const e of entries) {
      // stop at the first question a dialog is missing: later prompts depend on its answer
      const next = expected.get(e.dialog) ?? 0;
      if (e.question !== next) break;
      expected.set(e.dialog, next + 1);
      test.push({ outputs: e.outputs, meta: { dialog_id: e.dialog, question_id: e.question } });
    }
    return { data: { test } };
  }
  const test = samples.map((s) => {
    const id = docId(s);
    const outputs = answerOf(spec, s.filtered_resps, gen);
    if (spec.kind === 'ruethics') {
      const label = pyStr(outputs);
      return { outputs: { virtue: label, law: label, moral: label, justice: label, utilitarianism: label }, meta: { id } };
    }
    if (spec.kind === 'use') return { outputs, meta: { id, id_task: s.doc.meta.id_task, variant: s.doc.meta.variant } };
    return { outputs, meta: { id } };
  });
  return { data: { test } };
}

/** Python `json.dump(obj, ensure_ascii=False, indent=4)`. */
function dumpJson(obj: unknown): string {
  return pyJsonDumps(obj, { indent: 4, ensureAscii: false });
}

/** A samples file with `arguments.*.arg_0` replaced by its SHA-256 (MERA truncates ruTiE logs). */
export function truncateSamples(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const s = parsePyJson(line) as Sample;
      for (const arg of Object.values(s.arguments ?? {}) as Array<Record<string, unknown>>) {
        const a0 = arg.arg_0;
        arg.arg_0 = sha256Hex(typeof a0 === 'string' ? a0 : String((a0 as unknown[])[0]));
      }
      return pyJsonDumps(s, { ensureAscii: false }) + '\n';
    })
    .join('');
}

/** The entries of logs_public.zip; `log` gets the line about each file that is neither results nor samples. */
export function publicLogEntries(outputsDir: string, gen: boolean, log: (line: string) => void = createLogger('mera').warn): ZipEntry[] {
  const entries: ZipEntry[] = [];
  for (const name of listOutputs(outputsDir).sort()) {
    const lower = name.toLowerCase();
    const file = path.join(outputsDir, name);
    if (lower.startsWith('samples_')) {
      const trulyGenerative = GENERATIVE_TASKS.some((t) => lower.includes(t));
      const invalid = lower.includes(GENERATIVE_SUFFIX) !== gen;
      if (invalid && !trulyGenerative) continue;
    } else if (!lower.startsWith('results_')) {
      log(`Unknown file ${file}`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const truncate = TRUNCATED_TASKS.some((t) => name.includes(t));
    entries.push({ name, data: Buffer.from(truncate ? truncateSamples(text) : text, 'utf8') });
  }
  return entries;
}

export interface PackOptions {
  outputsDir: string;
  dstDir: string;
  gen: boolean;
  /** MERA_MODEL_STRING: selects `<outputsDir>/<sanitised model name>` */
  modelArgs?: string;
  /** Where the progress lines go (default: `info` events of @lm-eval/core's logger, source `mera`). */
  log?: (line: string) => void;
}

export interface PackResult {
  /** task (submission name) → written JSON file */
  files: Record<string, string>;
  missing: string[];
  logsZip: string;
  submissionZip: string;
}

/** `<outputs_dir>/<sanitised model name>` when model args are given (as MERA's script). */
export function resolveOutputsDir(outputsDir: string, modelArgs?: string): string {
  if (!modelArgs) return outputsDir;
  return path.join(outputsDir, sanitizeModelName(modelNameOf(modelArgs, '0.4.4')));
}

export function packSubmission(opts: PackOptions): PackResult {
  const log = opts.log ?? createLogger('mera').info;
  const outputsDir = resolveOutputsDir(opts.outputsDir, opts.modelArgs);
  if (!existsSync(outputsDir) || !statSync(outputsDir).isDirectory()) {
    throw new LmEvalError(`pack-submission: ${outputsDir} is not a directory`, 'pass --outputs_dir <lm-eval --output_path> (and --model_args as given to lm-eval)');
  }
  const dst = path.resolve(opts.dstDir);
  mkdirSync(dst, { recursive: true });
  const files: Record<string, string> = {};
  const missing: string[] = [];
  for (const spec of SUBMISSION_TASKS) {
    const src = spec.dst.toLowerCase();
    const samplesFile = samplesFileFor(outputsDir, src, opts.gen);
    if (!samplesFile) {
      log(`No samples to pack found for ${src}`);
      missing.push(spec.dst);
      continue;
    }
    if (opts.gen && !path.basename(samplesFile).includes(GENERATIVE_SUFFIX) && !GENERATIVE_TASKS.includes(src)) {
      // MERA's script falls back to the non-_gen samples for every task; for a multiple-choice
      // task that packs its first [loglikelihood, is_greedy] pair. Kept for parity, but flagged.
      log(`WARNING: --gen: no samples_${src}_gen* file; packing ${path.basename(samplesFile)} instead (run ${src}_gen)`);
    }
    const out = path.join(dst, `${spec.dst}.json`);
    writeFileSync(out, dumpJson(taskSubmission(spec, readJsonl(samplesFile), opts.gen)), 'utf8');
    files[spec.dst] = out;
  }
  const logsZip = path.join(dst, 'logs_public.zip');
  writeFileSync(logsZip, buildZip(publicLogEntries(outputsDir, opts.gen, log)));
  const submissionZip = `${dst}.zip`;
  const entries = readdirSync(dst)
    .sort()
    .map((name) => ({ name, data: readFileSync(path.join(dst, name)) }));
  writeFileSync(submissionZip, buildZip(entries));
  log(`Submission stored at ${submissionZip}`);
  return { files, missing, logsZip, submissionZip };
}

function parseArgs(argv: string[]): PackOptions {
  const opts: PackOptions = { outputsDir: '', dstDir: 'submission', gen: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--outputs_dir') opts.outputsDir = value();
    else if (flag === '--dst_dir') opts.dstDir = value();
    else if (flag === '--model_args') opts.modelArgs = value();
    else if (flag === '--gen') opts.gen = true;
    else if (flag === '--help' || flag === '-h') {
      // eslint-disable-next-line no-console -- command-line entry point of this script
      console.log('usage: pack-submission.ts --outputs_dir DIR [--model_args "pretrained=..."] [--dst_dir submission] [--gen]');
      process.exit(0);
    } else throw new LmEvalError(`pack-submission: unknown argument '${argv[i]}'`, 'see --help');
  }
  if (!opts.outputsDir) throw new LmEvalError('pack-submission: --outputs_dir is required');
  return opts;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    // eslint-disable-next-line no-console -- command-line entry point of this script: it prints what the packer reports
    packSubmission({ ...parseArgs(process.argv.slice(2)), log: (line) => console.log(line) });
  } catch (e) {
    if (e instanceof LmEvalError) {
      // eslint-disable-next-line no-console -- command-line entry point of this script
      console.error(`error: ${e.message}${(e as { hint?: string }).hint ? `\n  hint: ${(e as { hint?: string }).hint}` : ''}`);
      process.exit(1);
    }
    throw e;
  }
}
