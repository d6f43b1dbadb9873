/**
 * Context construction (lm_eval/api/task.py `ConfigurableTask.fewshot_context`), for both behaviour profiles:
 * description, system instruction, few-shot examples, delimiters, gen_prefix, chat templates
 * and fewshot_as_multiturn layouts.
 */
import type { ChatMessage, Context, LM } from '../model/types.ts';
import { isNumberLike, pyEquals, pyStr, toNumber } from '../python/values.ts';
import { isPyWhitespace } from '../python/str-methods.ts';
import { LmEvalError } from '../errors.ts';
import type { FewshotSampler } from './sampler.ts';
import type { Doc, DocAccessors, TaskView } from './task-view.ts';

export interface ContextOptions {
  numFewshot: number;
  systemInstruction?: string | null;
  /** render through the model's chat template */
  applyChatTemplate: boolean;
  fewshotAsMultiturn: boolean;
  lm?: LM;
  sampler?: FewshotSampler;
  /** configured few-shot split equals test_split (exclude the evaluated doc from its shots) */
  excludeEvalDoc: boolean;
  /** sampler name: first_n excludes by filtering the whole pool (latest) */
  samplerName?: string;
}

/** One context, or (multiple-input tasks) one context per choice. */
export type BuiltContext = { kind: 'single'; context: Context } | { kind: 'per-choice'; contexts: Context[] };

interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
  delimiter: string;
}

/** Python `str.isspace()` of one code point (JS `\s` differs: it accepts U+FEFF, rejects U+001C-U+001F and U+0085). */
const isSpace = (ch: string | undefined): boolean => ch !== undefined && isPyWhitespace(ch);
/** Python `s[-1]` / `s[0]`: code points, not UTF-16 units. */
const lastChar = (s: string): string | undefined => (s.length ? [...s.slice(-2)].pop() : undefined);
const firstChar = (s: string): string | undefined => (s.length ? String.fromCodePoint(s.codePointAt(0)!) : undefined);

/** Python `s[-1].isspace()` for a non-empty `s` (false for an empty one). */
export function endsWithPyWhitespace(s: string): boolean {
  return isSpace(lastChar(s));
}

/** latest `maybe_delimit`: join with `delim` unless either side is empty or has boundary whitespace. */
export function maybeDelimit(prefix: string | null | undefined, suffix: string | null | undefined, delim: string): string {
  if (!prefix) return suffix ?? '';
  if (!suffix) return prefix;
  if (isSpace(lastChar(prefix)) || isSpace(firstChar(suffix))) return prefix + suffix;
  return prefix + delim + suffix;
}

function requiresDelimiter(q: string, g: string): boolean {
  return q.length > 0 && !isSpace(lastChar(q)) && !isSpace(firstChar(g));
}

