/**
 * TS port of lm-eval's MMLU-Pro helpers (`lm_eval/tasks/mmlu_pro/utils.py`): the chain-of-thought
 * prompt (`doc_to_text`, `fewshot_to_text`, `fewshot_to_target`) and the per-subject
 * `process_<subject>` filters, which the same file and its copies (mmlu-pro-plus, mmlu_prox, the
 * llama3 instruct variant) define identically. Recognised by the Python source
 * (tasks/python-ports.json); there is no bundled MMLU-Pro task.
 */
import { pyStrip } from '@lm-eval/core/python';

type Doc = Record<string, any>;

const CHOICES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'];

/** `format_cot_example(example, including_answer)`: question, lettered options (at most 10), then the CoT or its start. */
export function formatCotExample(example: Doc, includingAnswer = true): string {
  let prompt = 'Question:\n';
  prompt += String(example.question) + '\n';
  prompt += 'Options:\n';
  const options: unknown[] = example.options ?? [];
  for (let i = 0; i < options.length; i++) {
    if (i >= CHOICES.length) break;
    prompt += `${CHOICES[i]}. ${pyStrip(String(options[i]))}\n`;
  }
  if (includingAnswer) {
    const cot = String(example.cot_content).replaceAll("A: Let's think step by step.", "Answer: Let's think step by step.");
    prompt += cot + '\n\n';
  } else prompt += "Answer: Let's think step by step.";
  return prompt;
}

/** `format_cot_target(example)`: the CoT without its opening phrase. */
export function formatCotTarget(example: Doc): string {
  return String(example.cot_content).replaceAll("A: Let's think step by step. ", '');
}

export const doc_to_text = (doc: Doc): string => formatCotExample(doc, false);
export const fewshot_to_text = (doc: Doc): string => formatCotExample(doc, false);
export const fewshot_to_target = (doc: Doc): string => formatCotTarget(doc);

/** `process_docs(dataset, subject)`: the docs of one category. */
function bySubject(subject: string): (docs: Doc[]) => Doc[] {
  return (docs) => docs.filter((d) => d.category === subject);
}

export const process_biology = bySubject('biology');
export const process_business = bySubject('business');
export const process_chemistry = bySubject('chemistry');
export const process_computer_science = bySubject('computer science');
export const process_economics = bySubject('economics');
export const process_engineering = bySubject('engineering');
export const process_health = bySubject('health');
export const process_history = bySubject('history');
export const process_law = bySubject('law');
export const process_math = bySubject('math');
export const process_other = bySubject('other');
export const process_philosophy = bySubject('philosophy');
export const process_physics = bySubject('physics');
export const process_psychology = bySubject('psychology');
