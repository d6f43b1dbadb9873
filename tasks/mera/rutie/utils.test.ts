/** ruTiE hooks and context former. */
import { describe, expect, it } from 'vitest';
import { JsonChatStr, lmEvalEvents, type LmEvalEvent } from '@lm-eval/core';
import { type TaskView } from '@lm-eval/core/tasks';
import { tuple } from '@lm-eval/core/python';
import { _update_request, _update_storage, process_docs, replaceTargets } from './utils.ts';
import { ruTiEContextFormer } from '../custom_context_formers.ts';

const doc = (dialog: number, q: number, extra: Record<string, unknown> = {}) => ({
  instruction: 'Начало:\n{context}\nВопрос: {question}\n1. {choice1}\n2. {choice2}',
  inputs: { question: `q${q}`, choice1: 'да', choice2: 'нет' },
  outputs: '1',
  meta: { dialog_id: dialog, question_id: q },
  ...extra,
});

describe('process_docs', () => {
  it('sorts by (int(dialog_id), int(question_id))', () => {
    const docs = [doc(1, 0), doc(0, 10), doc(0, 2), { ...doc(0, 0), meta: { dialog_id: '0', question_id: '1' } }];
    expect(process_docs(docs).map((d) => `${d.meta.dialog_id}:${d.meta.question_id}`)).toEqual(['0:1', '0:2', '0:10', '1:0']);
  });
});

describe('request updater', () => {
  it('replaces placeholders in descending order so _1 does not clobber _10', () => {
    const answers: Record<string, string> = {};
    for (let i = 0; i < 11; i++) answers[`RUTIE_TARGET_${i}`] = i === 1 ? '1' : i === 10 ? '2' : '9';
    expect(replaceTargets('a RUTIE_TARGET_10 b RUTIE_TARGET_1', 11, { answers })).toBe('a 2 b 1');
  });
  it('fills plain and chat-wrapped contexts, and leaves requests alone on an empty storage', () => {
    const storage = { answers: { RUTIE_TARGET_0: '2' }, candidates: [] };
    const req = { doc: doc(0, 1), requestType: 'loglikelihood' as const, arguments: ['Ответ: RUTIE_TARGET_0\n\nq1', ' 1'] };
    expect(_update_request(req, storage).arguments).toEqual(['Ответ: 2\n\nq1', ' 1']);
    const chat = { doc: doc(0, 1), requestType: 'generate_until' as const, arguments: [JsonChatStr.of('[{"role": "assistant", "content": "RUTIE_TARGET_0"}]'), {}] };
    const updated = _update_request(chat, storage).arguments[0] as JsonChatStr;
    expect(updated).toBeInstanceOf(JsonChatStr);
    expect(updated.prompt).toBe('[{"role": "assistant", "content": "2"}]');
    const events: LmEvalEvent[] = [];
    const stop = lmEvalEvents.subscribe((e) => events.push(e));
    const lonely = { doc: doc(0, 3), requestType: 'loglikelihood' as const, arguments: ['RUTIE_TARGET_0', ' 1'] };
    try {
      expect(_update_request(lonely, {}).arguments[0]).toBe('RUTIE_TARGET_0');
    } finally {
      stop();
    }
    expect(events).toEqual([{ type: 'log', level: 'WARNING', source: 'mera', message: 'No previous responses logged in storage!' }]);
  });
});

