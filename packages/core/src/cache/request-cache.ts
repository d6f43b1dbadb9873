/**
 * `--cache_requests true|refresh|delete` (lm_eval/api/task.py `Task.build_all_requests`, lm_eval/caching/cache.py): the built request
 * lists of a task (per doc, the instances before any model call), stored so that a rerun skips
 * prompt building.
 *
 * Key: lm-eval's `requests-<task>-<n>shot-rank<r>-world_size<w>[-chat_template]
 * [-fewshot_as_multiturn][-system_prompt_hash<sha256>][-tokenizer<name>]`, plus (our addition)
 * `-config<hash of the task config>`, so editing a task's YAML can never silently reuse stale
 * requests. Files are JSON (Python value types preserved), not lm-eval's dill pickles.
 *
 * Evaluator contract (as lm-eval): with `true`, read the file if present; otherwise build the
 * requests for ALL docs (limit ignored), save them, then cut the in-memory list to the limit.
 * When reading, cut the cached list to the limit. `refresh` always rebuilds and overwrites;
 * `delete` calls {@link deleteRequestCache} before running and does not enable caching.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LmEvalError } from '../errors.ts';
import { JsonChatStr } from '../model/types.ts';
import type { Instance, RequestType } from '../request/instance.ts';
import { parsePyJson, pyJsonDumps } from '../python/json.ts';
import { sha256Hex } from '../python/hash.ts';
import { PyFloat, PyTuple, isPlainObject } from '../python/values.ts';
import { writeFileAtomic } from '../util/cache-files.ts';

/** Per doc, the instances built for it (lm-eval's list of per-doc instance lists). */
export type SerializedDocRequests = Instance[][];

export type CacheRequestsMode = 'true' | 'refresh' | 'delete';

export interface RequestCacheKeyParts {
  taskName: string;
  numFewshot: number;
  rank?: number;
  worldSize?: number;
  /** a chat template is applied */
  chatTemplate?: boolean;
  fewshotAsMultiturn?: boolean;
  systemInstruction?: string | null;
  /** only used when a chat template is applied (as lm-eval); `/` becomes `__` */
  tokenizerName?: string | null;
  /** {@link taskConfigHash} of the task's config */
  configHash: string;
}

/** lm-eval's request cache key, with `-config<hash>` appended. */
export function requestCacheKey(p: RequestCacheKeyParts): string {
  let key = `requests-${p.taskName}-${p.numFewshot}shot-rank${p.rank ?? 0}-world_size${p.worldSize ?? 1}`;
  if (p.chatTemplate) key += '-chat_template';
  if (p.fewshotAsMultiturn) key += '-fewshot_as_multiturn';
  if (p.systemInstruction) key += `-system_prompt_hash${sha256Hex(p.systemInstruction)}`;
  if (p.chatTemplate && p.tokenizerName) key += `-tokenizer${p.tokenizerName.replaceAll('/', '__')}`;
  return `${key}-config${p.configHash}`;
}

/**
 * A stable hash of a task config (any Python-like value): sha256 of its JSON with sorted keys,
 * first 16 hex digits. Functions hash by name (as `str(fn)`).
 */
export function taskConfigHash(config: unknown): string {
  return sha256Hex(pyJsonDumps(config, { sortKeys: true })).slice(0, 16);
}

/** `LM_HARNESS_CACHE_PATH`, else `<cwd>/.lm-eval-cache/requests`. */
export function requestCacheDir(): string {
  return process.env.LM_HARNESS_CACHE_PATH || path.join(process.cwd(), '.lm-eval-cache', 'requests');
}

// lm-eval's file suffix: sha256 of the project name (we write JSON, so `.json` not `.pickle`).
const FILE_HASH = sha256Hex('EleutherAI-lm-evaluation-harness');
const SUFFIX = `.${FILE_HASH}.json`;
const MAX_NAME_BYTES = 240;
const FORMAT = 'lm-eval-ts/request-cache/1';

/** The file for a key: `/` and `\` become `_`; over-long names end with a hash of the key. */
export function requestCacheFile(key: string, dir = requestCacheDir()): string {
  let name = key.replace(/[/\\]/g, '_');
  if (Buffer.byteLength(name + SUFFIX) > MAX_NAME_BYTES) {
    const h = sha256Hex(key).slice(0, 16);
    const room = MAX_NAME_BYTES - Buffer.byteLength(SUFFIX) - h.length - 1;
    let cut = '';
    for (const ch of name) {
      if (Buffer.byteLength(cut + ch) > room) break;
      cut += ch;
    }
    name = `${cut}-${h}`;
  }
  return path.join(dir, name + SUFFIX);
}

