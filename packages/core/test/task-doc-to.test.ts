import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../src/errors.ts';
import { PyTuple } from '../src/python/values.ts';
import { buildTaskConfig } from '../src/task/config.ts';
import { DocFormatter, pyIsDigit } from '../src/task/doc-to.ts';
import { parseYaml } from '../src/task/yaml.ts';

function formatter(yaml: string, features: string[], profile: '0.4.4' | 'latest' = 'latest') {
  const config = buildTaskConfig(parseYaml(yaml, { file: '/t/x.yaml' }) as Record<string, unknown>, { profile, source: '/t/x.yaml' });
  return new DocFormatter({ config, features, profile });
}

const doc = { question: 'Q?', answer: '2', label: 1, choices: { text: ['a', 'b', "it's"], label: ['A', 'B', 'C'] }, answerKey: 'B', outputs: '1', lst: [1, 2] };
const F = Object.keys(doc);

describe('pyIsDigit', () => {
  it('is str.isdigit()', () => {
    expect(pyIsDigit('123')).toBe(true);
    expect(pyIsDigit('٣')).toBe(true);
    expect(pyIsDigit('²')).toBe(true);
    expect(pyIsDigit('')).toBe(false);
    expect(pyIsDigit('-1')).toBe(false);
    expect(pyIsDigit('1.0')).toBe(false);
    expect(pyIsDigit('½')).toBe(false);
  });
});

describe('doc_to_text', () => {
  it('column name -> raw value; template -> rendered; int -> as is; function -> called', () => {
    expect(formatter('task: t\ndoc_to_text: label', F).docToText(doc)).toBe(1);
    expect(formatter('task: t\ndoc_to_text: "Question: {{question}}"', F).docToText(doc)).toBe('Question: Q?');
    expect(formatter('task: t\ndoc_to_text: 0', F).docToText(doc)).toBe(0);
    const f = formatter('task: t', F);
    expect(f.docToText(doc, (d: Record<string, unknown>) => `fn:${d.question}`)).toBe('fn:Q?');
  });

  it('digits become an int only when doc_to_choice is set', () => {
    expect(formatter('task: t\ndoc_to_text: "{{answer}}"', F).docToText(doc)).toBe('2');
    expect(formatter('task: t\ndoc_to_text: "{{answer}}"\ndoc_to_choice: [x, y, z]', F).docToText(doc)).toBe(2);
    // Python's literal_eval rejects leading zeros: the same crash here
    expect(() => formatter('task: t\ndoc_to_text: "0{{answer}}"\ndoc_to_choice: [x, y]', F).docToText(doc)).toThrow(LmEvalError);
  });
});

describe('doc_to_target', () => {
  it('column keeps "1" a string (MERA), template digits -> int with choices, lists literal-evaluated', () => {
    expect(formatter('task: t\ndoc_to_target: outputs\ndoc_to_choice: ["1", "2"]', F).docToTarget(doc)).toBe('1');
    expect(formatter('task: t\ndoc_to_target: "{{outputs}}"\ndoc_to_choice: ["1", "2"]', F).docToTarget(doc)).toBe(1);
    expect(formatter('task: t\ndoc_to_target: "{{choices.label.index(answerKey)}}"\ndoc_to_choice: "{{choices.text}}"', F).docToTarget(doc)).toBe(1);
    expect(formatter('task: t\ndoc_to_target: "{{lst}}"', F).docToTarget(doc)).toEqual([1, 2]);
    expect(formatter('task: t\ndoc_to_target: "[not a literal]"', F).docToTarget(doc)).toBe('[not a literal]');
    expect(formatter('task: t\ndoc_to_target: [a, b]', F).docToTarget(doc)).toEqual(['a', 'b']);
    expect(formatter('task: t\ndoc_to_target: 3', F).docToTarget(doc)).toBe(3);
    expect(formatter('task: t\ndoc_to_target: " {{answer}}"', F).docToTarget(doc)).toBe(' 2');
  });
});

describe('doc_to_choice', () => {
  it('list, dict values, column, rendered + literal-evaluated template', () => {
    expect(formatter('task: t\ndoc_to_choice: [x, y]', F).docToChoice(doc)).toEqual(['x', 'y']);
    expect(formatter('task: t\ndoc_to_choice: {a: x, b: y}', F).docToChoice(doc)).toEqual(['x', 'y']);
    expect(formatter('task: t\ndoc_to_choice: lst', F).docToChoice(doc)).toEqual([1, 2]);
    expect(formatter('task: t\ndoc_to_choice: "{{choices.text}}"', F).docToChoice(doc)).toEqual(['a', 'b', "it's"]);
    const t = formatter('task: t\ndoc_to_choice: "(\'{{question}}\', \'x\')"', F).docToChoice(doc);
    expect(t).toBeInstanceOf(PyTuple);
    expect([...(t as unknown[])]).toEqual(['Q?', 'x']);
  });

  it('a triple-quoted Python list of choices', () => {
    const f = formatter(`task: t\ndoc_to_choice: "['''{{answer}}\\nIs the answer correct? yes''', '''{{answer}}\\nIs the answer correct? no''']"`, F);
    expect(f.docToChoice(doc)).toEqual(['2\nIs the answer correct? yes', '2\nIs the answer correct? no']);
  });

  it('unset doc_to_choice is an error', () => {
    expect(() => formatter('task: t', F).docToChoice(doc)).toThrow(/doc_to_choice was called but is not set/);
  });
});

describe('description, gen_prefix and task shape', () => {
  it('description: latest uses a doc key, 0.4.4 renders; empty -> ""', () => {
    expect(formatter('task: t\ndescription: question', F, 'latest').description(doc)).toBe('Q?');
    expect(formatter('task: t\ndescription: question', F, '0.4.4').description(doc)).toBe('question');
    expect(formatter('task: t\ndescription: "About {{answerKey}}\\n\\n"', F).description(doc)).toBe('About B\n\n');
    expect(formatter('task: t', F).description(doc)).toBe('');
  });

  it('gen_prefix: column or rendered template', () => {
    expect(formatter('task: t\ngen_prefix: answer', F).genPrefix(doc)).toBe('2');
    expect(formatter('task: t\ngen_prefix: "A: {{answerKey}}"', F).genPrefix(doc)).toBe('A: B');
    expect(formatter('task: t', F).genPrefix(doc)).toBeUndefined();
  });

  it('multiple-input (Winogrande style) and multiple-target detection from doc 0', () => {
    const wino = formatter('task: t\noutput_type: multiple_choice\ndoc_to_text: label\ndoc_to_target: answer\ndoc_to_choice: "{{choices.text}}"', F);
    expect(wino.detectShape(doc)).toEqual({ multipleInput: 3, multipleTarget: 0 });
    const multi = formatter('task: t\ndoc_to_text: question\ndoc_to_target: lst', F);
    expect(multi.detectShape(doc)).toEqual({ multipleInput: 0, multipleTarget: 2 });
    const plain = formatter('task: t\ndoc_to_text: question\ndoc_to_target: answer\ndoc_to_choice: [a, b]', F);
    expect(plain.detectShape(doc)).toEqual({ multipleInput: 0, multipleTarget: 0 });
  });
});
