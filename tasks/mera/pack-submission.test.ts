/**
 * The submission packer on real output files: predict-only runs of a few MERA tasks on the
 * dummy model, then packing, then reading the archives back.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluation } from '@lm-eval/core/engine';
import { sha256Hex } from '@lm-eval/core/python';
import { extractDate, packSubmission, samplesFileFor, truncateSamples } from './pack-submission.ts';
import { buildZip } from './zip.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * Reads a ZIP archive back into name → bytes with Python's zipfile (which checks every CRC), as
 * MERA's site does.
 */
function readZip(buf: Buffer): Map<string, Buffer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mera-zip-'));
  try {
    const file = path.join(dir, 'a.zip');
    writeFileSync(file, buf);
    const script = [
      'import base64, json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'bad = z.testzip()',
      'assert bad is None, bad',
      'print(json.dumps({i.filename: base64.b64encode(z.read(i)).decode() for i in z.infolist()}))',
    ].join('\n');
    const out = execFileSync('python3', ['-c', script, file], { encoding: 'utf8' });
    return new Map(Object.entries(JSON.parse(out) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let root: string;
let outputs: string;
const TASKS = ['parus', 'rutie', 'rudetox', 'use', 'ruethics', 'rcb_gen', 'multiq'];

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'mera-pack-'));
  outputs = path.join(root, 'out');
  for (const task of TASKS) {
    await runEvaluation({
      model: 'dummy',
      modelArgs: { pretrained: 'org/tiny-model' },
      modelArgsRaw: 'pretrained=org/tiny-model',
      tasks: [task],
      includePath: [HERE],
      seeds: { random: 0, numpy: 1234, torch: 1234, fewshot: 1234 },
      predictOnly: true,
      logSamples: true,
      outputPath: outputs,
      bootstrapIters: 10,
      env: { ...process.env, LM_EVAL_DATASETS_DIR: path.join(HERE, 'testdata') },
      log: () => {},
    });
  }
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const jsonl = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l.replace(/\bNaN\b/g, 'null')));

describe('pack-submission', () => {
  it('reads the date id of output files', () => {
    expect(extractDate('samples_parus_2024-10-01T12-30-05.123456.jsonl')).toBe('20241001123005123456');
    expect(() => extractDate('samples_parus.jsonl')).toThrow(/date id/);
  });

  it('builds MERA submission files from the newest samples', () => {
    const dir = path.join(outputs, 'org__tiny-model');
    const dst = path.join(root, 'submission');
    const res = packSubmission({ outputsDir: outputs, modelArgs: 'pretrained=org/tiny-model', dstDir: dst, gen: false, log: () => {} });
    expect(Object.keys(res.files).sort()).toEqual(['MultiQ', 'PARus', 'USE', 'ruDetox', 'ruEthics', 'ruTiE'].sort());
    expect(res.missing).toContain('ruMMLU');

    // multiple choice: argmax of float(ll) → label
    const parusSamples = jsonl(samplesFileFor(dir, 'parus', false)!);
    const parus = JSON.parse(readFileSync(res.files.PARus, 'utf8'));
    expect(parus.data.test).toHaveLength(parusSamples.length);
    parusSamples.forEach((s: any, i: number) => {
      const lls = s.filtered_resps.map((r: string[]) => Number(r[0]));
      expect(parus.data.test[i]).toEqual({ outputs: lls[0] >= lls[1] ? '1' : '2', meta: { id: s.doc.meta.id } });
    });
    // the file is Python json.dump(indent=4, ensure_ascii=False)
    expect(readFileSync(res.files.PARus, 'utf8')).toMatch(/^\{\n {4}"data": \{\n {8}"test": \[\n {12}\{\n {16}"outputs": /);

    const detox = JSON.parse(readFileSync(res.files.ruDetox, 'utf8'));
    const detoxSamples = jsonl(samplesFileFor(dir, 'rudetox', false)!);
    expect(detox.data.test[0].outputs).toBe(detoxSamples[0].filtered_resps[0][4]);

    const ethics = JSON.parse(readFileSync(res.files.ruEthics, 'utf8'));
    const label = ethics.data.test[0].outputs.virtue;
    expect(['0', '1']).toContain(label);
    expect(ethics.data.test[0].outputs).toEqual({ virtue: label, law: label, moral: label, justice: label, utilitarianism: label });

    const use = JSON.parse(readFileSync(res.files.USE, 'utf8'));
    expect(Object.keys(use.data.test[0].meta)).toEqual(['id', 'id_task', 'variant']);

    const tie = JSON.parse(readFileSync(res.files.ruTiE, 'utf8'));
    expect(tie.data.test.map((e: any) => e.meta)).toEqual([0, 1, 2, 3].map((q) => ({ dialog_id: 0, question_id: q })));

    // archives: the folder, and the public logs with ruTiE prompts hashed
    const zip = readZip(readFileSync(res.submissionZip));
    expect([...zip.keys()].sort()).toEqual([...readdirSync(dst)].sort());
    const logs = readZip(zip.get('logs_public.zip')!);
    const names = [...logs.keys()];
    expect(names.some((n) => n.startsWith('results_'))).toBe(true);
    expect(names.some((n) => n.startsWith('samples_rcb_gen'))).toBe(false); // _gen logs only with --gen
    const tieLog = names.find((n) => n.startsWith('samples_rutie'))!;
    const original = jsonl(path.join(dir, tieLog));
    const hashed = logs.get(tieLog)!.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(hashed[0].arguments.gen_args_0.arg_0).toBe(sha256Hex(original[0].arguments.gen_args_0.arg_0));
    expect(hashed[0].doc).toEqual(original[0].doc);
  });

  it('--gen packs the _gen samples (and the inherently generative tasks)', () => {
    const lines: string[] = [];
    const res = packSubmission({ outputsDir: path.join(outputs, 'org__tiny-model'), dstDir: path.join(root, 'gen'), gen: true, log: (l) => lines.push(l) });
    const rcb = JSON.parse(readFileSync(res.files.RCB, 'utf8'));
    const samples = jsonl(samplesFileFor(path.join(outputs, 'org__tiny-model'), 'rcb', true)!);
    expect(rcb.data.test[0].outputs).toBe(samples[0].filtered_resps[0]);
    expect(res.files.MultiQ).toBeDefined();
    // like MERA's script, a task without _gen samples falls back to its other samples (warned)
    expect(res.files.PARus).toBeDefined();
    expect(lines.some((l) => l.includes('no samples_parus_gen'))).toBe(true);
  });

  it('truncateSamples hashes the first element of chat-wrapped arguments', () => {
    const line = JSON.stringify({ arguments: { gen_args_0: { arg_0: ['[{"role": "user"}]'], arg_1: ' 1' } } });
    expect(JSON.parse(truncateSamples(line)).arguments.gen_args_0.arg_0).toBe(sha256Hex('[{"role": "user"}]'));
  });

  it('zip round trip', () => {
    const entries = [{ name: 'a.json', data: Buffer.from('{"x": 1}') }, { name: 'ruTiE.json', data: Buffer.from('x'.repeat(5000)) }];
    const back = readZip(buildZip(entries));
    expect(back.get('a.json')!.toString()).toBe('{"x": 1}');
    expect(back.get('ruTiE.json')!.length).toBe(5000);
  });
});
