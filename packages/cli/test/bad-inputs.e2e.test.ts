/**
 * Bad inputs through the real `lm-eval` binary: each one ends with exit code 1, one clear last
 * line naming the flag or file, and no stack trace; the few that must still run (names that
 * would escape the output folder) are checked for what they wrote. Mistakes found at the same
 * stage share one process, which also checks that all of them are reported at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool, ROOT, runCli, type CliResult } from './cli-harness.ts';

let tmp = '';
const results = new Map<string, CliResult>();
const MODEL = path.join(ROOT, 'models/stories260k');

const BASE = [
  'dataset_path: json',
  'dataset_kwargs:',
  '  data_files:',
  '    test: docs.jsonl',
  'output_type: multiple_choice',
  'test_split: test',
  'doc_to_text: "Question: {{q}}\\nAnswer:"',
  'doc_to_choice: "{{choices}}"',
  'doc_to_target: "{{label}}"',
  'metric_list:',
  '  - metric: acc',
  '    aggregation: mean',
  '    higher_is_better: true',
  '',
].join('\n');

const FILES: Record<string, string> = {
  'docs.jsonl': ['Q1', 'Q2', 'Q3', 'Q4'].map((q, i) => JSON.stringify({ q, choices: ['yes', 'no'], label: i % 2 })).join('\n') + '\n',
  'base.yaml': `task: base\n${BASE}`,
  'cyc1.yaml': 'include: cyc2.yaml\ntask: cyc1\n',
  'cyc2.yaml': 'include: cyc1.yaml\ntask: cyc2\n',
  'empty.yaml': '',
  'list.yaml': '- task: a\n- task: b\n',
  'badmetric.yaml': 'include: base.yaml\ntask: badmetric\nmetric_list:\n  - metric: acc_typo\n',
  'badfilter.yaml': 'include: base.yaml\ntask: badfilter\nfilter_list:\n  - name: f\n    filter:\n      - function: no_such_filter\n',
  'pd.yaml': 'include: base.yaml\ntask: pd\nprocess_docs: !function helpers.not_a_list\n',
  'helpers.mjs': 'export const not_a_list = (docs) => docs.length;\n',
  'fewshot.yaml': 'include: base.yaml\ntask: fewshot\nfewshot_split: test\nnum_fewshot: 5\n',
  'escape.yaml': 'include: base.yaml\ntask: x/../../../../pwned\n',
  'latin1.yaml': 'include: base.yaml\ntask: latin1\ndataset_kwargs:\n  data_files:\n    test: latin1.jsonl\n',
  'afile': 'not a folder\n',
  'longcont.yaml': 'include: base.yaml\ntask: longcont\ndoc_to_choice: ["yes", "{{q}} and then the little girl went home to her mother"]\n',
  'bigdoc.yaml': 'include: base.yaml\ntask: bigdoc\ndataset_kwargs:\n  data_files:\n    test: big.jsonl\n',
};

/** A YAML whose aliases expand to 9^9 nodes. */
function aliasBomb(): string {
  const lines = ['task: bomb', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  return lines.join('\n') + '\n';
}

type Job = { args: string[]; env?: NodeJS.ProcessEnv };
const run = (tasks: string, ...rest: string[]): Job => ({ args: ['--model', 'dummy', '--tasks', tasks, '--include_path', '.', ...rest] });

const JOBS: Record<string, Job> = {
  genKwargsAbc: run('base', '--gen_kwargs', 'max_gen_toks=abc,until='),
  genKwargsNegative: run('base', '--gen_kwargs', 'max_gen_toks=-5'),
  genKwargsEmptyUntil: run('base', '--gen_kwargs', 'until='),
  limitZero: run('base', '--limit', '0'),
  samplesUnknownTask: run('base', '--samples', '{"bsae": [0, 1]}'),
  outputIsFile: run('base', '--output_path', 'afile'),
  outputUnderFile: run('base', '--output_path', 'afile/results'),
  // found while indexing: all reported by one process
  indexStage: run('cyc1,empty.yaml,list.yaml'),
  aliasBomb: run('bomb.yaml'),
  // found while preparing tasks: all reported by one process
  prepareStage: run('badmetric,badfilter,pd,fewshot'),
  missingPretrained: { args: ['--model', 'hf', '--model_args', 'pretrained=./no_such_model_folder', '--tasks', 'base', '--include_path', '.'] },
  badDevice: { args: ['--model', 'hf', '--model_args', `pretrained=${MODEL}`, '--device', 'mps', '--tasks', 'base', '--include_path', '.'] },
  nonUtf8: run('latin1'),
  escapeName: run('escape.yaml', '--log_samples', '--output_path', 'out_escape', '--model_args', 'pretrained=../../up'),
  // inputs beyond what the model can take, refused before any scoring
  longContinuation: { args: ['--model', 'hf', '--model_args', `pretrained=${MODEL},max_length=8`, '--tasks', 'longcont', '--include_path', '.'] },
  tooBigForTransformersJs: {
    args: ['--model', 'hf', '--model_args', `pretrained=${MODEL}`, '--tasks', 'bigdoc', '--include_path', '.'],
    env: { LMEVAL_NATIVE_TOKENIZERS: '0', NODE_OPTIONS: '--max-old-space-size=256' },
  },
};

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-bad-'));
  const work = path.join(tmp, 'a', 'b', 'work'); // room above the output folder to detect escapes
  fs.mkdirSync(work, { recursive: true });
  for (const [name, text] of Object.entries(FILES)) fs.writeFileSync(path.join(work, name), text);
  fs.writeFileSync(path.join(work, 'bomb.yaml'), aliasBomb());
  // "café" in Latin-1 on the third line: é is the single byte 0xE9
  fs.writeFileSync(
    path.join(work, 'latin1.jsonl'),
    Buffer.concat([Buffer.from(FILES['docs.jsonl'].split('\n').slice(0, 2).join('\n') + '\n'), Buffer.from('{"q": "caf'), Buffer.from([0xe9]), Buffer.from('", "choices": ["yes", "no"], "label": 0}\n')]),
  );
  // a prompt of about 2 million characters (doc 1): more than transformers.js can encode in a 256 MB heap
  const big = 'Once upon a time, there was a little girl named Lily. '.repeat(37_000);
  fs.writeFileSync(path.join(work, 'big.jsonl'), [{ q: 'Q0', choices: ['yes', 'no'], label: 0 }, { q: big, choices: ['yes', 'no'], label: 1 }].map((d) => JSON.stringify(d)).join('\n') + '\n');
  const names = Object.keys(JOBS);
  const outs = await pool(
    names.map((n) => () => runCli(JOBS[n].args, { cwd: work, env: { HF_HUB_OFFLINE: '1', ...JOBS[n].env } })),
    Math.max(2, Math.min(4, os.cpus().length)),
  );
  names.forEach((n, i) => results.set(n, outs[i]));
}, 300_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function failed(name: string): CliResult {
  const r = results.get(name)!;
  expect(r.code, `${name}:\n${r.stderr}`).toBe(1);
  expect(r.stderr, name).not.toMatch(/^\s+at \S+ \(|Unhandled|node:internal|\bTypeError\b|\bRangeError\b/m);
  return r;
}

describe('bad values are refused before anything runs, naming the flag', () => {
  const cases: Array<[string, RegExp]> = [
    ['genKwargsAbc', /^Error: --gen_kwargs: max_gen_toks='abc' is not a whole number — example: --gen_kwargs /],
    ['genKwargsNegative', /^Error: --gen_kwargs: max_gen_toks=-5(\.0)? is negative — /],
    ['genKwargsEmptyUntil', /^Error: --gen_kwargs: until='' contains an empty stop sequence/],
    ['limitZero', /^Error: --limit 0 selects no documents — /],
    ['samplesUnknownTask', /^Error: --samples names 'bsae', not among the tasks being run \(base\) — /],
    ['outputIsFile', /^Error: --output_path afile: is a file, not a folder — /],
    ['outputUnderFile', /^Error: --output_path afile\/results: .*afile is a file, so no folder can be made under it — /],
    ['missingPretrained', /^Error: --model hf: pretrained=\.\/no_such_model_folder: the folder .*no_such_model_folder does not exist — /],
    ['badDevice', /^Error: --model hf: --device mps is not supported; this backend runs on cpu/],
  ];
  it.each(cases)('%s', (name, last) => {
    expect(failed(name).lastErr).toMatch(last);
  });

  it('output path problems are found before any request is sent (nothing was evaluated)', () => {
    expect(results.get('outputIsFile')!.stdout).not.toContain('|');
  });
});

describe('task-definition mistakes: every broken task named with its file, all at once', () => {
  it('index stage: include cycle, empty file, list file', () => {
    const r = failed('indexStage');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('Error: 3 entries of --tasks cannot be loaded (each is listed above)');
    const details = lines.filter((l) => l.startsWith('  - '));
    expect(details, r.stderr).toHaveLength(3);
    expect(details.join('\n')).toMatch(/task 'cyc1' \(.*cyc1\.yaml\) cannot be loaded: Include cycle: cyc1\.yaml -> cyc2\.yaml -> cyc1\.yaml/);
    expect(details.join('\n')).toMatch(/empty\.yaml is empty/);
    expect(details.join('\n')).toMatch(/list\.yaml: the top level of a task or group YAML file must be a mapping .* not a list/);
  });

  it('a YAML alias bomb is refused quickly, naming the file', () => {
    expect(failed('aliasBomb').lastErr).toMatch(/bomb\.yaml: YAML aliases expand to more than 100,000 nodes \(an alias bomb, or "billion laughs"\)/);
  });

  it('prepare stage: unknown metric and filter (task + file), process_docs non-list, few-shot pool too small', () => {
    const r = failed('prepareStage');
    expect(r.lastErr).toBe('Error: 4 tasks failed to prepare (each is listed above)');
    const d = r.stderr.split('\n').filter((l) => l.startsWith('  - ')).join('\n');
    expect(d).toMatch(/badmetric\.yaml: task 'badmetric': metric 'acc_typo' is not available/);
    expect(d).toMatch(/badfilter\.yaml: task 'badfilter': unknown filter 'no_such_filter'/);
    expect(d).toMatch(/pd\.yaml: task 'pd': process_docs \(not_a_list\) returned number 4 for split 'test', not a list of documents/);
    expect(d).toMatch(/fewshot\.yaml: task 'fewshot': 5 few-shot examples need 6 documents .* the few-shot pool, split 'test', has 4/);
  });
});

describe('inputs beyond what the model can take: refused before scoring, naming task, doc and sizes', () => {
  it('a continuation longer than max_length (lm-eval asserts it)', () => {
    expect(failed('longContinuation').lastErr).toMatch(
      /^Error: task 'longcont', doc 0 \(loglikelihood\): the continuation has \d+ tokens \(the context \d+\); the hf backend scores at most max_length=8 continuation tokens .* — Raise max_length/,
    );
  });

  it('a prompt too large for transformers.js in this heap (native tokenizers off)', () => {
    expect(failed('tooBigForTransformersJs').lastErr).toMatch(
      /^Error: task 'bigdoc', doc 1 \(loglikelihood\): the prompt has 1,998,\d{3} characters; encoding it with transformers\.js needs about 200 bytes per character, more than this process's \d+ MB heap \(at most [\d,]+ characters\)\. — Let the native tokenizers encode it/,
    );
  });
});

describe('data files', () => {
  it('a data file that is not UTF-8 fails with file, line and byte offset', () => {
    const offset = Buffer.byteLength(FILES['docs.jsonl'].split('\n').slice(0, 2).join('\n') + '\n{"q": "caf');
    expect(failed('nonUtf8').lastErr).toMatch(new RegExp(`latin1\\.jsonl: line 3, byte ${offset}: not valid UTF-8 \\(byte 0xe9\\) — Python's datasets refuses`));
  });
});

describe('names never escape the output folder', () => {
  it('a task named x/../../../../pwned and pretrained=../../up write inside --output_path', () => {
    const r = results.get('escapeName')!;
    expect(r.code, r.stderr).toBe(0);
    const work = path.join(tmp, 'a', 'b', 'work');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else files.push(path.relative(work, path.join(d, e.name)));
      }
    };
    walk(tmp);
    const written = files.filter((f) => /results_|samples_/.test(f));
    expect(written).toHaveLength(2);
    for (const f of written) expect(f.startsWith(`out_escape${path.sep}`), f).toBe(true);
    expect(written.some((f) => f.includes('samples_x__..__..__..__..__pwned_'))).toBe(true);
  });
});