describe('storage updater', () => {
  it('multiple choice: decides after both candidates (argmax), then clears them', () => {
    const req = { doc: doc(0, 4), requestType: 'loglikelihood' as const, arguments: ['c', ' 1'] };
    let s = _update_storage({}, req, tuple<unknown>(-2.5, false));
    expect(s.candidates).toEqual([-2.5]);
    s = _update_storage(s, req, tuple<unknown>(-1.5, true));
    expect(s).toEqual({ candidates: [], answers: { RUTIE_TARGET_4: '2' } });
  });
  it('multiple choice: resets on the second candidate of question 499', () => {
    const req = { doc: doc(0, 499), requestType: 'loglikelihood' as const, arguments: ['c', ' 1'] };
    const s = _update_storage({ answers: { RUTIE_TARGET_0: '1' } }, req, tuple<unknown>(-1, false));
    expect(s.candidates).toEqual([-1]);
    expect(_update_storage(s, req, tuple<unknown>(-2, false))).toEqual({});
  });
  it('generative: strips the answer, extracts a lone digit (fallback "-1"), resets at 499', () => {
    const req = (q: number) => ({ doc: doc(0, q), requestType: 'generate_until' as const, arguments: ['c', { until: ['\n'] }] });
    const s = _update_storage({}, req(0), ' Ответ: 2.');
    expect(s).toEqual({ candidates: 'Ответ: 2.', answers: { RUTIE_TARGET_0: '2' } });
    expect((_update_storage(s, req(1), 'не знаю').answers as Record<string, string>).RUTIE_TARGET_1).toBe('-1');
    expect(_update_storage(s, req(499), '1')).toEqual({});
  });
});

describe('ruTiEContextFormer', () => {
  // A TaskView stand-in whose templates are plain `{field}` formats of inputs/meta.
  const view = (config: Record<string, unknown>): TaskView =>
    ({
      config,
      fewshotDelimiter: '\n\n',
      renderDocToText: (spec: unknown, d: any) =>
        String(spec).replace(/\{(\w+)\}/g, (_, k) => String(d.inputs[k] ?? d.meta[k])),
    }) as unknown as TaskView;
  const config = {
    doc_to_text: 'unused',
    doc_to_target: 'RUTIE_TARGET_{question_id}',
    fewshot_config: { doc_to_text_without_instruction: '{question}\nОтвет: RUTIE_TARGET_{question_id}', doc_to_text_without_target: '{question}\nОтвет:' },
  };
  const pool = [doc(0, 0), doc(0, 1), doc(0, 2)];

  it('shots are the earlier questions of the dialog; the doc keeps the text after {context}', () => {
    const former = new ruTiEContextFormer({ docs: pool, task: view(config), rnd: undefined as never });
    const d = doc(0, 2);
    expect(former.sample(1, d)).toEqual([pool[0], pool[1]]);
    expect(former.getContext(d, 1)).toBe('Начало:\nq0\nОтвет: RUTIE_TARGET_0\n\nq1\nОтвет: RUTIE_TARGET_1\n\n');
    expect(d.instruction).toBe('\nВопрос: {question}\n1. {choice1}\n2. {choice2}');
  });
  it('question 0: no shots, {context} removed, the block is just the delimiter', () => {
    const former = new ruTiEContextFormer({ docs: pool, task: view(config), rnd: undefined as never });
    const d = doc(0, 0);
    expect(former.getContext(d, 1)).toBe('\n\n');
    expect(d.instruction).toBe('Начало:\n\nВопрос: {question}\n1. {choice1}\n2. {choice2}');
  });
  it('multiturn chat: user/assistant pairs; question 0 keeps its {context}', () => {
    const former = new ruTiEContextFormer({ docs: pool, task: view(config), rnd: undefined as never });
    const d = doc(0, 1);
    expect(former.getChatContext(d, 1, true)).toEqual([
      { role: 'user', content: 'Начало:\nq0\nОтвет:' },
      { role: 'assistant', content: 'RUTIE_TARGET_0' },
    ]);
    const d0 = doc(0, 0);
    expect(former.getChatContext(d0, 1, true)).toEqual([]);
    expect(d0.instruction).toContain('{context}');
  });
  it('single-turn chat: one user message with the plain block', () => {
    const former = new ruTiEContextFormer({ docs: pool, task: view(config), rnd: undefined as never });
    expect(former.getChatContext(doc(0, 1), 1, false)).toEqual([{ role: 'user', content: 'Начало:\nq0\nОтвет: RUTIE_TARGET_0\n\n' }]);
  });
});
