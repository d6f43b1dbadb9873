/**
 * MERA's few-shot sampler (`!function ../custom_samplers.FewshotSampler`), ported from the
 * behaviour of MERA's benchmark_tasks/custom_samplers.py (v0.4.4 sampler API):
 *
 * - shots come from the same `meta.domain` (ruMMLU, MaMuRAMu) or the same `meta.id_task` (USE)
 *   when the evaluated doc has one; docs with a `meta.question_id` take the first n shots;
 * - the instruction appears only in the first shot (`fewshot_config.query`), later shots and the
 *   evaluated doc use `fewshot_config.doc_to_text_without_instruction`;
 * - the task config's `doc_to_text` is switched while building (and stays switched), exactly as
 *   MERA's harness does; `configs` in results are dumped before, so they show the YAML value;
 * - chat mode without multiturn draws a second sample (the RNG advances twice per doc).
 */
import type { ChatMessage, Doc } from '@lm-eval/core';
import { DefaultSampler } from '@lm-eval/core/tasks';
import { pyEquals, pyStr, pyTruthy } from '@lm-eval/core/python';

function meta(doc: Doc): Record<string, unknown> {
  const m = doc.meta;
  return m && typeof m === 'object' ? (m as Record<string, unknown>) : {};
}

export class FewshotSampler extends DefaultSampler {
  sample(n: number, doc: Doc): Doc[] {
    const m = meta(doc);
    let pool = this.docs;
    // Python truthiness of `doc["meta"].get(key, False)`, and `==` between the values
    if (pyTruthy(m.domain)) pool = pool.filter((d) => pyEquals(meta(d).domain, m.domain));
    else if (pyTruthy(m.id_task)) pool = pool.filter((d) => pyEquals(meta(d).id_task, m.id_task));
    if (pyTruthy(m.question_id)) return pool.slice(0, n);
    return this.rnd.sample(pool, n) as Doc[];
  }

  private fewshotConfig(): Record<string, unknown> {
    return (this.task.config.fewshot_config as Record<string, unknown> | undefined) ?? {};
  }

  /** k + 1 shots are drawn when the few-shot split is the test split (the doc is removed). */
  private draw(doc: Doc, k: number): Doc[] {
    const cfg = this.task.config;
    const m = cfg.fewshot_split === cfg.test_split ? k + 1 : k;
    return this.sample(m, doc)
      .filter((x) => !pyEquals(x, doc))
      .slice(0, k);
  }

  /** Sets doc_to_text to the first-shot template; returns the no-instruction template. */
  private switchTemplates(): unknown {
    const ft = this.fewshotConfig();
    const noinstr = ft.doc_to_text_without_instruction ?? this.task.config.doc_to_text;
    this.task.config.doc_to_text = ft.query ?? noinstr;
    return noinstr;
  }

  private shotText(shot: Doc, i: number, noinstr: unknown): string {
    if (i === 0) {
      const t = this.task.task.docToText(shot);
      if (typeof t === 'number') return pyStr((this.task.task.docToChoice(shot) ?? [])[t]);
      return pyStr(t);
    }
    return pyStr(this.task.renderDocToText(noinstr, shot));
  }

  private targetText(shot: Doc): string {
    const t = this.task.task.docToTarget(shot);
    if (Array.isArray(t)) return pyStr(t[0]);
    if (typeof t === 'string') return t;
    return pyStr((this.task.task.docToChoice(shot) ?? [])[Number(t)]);
  }

  private block(shots: Doc[], noinstr: unknown): string {
    let out = '';
    shots.forEach((shot, i) => {
      out += this.shotText(shot, i, noinstr) + this.task.targetDelimiter + this.targetText(shot) + this.task.fewshotDelimiter;
    });
    return out;
  }

  getContext(doc: Doc, k: number): string {
    const shots = this.draw(doc, k);
    const noinstr = this.switchTemplates();
    const text = this.block(shots, noinstr);
    this.task.config.doc_to_text = noinstr;
    return text;
  }

  getChatContext(doc: Doc, k: number, multiturn: boolean): ChatMessage[] {
    const shots = this.draw(doc, k);
    const noinstr = this.switchTemplates();
    const chat: ChatMessage[] = [];
    if (multiturn) {
      shots.forEach((shot, i) => {
        chat.push({ role: 'user', content: this.shotText(shot, i, noinstr) });
        chat.push({ role: 'assistant', content: this.targetText(shot) });
      });
    } else {
      chat.push({ role: 'user', content: this.getContext(doc, k) });
    }
    this.task.config.doc_to_text = noinstr;
    return chat;
  }
}
