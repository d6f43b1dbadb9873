/**
 * The real `lm-eval` binary, end to end, with the `dummy` model on fixture tasks (an
 * LM_EVAL_DATASETS_DIR mirror built in a temp dir): both command forms, ls/validate, output files,
 * the printed table, progress on a terminal, and one clear last line for every kind of bad input.
 *
 * All processes start in beforeAll, a few at a time; the tests then read their results.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORACLE, buildMirror, hasScript, pool, runCli, type CliResult } from './cli-harness.ts';

let tmp: string;
const results = new Map<string, CliResult>();
const DATE = '\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d(\\.\\d{6})?';
const TABLE_HEADER = '| Tasks  |Version|Filter|n-shot| Metric |   |Value |   |Stderr|';

/** Named invocations; each gets its own output folder under tmp. */
function jobs(): Record<string, { args: string[]; env?: NodeJS.ProcessEnv; tty?: boolean }> {
  const inc = path.join(tmp, 'mytasks');
  const jobsList: Record<string, { args: string[]; env?: NodeJS.ProcessEnv; tty?: boolean }> = {
    // --- successful runs
    legacy: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--output_path', 'out_legacy', '--log_samples', '--limit', '4'] },
    runForm: {
      args: ['run', '-M', 'dummy', '-t', 'arc_easy', '-a', 'pretrained=org/model-x', '-o', 'out_run', '-s', '--show_config', '--seed', '7', '-E', '{"arc_easy": [0, 2]}'],
    },
    shortM: { args: ['-m', 'dummy', '-t', 'arc_easy', '-L', '0.25'] },
    compat044: { args: ['--compat', '0.4.4', '-m', 'dummy', '-t', 'arc_easy', '--model_args', 'pretrained=a/b', '-o', 'out_044', '--limit', '2', '--gen_kwargs', 'temperature=0'] },
    configFile: { args: ['--config', 'run.yaml', '--limit', '3'] },
    chat: {
      args: ['--model', 'dummy', '--model_args', `chat_template_path=${path.join(ORACLE, 'oracle_chat_template.jinja')}`, '--apply_chat_template', '--tasks', 'arc_easy', '--limit', '2', '-o', 'out_chat', '--fewshot_as_multiturn', 'no'],
    },
    includeGroup: { args: ['--model', 'dummy', '--tasks', 'my_group', '--include_path', inc, '--limit', '3', '--predict_only', '-o', 'out_group'] },
    groupScored: { args: ['--model', 'dummy', '--tasks', 'my_group', '--include_path', inc, '--limit', '3'] },
    integrations: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--limit', '1', '--hf_hub_log_args', 'hub_results_org=me,push_results_to_hub=True', '--wandb_args', 'project=x'] },
    tty: { args: ['--model', 'dummy', '--tasks', 'arc_easy,hellaswag'], tty: true, env: { CI: '' } },
    ttyCi: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--limit', '2'], tty: true, env: { CI: 'true' } },
    // --- help, ls, validate
    runAlone: { args: ['run'] },
    help: { args: ['--help'] },
    version: { args: ['--version'] },
    lsTasks: { args: ['ls', 'tasks', '--include_path', inc] },
    lsGroups: { args: ['ls', 'groups', '--include_path', inc] },
    lsSubtasks: { args: ['ls', 'subtasks'] },
    lsTags: { args: ['ls', 'tags', '--include_path', inc] },
    lsAlone: { args: ['ls'] },
    validateOk: { args: ['validate', '--tasks', 'arc_easy,my_task', '--include_path', inc] },
    validateMissing: { args: ['validate', '--tasks', 'arc_easy,arc_eazy,zzz_nothing'] },
    legacyList044: { args: ['--compat', '0.4.4', '--tasks', 'list_tags', '--include_path', inc] },
    // --- bad input: each must fail with one clear last line
    badFlag: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--modle_args', 'x=1'] },
    badCommand: { args: ['rn', '--tasks', 'arc_easy'] },
    strayArg: { args: ['--model', 'dummy', 'arc_easy'] },
    missingValue: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--num_fewshot'] },
    badTask: { args: ['--model', 'dummy', '--tasks', 'arc_eazy'] },
    badModel: { args: ['--model', 'dumy', '--tasks', 'arc_easy'] },
    badModelArgs: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--model_args', 'pretrained'] },
    badModelArgsJson: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--model_args', '{"pretrained": }'] },
    badGenKwargs: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--gen_kwargs', 'temperature'] },
    badSeed: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--seed', '1,2'] },
    badSeedItem: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--seed', 'abc'] },
    badLimit: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--limit', 'ten'] },
    badSamples: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--samples', '{"arc_easy": [0,'] },
    badSamplesShape: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--samples', '{"arc_easy": "0"}'] },
    badMetadata: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--metadata', '[1, 2]'] },
    badBatch: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--batch_size', 'big'] },
    badVerbosity: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--verbosity', 'LOUD'] },
    badCompat: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--compat', '0.5'] },
    badHubArgs: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--hf_hub_log_args', 'hub_results_org=me,colour=red'] },
    samplesAndLimit: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--limit', '2', '--samples', '{"arc_easy": [0]}'] },
    logSamplesNoPath: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--log_samples'] },
    multiturnNoChat: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--fewshot_as_multiturn'] },
    noTasks: { args: ['--model', 'dummy'] },
    badConfigKey: { args: ['--config', 'bad.yaml'] },
    debugStack: { args: ['--model', 'dummy', '--tasks', 'arc_easy', '--seed', 'abc', '--verbosity', 'DEBUG'] },
  };
  return jobsList;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-eval-cli-'));
  const mirror = path.join(tmp, 'mirror');
  buildMirror(['arc_easy', 'hellaswag'], mirror);
  const inc = path.join(tmp, 'mytasks');
  fs.mkdirSync(inc);
  fs.writeFileSync(
    path.join(inc, 'my_task.yaml'),
    [
      'task: my_task',
      'tag: my_tag',
      'dataset_path: allenai/ai2_arc',
      'dataset_name: ARC-Easy',
      'output_type: multiple_choice',
      'test_split: test',
      'doc_to_text: "Q: {{question}}\\nA:"',
      'doc_to_target: "{{choices.label.index(answerKey)}}"',
      'doc_to_choice: "{{choices.text}}"',
      'metric_list:',
      '  - metric: acc',
      'metadata:',
      '  version: 2.0',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(inc, 'my_group.yaml'),
    ['group: my_group', 'task:', '  - my_task', 'aggregate_metric_list:', '  - metric: acc', '    weight_by_size: true', ''].join('\n'),
  );
  fs.writeFileSync(path.join(tmp, 'run.yaml'), ['model: dummy', 'tasks: [arc_easy]', 'limit: 1', 'output_path: out_config', 'model_args: {pretrained: cfg/model}', ''].join('\n'));
  fs.writeFileSync(path.join(tmp, 'bad.yaml'), ['model: dummy', 'tasks: arc_easy', 'modle_args: x=1', ''].join('\n'));
  const all = Object.entries(jobs()).filter(([, j]) => !j.tty || hasScript());
  const outs = await pool(
    all.map(([, j]) => () => runCli(j.args, { cwd: tmp, tty: j.tty, env: { LM_EVAL_DATASETS_DIR: mirror, HF_HUB_OFFLINE: '1', ...j.env } })),
    Math.max(2, Math.min(6, os.cpus().length)),
  );
  all.forEach(([name], i) => results.set(name, outs[i]));
}, 600_000); // ~40 CLI processes: generous for a loaded 2-core machine

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function get(name: string): CliResult {
  const r = results.get(name);
  if (!r) throw new Error(`no result for ${name}`);
  return r;
}

function ok(name: string): CliResult {
  const r = get(name);
  expect(r.code, `${name} failed:\n${r.stderr}`).toBe(0);
  return r;
}

/** Files under a folder, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

describe('lm-eval run (both forms)', () => {
  it('legacy form writes results_<date>.json and samples_<task>_<date>.jsonl and prints the table', () => {
    const r = ok('legacy');
    const files = tree(path.join(tmp, 'out_legacy'));
    expect(files).toHaveLength(2);
    // latest: no model name in the args -> a random 8-char folder
    const [res, smp] = files;
    expect(res).toMatch(new RegExp(`^[a-z0-9]{8}/results_${DATE}\\.json$`));
    expect(smp).toMatch(new RegExp(`^[a-z0-9]{8}/samples_arc_easy_${DATE}\\.jsonl$`));
    // one date id shared by both files
    expect(res.replace(/^.*results_(.*)\.json$/, '$1')).toBe(smp.replace(/^.*samples_arc_easy_(.*)\.jsonl$/, '$1'));
    const results = JSON.parse(fs.readFileSync(path.join(tmp, 'out_legacy', res), 'utf8'));
    const samples = fs.readFileSync(path.join(tmp, 'out_legacy', smp), 'utf8').trimEnd().split('\n');
    expect(samples).toHaveLength(4);
    expect(results['n-samples'].arc_easy).toEqual({ original: 8, effective: 4 });

    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('dummy ({}), gen_kwargs: ({}), limit: 4.0, num_fewshot: None, batch_size: 1');
    expect(lines[1]).toBe(TABLE_HEADER);
    expect(lines[2]).toBe('|--------|------:|------|-----:|--------|---|-----:|---|-----:|');
    const acc = results.results.arc_easy['acc,none'] as number;
    const se = results.results.arc_easy['acc_stderr,none'] as number;
    expect(lines[3]).toBe(`|arc_easy|    1.0|none  |     0|acc     |↑  |${acc.toFixed(4)}|±  |${se.toFixed(4)}|`);
    expect(lines[4]).toMatch(/^\|        \|       \|none  \|     0\|acc_norm\|↑  \|\d\.\d{4}\|±  \|\d\.\d{4}\|$/);
    expect(lines).toHaveLength(5);
    // logs on stderr name the files; no progress drawing without a terminal
    expect(r.stderr).toContain(`wrote out_legacy/${res}`);
    expect(r.stderr).not.toContain('\x1b[');
  });

  it('`run` form with short flags, --show_config, --seed, --samples', () => {
    const r = ok('runForm');
    const files = tree(path.join(tmp, 'out_run'));
    expect(files.map((f) => f.replace(new RegExp(DATE), 'DATE'))).toEqual(['org__model-x/results_DATE.json', 'org__model-x/samples_arc_easy_DATE.jsonl']);
    const text = fs.readFileSync(path.join(tmp, 'out_run', files[0]), 'utf8');
    // --show_config prints exactly the results file, then the header and table
    expect(r.stdout.startsWith(text + '\n')).toBe(true);
    const rest = r.stdout.slice(text.length + 1).split('\n');
    expect(rest[0]).toBe("dummy ({'pretrained': 'org/model-x'}), gen_kwargs: ({}), limit: None, num_fewshot: None, batch_size: 1");
    expect(rest[1]).toBe(TABLE_HEADER);
    const results = JSON.parse(text);
    expect(results.config.model_args).toEqual({ pretrained: 'org/model-x' });
    expect([results.config.random_seed, results.config.numpy_seed, results.config.torch_seed, results.config.fewshot_seed]).toEqual([7, 7, 7, 7]);
    expect(results['n-samples'].arc_easy.effective).toBe(2);
    const docIds = fs
      .readFileSync(path.join(tmp, 'out_run', files[1]), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).doc_id);
    expect(docIds).toEqual([0, 2]);
  });

  it('v0.4.4 short -m and a fractional --limit', () => {
    const r = ok('shortM');
    expect(r.stdout.split('\n')[0]).toBe('dummy ({}), gen_kwargs: ({}), limit: 0.25, num_fewshot: None, batch_size: 1');
    expect(r.stderr).toContain('WARNING: --limit SHOULD ONLY BE USED FOR TESTING');
  });

  it('--compat 0.4.4 records model_args as the raw string and prints the 0.4.4 header', () => {
    const r = ok('compat044');
    expect(r.stdout.split('\n')[0]).toBe('dummy (pretrained=a/b), gen_kwargs: (temperature=0), limit: 2.0, num_fewshot: None, batch_size: 1');
    const [file] = tree(path.join(tmp, 'out_044'));
    expect(file).toMatch(new RegExp(`^a__b/results_${DATE}\\.json$`));
    const results = JSON.parse(fs.readFileSync(path.join(tmp, 'out_044', file), 'utf8'));
    expect(results.config.model_args).toBe('pretrained=a/b');
    expect(results.config.gen_kwargs).toEqual({ temperature: 0 });
    expect(results.config.device).toBeNull();
  });

  it('--config YAML supplies options; the command line wins', () => {
    ok('configFile');
    const [file] = tree(path.join(tmp, 'out_config'));
    expect(file).toMatch(/^cfg__model\/results_/);
    const results = JSON.parse(fs.readFileSync(path.join(tmp, 'out_config', file), 'utf8'));
    expect(results.config.limit).toBe(3);
    expect(results['n-samples'].arc_easy.effective).toBe(3);
  });

  it('--apply_chat_template with --fewshot_as_multiturn <value>', () => {
    ok('chat');
    const [file] = tree(path.join(tmp, 'out_chat'));
    const results = JSON.parse(fs.readFileSync(path.join(tmp, 'out_chat', file), 'utf8'));
    expect(results.fewshot_as_multiturn).toBe(false); // 'no' parses as false
    expect(results.chat_template_sha).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--include_path task folder, a group, --predict_only (implies samples)', () => {
    const r = ok('includeGroup');
    const files = tree(path.join(tmp, 'out_group')).map((f) => f.replace(new RegExp(DATE), 'DATE'));
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^[a-z0-9]{8}\/results_DATE\.json$/);
    expect(files[1]).toMatch(/^[a-z0-9]{8}\/samples_my_task_DATE\.jsonl$/);
    // latest: multiple-choice tasks return no metrics under predict_only (n-samples effective 0)
    const results = JSON.parse(fs.readFileSync(path.join(tmp, 'out_group', tree(path.join(tmp, 'out_group'))[0]), 'utf8'));
    expect(results['n-samples'].my_task).toEqual({ original: 8, effective: 0 });
    expect(results.config.limit).toBe(3);
    expect(r.stdout.split('\n')[1]).toMatch(/^\|Tasks\|Version\|/);
  });

  it('prints a Groups table when a group aggregates', () => {
    const r = ok('groupScored');
    const tables = r.stdout.trimEnd().split('\n\n');
    expect(tables).toHaveLength(2);
    const [tasks, groups] = tables.map((t) => t.split('\n'));
    expect(tasks[1]).toMatch(/^\|\s+Tasks\s+\|Version\|/);
    // latest: the group first, members indented under it
    expect(tasks[3]).toMatch(/^\|my_group\s*\|/);
    expect(tasks[4]).toMatch(/^\| - my_task\|2\.0\s*\|none\s*\|\s+0\|acc\s*\|↑\s*\|\d\.\d{4}\|±\s*\|\d\.\d{4}\|$/);
    expect(groups[0]).toMatch(/^\|\s+Groups\s+\|Version\|/);
    expect(groups[2]).toMatch(/^\|my_group\|/);
  });

  it('--hf_hub_log_args / --wandb_args are validated and said to be unsupported', () => {
    const r = ok('integrations');
    expect(r.stderr).toMatch(/WARNING: --hf_hub_log_args: logging to the Hugging Face Hub is not supported/);
    expect(r.stderr).toMatch(/WARNING: --wandb_args: logging to Weights & Biases is not supported/);
  });
});

describe.runIf(hasScript())('progress', () => {
  it('draws phases and requests done/total on a terminal', () => {
    const r = ok('tty');
    expect(r.stdout).toContain('\r\x1b[2K');
    expect(r.stdout).toMatch(/indexing tasks…/);
    expect(r.stdout).toMatch(/loading dataset for hellaswag…/);
    expect(r.stdout).toMatch(/loglikelihood requests: 0\/64 \(0%\)/);
    expect(r.stdout).toMatch(/loglikelihood requests: 64\/64 \(100%\)/);
    // the status line is erased before the results
    expect(r.stdout).toMatch(/\r\x1b\[2Kdummy \(\{\}\), gen_kwargs/);
  });

  it('draws nothing on a terminal when CI is set', () => {
    const r = ok('ttyCi');
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout).toContain('dummy ({}), gen_kwargs');
  });
});

describe('help, ls, validate', () => {
  it('`lm-eval run` alone and `--help` print help; --version', () => {
    expect(ok('runAlone').stdout).toMatch(/Usage: lm-eval run \[options\][\s\S]*-M, --model <name>[\s\S]*--model_args <args\.\.\.>/);
    expect(ok('help').stdout).toMatch(/Commands:[\s\S]*run[\s\S]*ls[\s\S]*validate/);
    expect(ok('version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('ls tasks prints the group, tag and task tables; include_path files in full', () => {
    const out = ok('lsTasks').stdout;
    const tables = out.trimEnd().split('\n\n');
    expect(tables).toHaveLength(3);
    expect(tables[0].split('\n')[0]).toMatch(/^\|\s+Group\s+\|\s+Config Location\s+\|$/);
    expect(tables[1].split('\n')[0]).toMatch(/^\|\s+Tag\s+\|$/);
    expect(tables[2].split('\n')[0]).toMatch(/^\|\s+Task\s+\|\s+Config Location\s+\|\s+Output Type\s+\|$/);
    expect(tables[0]).toMatch(new RegExp(`\\|my_group\\s*\\|${path.join(tmp, 'mytasks', 'my_group.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\|`));
    expect(tables[1]).toMatch(/\|my_tag\s*\|/);
    expect(tables[1]).toMatch(/\|ai2_arc\s*\|/);
    expect(tables[2]).toMatch(/\|arc_easy\s+\|lm_eval\/tasks\/arc\/arc_easy\.yaml\s*\|multiple_choice\s*\|/);
    expect(tables[2]).toMatch(/\|my_task\s+\|/);
  });

  it('ls groups / subtasks / tags print one table each; ls alone prints help', () => {
    const g = ok('lsGroups').stdout;
    expect(g.split('\n')[0]).toMatch(/^\|\s+Group\s+\|/);
    expect(g).toContain('|my_group');
    expect(g).not.toContain('Tag');
    const s = ok('lsSubtasks').stdout;
    expect(s.split('\n')[0]).toMatch(/^\|\s+Task\s+\|/);
    expect(s).not.toContain('my_task'); // no --include_path here
    const t = ok('lsTags').stdout;
    expect(t.trimEnd().split('\n\n')).toHaveLength(1);
    expect(t).toContain('|my_tag');
    expect(ok('lsAlone').stdout).toMatch(/Usage: lm-eval ls/);
  });

  it('validate', () => {
    expect(ok('validateOk').stdout).toBe("Validating tasks: ['arc_easy', 'my_task']\n2 of 2 tasks configure\n");
    const r = get('validateMissing');
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe("Validating tasks: ['arc_easy', 'arc_eazy', 'zzz_nothing']");
    expect(lines[1]).toMatch(/^Tasks not found: arc_eazy, zzz_nothing — Did you mean: arc_eazy -> arc_easy/);
    expect(lines).toHaveLength(2);
  });

  it('--compat 0.4.4 --tasks list_tags lists as v0.4.4 does', () => {
    const out = ok('legacyList044').stdout;
    expect(out.split('\n')[0]).toMatch(/^\|\s+Tag\s+\|$/);
    expect(out).toContain('|my_tag');
  });
});

describe('bad input: non-zero exit, one clear last line, no stack trace', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['badFlag', 2, /^Error: unknown option '--modle_args' — did you mean --model_args\? \(see `lm-eval run --help`\)$/],
    ['badCommand', 2, /^Error: unknown command 'rn' — did you mean 'run'\?/],
    ['strayArg', 2, /^Error: unexpected argument 'arc_easy' — every value needs its flag, e\.g\. --tasks arc_easy/],
    ['missingValue', 2, /^Error: option '-f, --num_fewshot <n>' argument missing/],
    ['badTask', 1, /^Error: Tasks not found: arc_eazy — Did you mean: arc_eazy -> arc_easy\..*lm-eval ls tasks/],
    ['badModel', 1, /^Error: unknown model 'dumy' \(did you mean 'dummy'\?\) — --model must be one of: anthropic-chat-completions, anthropic-completions, dummy, gguf, hf, /],
    ['badModelArgs', 1, /^Error: --model_args: 'pretrained' is not a key=value pair — example: --model_args pretrained=/],
    ['badModelArgsJson', 1, /^Error: --model_args: \{"pretrained": \} is not a valid JSON object \(.+\) — example: /],
    ['badGenKwargs', 1, /^Error: --gen_kwargs: 'temperature' is not a key=value pair — example: --gen_kwargs temperature=0/],
    ['badSeed', 1, /^Error: --seed: expected 1, 3 or 4 comma-separated values, got 2 \('1,2'\) — example: --seed 1234/],
    ['badSeedItem', 1, /^Error: --seed: 'abc' is not an integer or None — example/],
    ['badLimit', 1, /^Error: --limit: 'ten' is not a number — use a doc count \(--limit 10\)/],
    ['badSamples', 1, /^Error: --samples: '\{"arc_easy": \[0,' is neither valid JSON nor an existing file \(.+\) — example: --samples/],
    ['badSamplesShape', 1, /^Error: --samples: the value for 'arc_easy' must be a list of non-negative doc indexes — example/],
    ['badMetadata', 1, /^Error: --metadata: expected a JSON object, got '\[1, 2\]' — example: --metadata/],
    ['badBatch', 1, /^Error: --batch_size: 'big' is not an integer, 'auto' or 'auto:N' — example/],
    ['badVerbosity', 1, /^Error: --verbosity: 'LOUD' is not a log level — use one of: DEBUG, INFO, WARNING, ERROR, CRITICAL$/],
    ['badCompat', 2, /^Error: option '--compat <profile>' argument '0\.5' is invalid\. Allowed choices are 0\.4\.4, latest\./],
    ['badHubArgs', 1, /^Error: --hf_hub_log_args: unknown key 'colour' — allowed: hub_results_org, /],
    ['samplesAndLimit', 1, /^Error: --samples and --limit cannot be used together — keep one of them$/],
    ['logSamplesNoPath', 1, /^Error: --log_samples needs --output_path — add --output_path <folder>$/],
    ['multiturnNoChat', 1, /^Error: --fewshot_as_multiturn needs --apply_chat_template — /],
    ['noTasks', 1, /^Error: no tasks given — pass --tasks/],
    ['badConfigKey', 1, /^Error: --config bad\.yaml: unknown option 'modle_args' — allowed keys: /],
  ];
  it.each(cases)('%s', (name, code, line) => {
    const r = get(name);
    expect(r.code, r.stderr).toBe(code);
    expect(r.lastErr).toMatch(line);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
    // nothing written anywhere
  });

  it('--verbosity DEBUG adds the stack trace before the same last line', () => {
    const r = get('debugStack');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\s+at /m);
    expect(r.lastErr).toMatch(/^Error: --seed: 'abc' is not an integer or None/);
  });
});
