/**
 * Generated task folders for the whole-run benchmark: deterministic TinyStories-style English
 * (the bundled stories260K tokenizer knows these words), one folder per workload, usable with
 * `--include_path`.
 *
 * - `bench_mc`: multiple_choice, 4 choices sharing one context (loglikelihood; docs × 4 requests),
 *   metrics acc / acc_norm;
 * - `bench_gen`: generate_until with short answers (`until: ["\n", "."]`, max_gen_toks 8),
 *   exact_match;
 * - `bench_rolling`: loglikelihood_rolling over short stories, word/byte perplexity and bits per byte.
 */
import fs from 'node:fs';
import path from 'node:path';

export type WorkloadKind = 'mc' | 'gen' | 'rolling';

export const TASK_NAME: Record<WorkloadKind, string> = { mc: 'bench_mc', gen: 'bench_gen', rolling: 'bench_rolling' };

const NAMES = ['Lily', 'Tom', 'Sam', 'Mia', 'Ben', 'Sue', 'Max', 'Anna'];
const PLACES = ['park', 'garden', 'house', 'forest', 'beach', 'school', 'shop', 'farm'];
const THINGS = ['ball', 'cat', 'dog', 'tree', 'bird', 'cake', 'toy', 'book', 'boat', 'flower', 'hat', 'box'];
const FEELINGS = ['happy', 'sad', 'tired', 'excited', 'scared', 'proud'];
const VERBS = ['saw', 'found', 'wanted', 'liked', 'lost', 'made'];

/** mulberry32: a small deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, xs: T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function sentence(r: () => number): string {
  return `${pick(r, NAMES)} went to the ${pick(r, PLACES)} and ${pick(r, VERBS)} a ${pick(r, THINGS)}. ${pick(r, NAMES)} was ${pick(r, FEELINGS)}.`;
}

function mcDocs(n: number): unknown[] {
  const r = rng(13);
  const docs = [];
  for (let i = 0; i < n; i++) {
    const opts = new Set<string>();
    while (opts.size < 4) opts.add(pick(r, THINGS));
    docs.push({ id: i, context: `${sentence(r)} Then ${pick(r, NAMES)} ${pick(r, VERBS)} a`, choices: [...opts], label: Math.floor(r() * 4) });
  }
  return docs;
}

function genDocs(n: number): unknown[] {
  const r = rng(14);
  const docs = [];
  for (let i = 0; i < n; i++) docs.push({ id: i, prompt: `${sentence(r)} Who went to the ${pick(r, PLACES)}?`, answer: pick(r, NAMES) });
  return docs;
}

function rollingDocs(n: number): unknown[] {
  const r = rng(15);
  const docs = [];
  for (let i = 0; i < n; i++) docs.push({ id: i, text: `${sentence(r)} ${sentence(r)}` });
  return docs;
}

const YAML: Record<WorkloadKind, string> = {
  mc: `task: bench_mc
dataset_path: json
dataset_kwargs:
  data_files:
    test: docs.jsonl
output_type: multiple_choice
test_split: test
doc_to_text: "{{context}}"
doc_to_choice: "{{choices}}"
doc_to_target: "{{label}}"
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
  - metric: acc_norm
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
`,
  gen: `task: bench_gen
dataset_path: json
dataset_kwargs:
  data_files:
    test: docs.jsonl
output_type: generate_until
test_split: test
doc_to_text: "{{prompt}}"
doc_to_target: "{{answer}}"
generation_kwargs:
  until:
    - "\\n"
    - "."
  max_gen_toks: 8
  do_sample: false
filter_list:
  - name: "strip"
    filter:
      - function: "regex"
        regex_pattern: "[A-Za-z]+"
      - function: "take_first"
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
`,
  rolling: `task: bench_rolling
dataset_path: json
dataset_kwargs:
  data_files:
    test: docs.jsonl
output_type: loglikelihood_rolling
test_split: test
doc_to_text: ""
doc_to_target: "{{text}}"
metric_list:
  - metric: word_perplexity
    aggregation: weighted_perplexity
    higher_is_better: false
  - metric: byte_perplexity
    aggregation: weighted_perplexity
    higher_is_better: false
  - metric: bits_per_byte
    aggregation: bits_per_byte
    higher_is_better: false
metadata:
  version: 1.0
`,
};

/** Writes `<dir>/<task>/{<task>.yaml,docs.jsonl}` and returns the task folder. */
export function writeWorkload(dir: string, kind: WorkloadKind, docs: number): string {
  const folder = path.join(dir, TASK_NAME[kind]);
  fs.mkdirSync(folder, { recursive: true });
  const rows = kind === 'mc' ? mcDocs(docs) : kind === 'gen' ? genDocs(docs) : rollingDocs(docs);
  fs.writeFileSync(path.join(folder, `${TASK_NAME[kind]}.yaml`), YAML[kind]);
  fs.writeFileSync(path.join(folder, 'docs.jsonl'), rows.map((x) => JSON.stringify(x)).join('\n') + '\n');
  return folder;
}