// Tagged JSON: tuples and chat wrappers must come back as what they were. A dict whose only key
// is a tag is itself wrapped in `{"$dict": ...}` so it cannot be mistaken for a tagged value.
const TAG_TUPLE = '$tuple';
const TAG_CHAT = '$json_chat_str';
const TAG_DICT = '$dict';
const TAGS = new Set([TAG_TUPLE, TAG_CHAT, TAG_DICT]);

function encodeValue(v: unknown, where: string): unknown {
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v ?? null;
  if (v instanceof PyFloat) return v;
  if (v instanceof JsonChatStr) return { [TAG_CHAT]: v.prompt };
  if (v instanceof PyTuple) return { [TAG_TUPLE]: v.map((x, i) => encodeValue(x, `${where}[${i}]`)) };
  if (Array.isArray(v)) return v.map((x, i) => encodeValue(x, `${where}[${i}]`));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = encodeValue(x, `${where}.${k}`);
    const keys = Object.keys(out);
    return keys.length === 1 && TAGS.has(keys[0]) ? { [TAG_DICT]: out } : out;
  }
  throw new LmEvalError(
    `--cache_requests: ${where} is a ${v?.constructor?.name ?? typeof v}, which the request cache cannot store`,
    'run without --cache_requests for this task',
  );
}

function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (!isPlainObject(v)) return v;
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const x = v[keys[0]];
    if (keys[0] === TAG_TUPLE) return PyTuple.from((x as unknown[]).map(decodeValue));
    if (keys[0] === TAG_CHAT) return JsonChatStr.of(x as string);
    if (keys[0] === TAG_DICT) {
      const inner = x as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, y] of Object.entries(inner)) out[k] = decodeValue(y);
      return out;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, y] of Object.entries(v)) out[k] = decodeValue(y);
  return out;
}

interface StoredInstance {
  request_type: RequestType;
  /** only when it is not the doc of its group */
  doc?: unknown;
  arguments: unknown;
  idx: number;
  task_name: string;
  doc_id: number;
  repeats: number;
}

/** One doc's instances; they share the doc object, stored once. */
interface StoredDoc {
  doc: unknown;
  instances: StoredInstance[];
}

/** Writes the per-doc instance lists for `key` (atomically: a crash never leaves half a file). */
export function saveCachedRequests(key: string, data: SerializedDocRequests, dir = requestCacheDir()): string {
  const docs = data.map((insts): StoredDoc => {
    const groupDoc = insts[0]?.doc ?? null;
    return {
      doc: encodeValue(groupDoc, `doc ${insts[0]?.docId}`),
      instances: insts.map((inst, k) => ({
        request_type: inst.requestType,
        ...(inst.doc === groupDoc ? {} : { doc: encodeValue(inst.doc, `doc ${inst.docId}`) }),
        arguments: encodeValue(inst.arguments, `doc ${inst.docId} request ${k} arguments`),
        idx: inst.idx,
        task_name: inst.taskName,
        doc_id: inst.docId,
        repeats: inst.repeats,
      })),
    };
  });
  const file = requestCacheFile(key, dir);
  writeFileAtomic(file, pyJsonDumps({ format: FORMAT, key, docs }, { ensureAscii: false }));
  return file;
}

/**
 * The cached per-doc instance lists for `key`, or undefined when there is no usable file (absent,
 * damaged, another format or another key). Instances come back with empty `resps`; the
 * instances of one doc share one doc object, as when built.
 */
export function loadCachedRequests(key: string, dir = requestCacheDir()): SerializedDocRequests | undefined {
  const file = requestCacheFile(key, dir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let stored: { format?: unknown; key?: unknown; docs?: unknown };
  try {
    stored = parsePyJson(text) as typeof stored;
  } catch {
    return undefined; // a damaged file is rebuilt
  }
  if (!isPlainObject(stored) || stored.format !== FORMAT || stored.key !== key || !Array.isArray(stored.docs)) return undefined;
  return (stored.docs as StoredDoc[]).map((group) => {
    const groupDoc = decodeValue(group.doc) as Instance['doc'];
    return group.instances.map(
      (s): Instance => ({
        requestType: s.request_type,
        doc: 'doc' in s ? (decodeValue(s.doc) as Instance['doc']) : groupDoc,
        arguments: decodeValue(s.arguments) as Instance['arguments'],
        idx: s.idx,
        taskName: s.task_name,
        docId: s.doc_id,
        repeats: s.repeats,
        resps: [],
        filteredResps: {},
      }),
    );
  });
}

/** Removes every request cache file in `dir` (lm-eval: prefix ""); returns how many. */
export function deleteRequestCache(dir = requestCacheDir()): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  let n = 0;
  for (const name of names) {
    if (!name.endsWith(SUFFIX)) continue;
    fs.rmSync(path.join(dir, name), { force: true });
    n++;
  }
  return n;
}
