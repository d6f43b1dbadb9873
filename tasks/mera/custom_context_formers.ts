/**
 * ruTiE's context former (`!function ../custom_context_formers.ruTiEContextFormer`,
 * MERA's benchmark_tasks/custom_context_formers.py). Not a random sampler: for a doc with `meta.question_id = q` of dialog `d`
 * the "shots" are the dialog's earlier questions, `docs[d*500 : d*500 + q]` of the few-shot split
 * (sorted by process_docs; MERA assumes 500 questions per dialog).
 *
 * Each doc's `instruction` has a `{context}` slot. Plain prompts (`getContext`): the earlier
 * questions are rendered with `fewshot_config.doc_to_text_without_instruction` (each ending in
 * `Ответ: RUTIE_TARGET_<i>`, filled in later by the request updater), the first one prefixed by
 * the instruction text before `{context}`, joined and followed by the few-shot delimiter; the
 * evaluated doc is **mutated**: `doc.instruction` becomes the text after `{context}` (or, without
 * earlier questions, the instruction with `{context}` removed), so that doc_to_text renders only
 * the rest of it. Chat prompts: not multiturn → one user message holding `getContext`; multiturn
 * and q > 0 → user/assistant pairs (`doc_to_text_without_target` / the rendered `doc_to_target`),
 * the first user message prefixed by the instruction's first part; multiturn and q = 0 → no
 * messages (the instruction keeps its literal `{context}`).
 */
import { LmEvalError, type ChatMessage, type Doc } from '@lm-eval/core';
import { type FewshotSampler, type SamplerInit, type TaskView } from '@lm-eval/core/tasks';
import { pyRepr, pyStr, toNumber } from '@lm-eval/core/python';

export const SPLIT_VALUE = '{context}';
const QUESTIONS_PER_DIALOG = 500;

function metaInt(doc: Doc, key: string): number {
  const meta = (doc.meta ?? {}) as Record<string, unknown>;
  const v = meta[key];
  const n = typeof v === 'string' ? Number(v) : toNumber(v);
  if (!Number.isInteger(n)) throw new LmEvalError(`ruTiEContextFormer: meta.${key} must be an integer, got ${pyRepr(v)}`);
  return n;
}

/** Python `first, second = s.split("{context}")`: exactly one slot. */
function splitInstruction(doc: Doc): [string, string] {
  const instruction = doc.instruction;
  if (typeof instruction !== 'string') throw new LmEvalError(`ruTiEContextFormer: doc.instruction must be a string, got ${pyRepr(instruction)}`);
  const parts = instruction.split(SPLIT_VALUE);
  if (parts.length !== 2) {
    throw new LmEvalError(
      `ruTiEContextFormer: the instruction must contain exactly one '${SPLIT_VALUE}' slot, found ${parts.length - 1} (ValueError in Python)`,
      'a doc is formatted only once per run; check the dataset instruction',
    );
  }
  return [parts[0], parts[1]];
}

export class ruTiEContextFormer implements FewshotSampler {
  readonly docs: Doc[];
  readonly task: TaskView;

  constructor(init: SamplerInit) {
    this.docs = init.docs;
    this.task = init.task;
  }

  private fewshotConfig(): Record<string, unknown> {
    return (this.task.config.fewshot_config as Record<string, unknown> | undefined) ?? {};
  }

  private render(template: unknown, doc: Doc): string {
    return pyStr(this.task.renderDocToText(template, doc));
  }

  /** The earlier questions of the doc's dialog (no randomness; `n` is ignored, as in MERA). */
  sample(_n: number, doc: Doc): Doc[] {
    const start = metaInt(doc, 'dialog_id') * QUESTIONS_PER_DIALOG;
    return this.docs.slice(start, start + metaInt(doc, 'question_id'));
  }

  getContext(doc: Doc, k: number): string {
    const shots = this.sample(k, doc);
    const ft = this.fewshotConfig();
    const template = ft.doc_to_text_without_instruction ?? this.task.config.doc_to_text;
    const [first, second] = splitInstruction(doc);
    const rendered = shots.map((shot, i) => (i === 0 ? first : '') + this.render(template, shot));
    doc.instruction = shots.length ? second : (doc.instruction as string).split(SPLIT_VALUE).join('');
    return rendered.join(this.task.fewshotDelimiter) + this.task.fewshotDelimiter;
  }

  getChatContext(doc: Doc, k: number, multiturn: boolean): ChatMessage[] {
    const shots = this.sample(k, doc);
    if (!multiturn) return [{ role: 'user', content: this.getContext(doc, k) }];
    const chat: ChatMessage[] = [];
    if (metaInt(doc, 'question_id') > 0) {
      const ft = this.fewshotConfig();
      const question = ft.doc_to_text_without_target ?? this.task.config.doc_to_text;
      const target = this.task.config.doc_to_target;
      const [first, second] = splitInstruction(doc);
      doc.instruction = second;
      shots.forEach((shot, i) => {
        chat.push({ role: 'user', content: (i === 0 ? first : '') + this.render(question, shot) });
        chat.push({ role: 'assistant', content: this.render(target, shot) });
      });
    }
    return chat;
  }
}
