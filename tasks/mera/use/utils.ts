/**
 * USE (Unified State Exam) helpers (MERA's benchmark_tasks/use/utils.py).
 *
 * - `process_docs`: adds the field `doc_to_text_without_instruction` (last key), a fixed Russian
 *   template chosen by `meta.type`, filled from `inputs` (Python `str.format`);
 * - `process_results`: `grade_norm: (score, variant, max_score)` and
 *   `grade_norm.task<id_task>: (score, id_task, max_score)`; docs without `outputs` score 0.0;
 * - scoring per `meta.type`: `matching` = number of position-wise equal items of the two comma
 *   lists (0 when their lengths differ); `text` = 1 when the prediction, stripped of digits and
 *   non-word characters and lowercased, is one of the comma-separated answers; every other type =
 *   multiple choice: 1 when the sets of comma-separated items are equal, except task "16" which
 *   gets partial credit `max(0, |answer ∩ prediction| − len(prediction) + len(answer))` (the
 *   prediction list padded with a non-matching -1 up to the answer's length);
 * - aggregations: `overall_score` = mean over variants (first-seen order) of Σscore / Σmax_score;
 *   `task_score` = mean of score / max_score. Both are NumPy means.
 */
import { LmEvalError } from '@lm-eval/core';
import { isNumberLike, npMean, pyFloat, pyRepr, pyStr, reSub, toNumber, tuple, type PyFloat } from '@lm-eval/core/python';

type Doc = Record<string, any>;

const TEMPLATES: Readonly<Record<string, string>> = {
  text: 'Задание: {task}\n{text}\nОтвет:',
  multiple_choice_options_within_text: 'Задание: {task}\n{text}\nОтвет:',
  matching: 'Задание: {task}\nТекст: {text}\nРецензии: {additional_text}\nСписок терминов:\n{choices}\nОтвет:',
  multiple_choice_based_on_text: 'Задание: {task}\nТекст: {text}\nВарианты ответа:\n{choices}\nОтвет:',
  multiple_choice_independent_options: 'Задание: {task}\nВарианты ответа:\n{choices}\nОтвет:',
};

/** `template.format(**fields)` for templates made of plain `{name}` fields. */
function formatFields(template: string, fields: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in fields)) throw new LmEvalError(`use process_docs: inputs has no field '${name}' (KeyError in Python)`);
    return pyStr(fields[name]);
  });
}

export function noInstructionText(doc: Doc): string {
  const type = doc.meta?.type;
  const template = TEMPLATES[type];
  if (template === undefined) {
    throw new LmEvalError(`use process_docs: unknown meta.type ${pyRepr(type)}`, `expected one of ${Object.keys(TEMPLATES).join(', ')}`);
  }
  return formatFields(template, doc.inputs ?? {});
}

export function process_docs(docs: Doc[]): Doc[] {
  return docs.map((doc) => ({ ...doc, doc_to_text_without_instruction: noInstructionText(doc) }));
}

export function matchingScore(answer: string, prediction: string): number {
  const pred = prediction.split(',');
  const ans = answer.split(',');
  if (ans.length !== pred.length) return 0;
  let score = 0;
  ans.forEach((a, i) => {
    if (a === pred[i]) score++;
  });
  return score;
}

export function textScore(answer: string, prediction: string): number {
  const pred = reSub('[\\d\\W]+', '', prediction).toLowerCase();
  return answer.split(',').includes(pred) ? 1 : 0;
}

export function multipleChoiceScore(answer: string, prediction: string, isTask16: boolean): number {
  const pred: unknown[] = prediction.split(',');
  const ans = answer.split(',');
  if (isTask16) {
    // Python pads with the int -1, which never equals a string item.
    while (pred.length < ans.length) pred.push(-1);
    const predSet = new Set(pred);
    const common = new Set(ans.filter((a) => predSet.has(a))).size;
    return Math.max(0, common - pred.length + ans.length);
  }
  const ansSet = new Set(ans);
  const predSet = new Set(pred as string[]);
  const common = [...ansSet].filter((a) => predSet.has(a)).length;
  return common === ansSet.size && ansSet.size === predSet.size ? 1 : 0;
}

export function getScore(type: string, idTask: unknown, answer: string, prediction: string): number {
  if (type === 'matching') return matchingScore(answer, prediction);
  if (type === 'text') return textScore(answer, prediction);
  // Python compares `id_task == "16"`: only the string "16" counts.
  return multipleChoiceScore(answer, prediction, idTask === '16');
}

export function process_results(doc: Doc, results: unknown[]): Record<string, unknown> {
  const { variant, id_task: idTask, score: maxScore, type } = doc.meta ?? {};
  const outputs = doc.outputs ?? '';
  const key = `grade_norm.task${pyStr(idTask)}`;
  if (String(outputs).length === 0) {
    return { grade_norm: tuple(pyFloat(0), variant, maxScore), [key]: tuple(pyFloat(0), idTask, maxScore) };
  }
  const prediction = results[0];
  if (typeof prediction !== 'string') throw new LmEvalError(`use process_results: expected a generated string, got ${pyRepr(prediction)}`);
  const score = getScore(type, idTask, String(outputs), prediction);
  return { grade_norm: tuple(score, variant, maxScore), [key]: tuple(score, idTask, maxScore) };
}

function triple(item: unknown, where: string): [number, unknown, number] {
  if (!Array.isArray(item) || item.length < 3 || !isNumberLike(item[0]) || !isNumberLike(item[2])) {
    throw new LmEvalError(`${where}: expected (score, key, max_score), got ${pyRepr(item)}`);
  }
  return [toNumber(item[0]), item[1], toNumber(item[2])];
}

/** Mean over variants of (sum of scores / sum of max scores). */
export function overall_score(items: unknown[]): number | PyFloat {
  const scores = new Map<string, number>();
  const maxima = new Map<string, number>();
  for (const item of items) {
    const [score, variant, max] = triple(item, 'use overall_score');
    // dict key semantics: 1 and 1.0 are the same key in Python
    const k = isNumberLike(variant) ? `n:${toNumber(variant)}` : pyRepr(variant);
    scores.set(k, (scores.get(k) ?? 0) + score);
    maxima.set(k, (maxima.get(k) ?? 0) + max);
  }
  return pyFloat(npMean([...scores].map(([k, s]) => s / maxima.get(k)!)));
}

/** Mean of score / max_score. */
export function task_score(items: unknown[]): number | PyFloat {
  return pyFloat(npMean(items.map((item) => {
    const [score, , max] = triple(item, 'use task_score');
    return score / max;
  })));
}