/** `isinstance(v, int)` (bool included: `c[True]` is `c[1]`) → the index, else undefined. */
function asIndex(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

function answerText(a: unknown, c: unknown[] | undefined, task: TaskView): string {
  const idx = asIndex(a);
  if (c && idx !== undefined) {
    if (idx < 0 || idx >= c.length) {
      throw new LmEvalError(`task '${task.name}': few-shot target index ${idx} is out of range for ${c.length} choices`);
    }
    return pyStr(c[idx]);
  }
  if (Array.isArray(a)) return pyStr(a[0]);
  if (typeof a === 'string') return a;
  return pyStr(a);
}

/** latest QA turn */
function qaTurn(
  messages: Message[],
  q: string,
  c: unknown[] | undefined,
  a: unknown,
  g: string | undefined,
  tgt: string,
  few: string,
  task: TaskView,
): void {
  const hasAnswer = a !== null && a !== undefined && a !== '';
  let userDelim = '';
  if (hasAnswer && !g) userDelim = tgt;
  else if (g) userDelim = requiresDelimiter(q, g) ? tgt : '';
  messages.push({ role: 'user', content: q, delimiter: userDelim });
  if (hasAnswer) {
    const answer = maybeDelimit(g, answerText(a, c, task), ' ');
    messages.push({ role: 'assistant', content: answer, delimiter: few });
  } else if (g) {
    messages.push({ role: 'assistant', content: g, delimiter: '' });
  }
}

function questionText(q: unknown, task: TaskView, what: string): string {
  if (typeof q === 'string') return q;
  throw new LmEvalError(`task '${task.name}': ${what} must render to a string, got ${pyStr(q)}`);
}

/** Draws the few-shot docs for one evaluated doc (exclusion rule of lm_eval/api/samplers.py `ContextSampler.sample`). */
export function selectShots(doc: Doc, k: number, pool: Doc[], options: ContextOptions, task: TaskView): Doc[] {
  const sampler = options.sampler;
  if (!sampler) throw new LmEvalError(`task '${task.name}': few-shot examples requested but the task has no few-shot pool`);
  if (options.excludeEvalDoc) {
    if (options.samplerName === 'first_n' && task.profile === 'latest') {
      // latest first_n: drop every doc equal to the evaluated one from the whole pool, then take n
      const rest = pool.filter((d) => !pyEquals(d, doc));
      if (rest.length < k) {
        throw new LmEvalError(
          `task '${task.name}': first_n sampler needs ${k} few-shot docs but the pool has ${rest.length} besides the evaluated doc`,
          'lower --num_fewshot or provide a larger few-shot split',
        );
      }
      return rest.slice(0, k);
    }
    return sampler
      .sample(k + 1, doc)
      .filter((d) => !pyEquals(d, doc))
      .slice(0, k);
  }
  // v0.4.4 ContextSampler.get_context removes the evaluated doc whatever the split
  // (`[x for x in fewshotex if x != doc][:num_fewshot]`, without drawing an extra one);
  // latest passes eval_doc to sample() only when the few-shot split is the test split.
  if (task.profile === '0.4.4') return sampler.sample(k, doc).filter((d) => !pyEquals(d, doc));
  return sampler.sample(k, doc);
}

function render(lm: LM | undefined, task: TaskView, messages: ChatMessage[], addGenerationPrompt: boolean): Context {
  if (!lm?.applyChatTemplate) {
    throw new LmEvalError(
      `--apply_chat_template: the model '${lm?.name ?? '?'}' has no chat template`,
      'use a model/tokenizer with a chat template, or drop --apply_chat_template',
    );
  }
  return lm.applyChatTemplate(messages, { addGenerationPrompt });
}

// ---------------------------------------------------------------------------------------------
// latest

function buildLatest(doc: Doc, task: TaskView, options: ContextOptions, pool: () => Doc[]): BuiltContext {
  const prefix: Message[] = [];
  const S = maybeDelimit(options.systemInstruction ?? '', task.description(doc), task.fewshotDelimiter);
  if (S) prefix.push({ role: 'system', content: S, delimiter: '' });
  if (options.numFewshot > 0) {
    const shots = selectShots(doc, options.numFewshot, pool(), options, task);
    for (const f of shots) {
      const acc: DocAccessors = task.fewshot;
      let q: unknown = acc.docToText(f);
      let c = acc.docToChoice(f);
      const a = acc.docToTarget(f);
      const g = acc.genPrefix(f);
      if (task.multipleInput && c) {
        const qi = asIndex(q);
        if (qi === undefined || qi < -c.length || qi >= c.length) {
          throw new LmEvalError(`task '${task.name}': multiple-input few-shot doc_to_text must be a choice index, got ${pyStr(q)}`);
        }
        q = c[qi < 0 ? qi + c.length : qi];
        c = undefined;
      }
      qaTurn(prefix, questionText(q, task, 'few-shot doc_to_text'), c, a, g, task.fewshotTargetDelimiter, task.fewshotFewshotDelimiter, task);
    }
  }
  const g = task.task.genPrefix(doc);
  const finish = (messages: Message[]): Context => {
    if (!options.applyChatTemplate) return messages.map((m) => m.content + m.delimiter).join('');
    let chat: ChatMessage[];
    if (options.fewshotAsMultiturn) {
      chat = messages.map((m) => ({ role: m.role, content: m.content }));
    } else {
      chat = [];
      let rest = messages;
      if (rest.length && rest[0].role === 'system') {
        chat.push({ role: 'system', content: rest[0].content });
        rest = rest.slice(1);
      }
      let tail: Message | undefined;
      if (rest.length && rest[rest.length - 1].role === 'assistant') {
        tail = rest[rest.length - 1];
        rest = rest.slice(0, -1);
      }
      if (rest.length) {
        const body = rest.map((m, i) => (i === rest.length - 1 ? m.content : m.content + m.delimiter)).join('');
        chat.push({ role: 'user', content: body });
      }
      if (tail) chat.push({ role: 'assistant', content: tail.content });
    }
    return render(options.lm, task, chat, !g);
  };
  if (task.multipleInput) {
    const choices = task.task.docToChoice(doc) ?? [];
    return {
      kind: 'per-choice',
      contexts: choices.map((choice) => {
        const msgs = [...prefix];
        qaTurn(msgs, pyStr(choice), undefined, undefined, g, '', '', task);
        return finish(msgs);
      }),
    };
  }
  const msgs = [...prefix];
  qaTurn(msgs, questionText(task.task.docToText(doc), task, 'doc_to_text'), task.task.docToChoice(doc), undefined, g, task.targetDelimiter, '', task);
  return { kind: 'single', context: finish(msgs) };
}

// ---------------------------------------------------------------------------------------------
// v0.4.4

function legacyAnswer(a: unknown, f: Doc, acc: DocAccessors, task: TaskView): string {
  if (Array.isArray(a)) return pyStr(a[0]);
  if (typeof a === 'string' || !('doc_to_choice' in task.config) || task.config.doc_to_choice == null) return pyStr(a);
  const c = acc.docToChoice(f) ?? [];
  return pyStr(c[toNumber(a)]);
}

function legacyQuestion(q: unknown, f: Doc, acc: DocAccessors, task: TaskView): string {
  if (isNumberLike(q) && task.config.doc_to_choice != null) return pyStr((acc.docToChoice(f) ?? [])[toNumber(q)]);
  if (Array.isArray(q)) {
    // v0.4.4 would build one prompt per element, but no request type accepts a list context
    // (lm-eval crashes later); refuse clearly instead of sending the list's repr.
    throw new LmEvalError(
      `task '${task.name}': doc_to_text returned a list (${pyStr(q)}); list-valued prompts are not supported`,
      'make doc_to_text return a string (or a choice index for multiple-input tasks)',
    );
  }
  return pyStr(q);
}

/** v0.4.4 ContextSampler.get_context: the few-shot block (each example followed by FD). */
export function legacyFewshotBlock(shots: Doc[], task: TaskView): string {
  const acc = task.fewshot;
  let out = '';
  for (const f of shots) {
    const q = legacyQuestion(acc.docToText(f), f, acc, task);
    const a = acc.docToTarget(f);
    out += q;
    if (a === '' ) continue;
    out += task.targetDelimiter + legacyAnswer(a, f, acc, task) + task.fewshotDelimiter;
  }
  return out;
}

function legacyChatShots(shots: Doc[], task: TaskView): ChatMessage[] {
  const acc = task.fewshot;
  const out: ChatMessage[] = [];
  for (const f of shots) {
    out.push({ role: 'user', content: legacyQuestion(acc.docToText(f), f, acc, task) });
    out.push({ role: 'assistant', content: legacyAnswer(acc.docToTarget(f), f, acc, task) });
  }
  return out;
}

function buildLegacy(doc: Doc, task: TaskView, options: ContextOptions, pool: () => Doc[]): BuiltContext {
  // v0.4.4 tests `system_instruction is not None` (an empty SI still adds FD before D) and joins
  // SI and D with FD without the latest whitespace check.
  const SI = options.systemInstruction;
  const D = task.description(doc);
  const S = SI != null && D ? SI + task.fewshotDelimiter + D : SI != null ? SI : D || '';
  const k = options.numFewshot;
  const sampler = options.sampler;

  // The evaluated question is read after the sampler ran: MERA's samplers switch doc_to_text.
  const question = (): unknown => task.task.docToText(doc);

  if (!options.applyChatTemplate) {
    let block = '';
    if (k > 0) {
      block = sampler?.getContext ? sampler.getContext(doc, k) : legacyFewshotBlock(selectShots(doc, k, pool(), options, task), task);
    }
    const prefix = S + block;
    const q = question();
    if (task.multipleInput) {
      const choices = task.task.docToChoice(doc) ?? [];
      return { kind: 'per-choice', contexts: choices.map((c) => prefix + pyStr(c)) };
    }
    return { kind: 'single', context: prefix + legacyQuestion(q, doc, task.task, task) };
  }

  const chat: ChatMessage[] = [];
  if (S) chat.push({ role: 'system', content: S });
  if (k > 0) {
    if (sampler?.getChatContext) chat.push(...sampler.getChatContext(doc, k, options.fewshotAsMultiturn));
    else if (options.fewshotAsMultiturn) chat.push(...legacyChatShots(selectShots(doc, k, pool(), options, task), task));
    else {
      const block = sampler?.getContext ? sampler.getContext(doc, k) : legacyFewshotBlock(selectShots(doc, k, pool(), options, task), task);
      chat.push({ role: 'user', content: block });
    }
  }
  const q = question();
  const withQuestion = (text: string): ChatMessage[] => {
    const msgs = chat.map((m) => ({ ...m }));
    if (options.fewshotAsMultiturn || msgs.length === 0 || msgs[msgs.length - 1].role === 'system') {
      msgs.push({ role: 'user', content: text });
    } else {
      msgs[msgs.length - 1].content += text;
    }
    return msgs;
  };
  if (task.multipleInput) {
    // v0.4.4: the template is applied to the few-shot part only (even when that part is empty:
    // lm-eval renders the empty chat); choices are appended after it.
    const rendered = render(options.lm, task, chat, true);
    if (typeof rendered !== 'string') {
      // lm-eval 0.4.4 fails here too (JsonChatStr + str)
      throw new LmEvalError(
        `task '${task.name}': multiple-input tasks with --apply_chat_template need a backend that renders chats to text (v0.4.4)`,
        'use a completions/HF backend, or the latest profile',
      );
    }
    const prefix = rendered;
    const choices = task.task.docToChoice(doc) ?? [];
    return { kind: 'per-choice', contexts: choices.map((c) => prefix + pyStr(c)) };
  }
  return { kind: 'single', context: render(options.lm, task, withQuestion(legacyQuestion(q, doc, task.task, task)), true) };
}

/** Builds the context(s) for one evaluated doc. Consumes the sampler's RNG as lm-eval does. */
export function buildContext(doc: Doc, task: TaskView, options: ContextOptions, pool: () => Doc[]): BuiltContext {
  return task.profile === '0.4.4' ? buildLegacy(doc, task, options, pool) : buildLatest(doc, task, options, pool);
}
