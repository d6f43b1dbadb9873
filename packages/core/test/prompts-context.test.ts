/**
 * Context construction (lm_eval/api/task.py `ConfigurableTask.fewshot_context`, lm_eval/api/utils.py
 * `maybe_delimit`), checked against worked examples and rules, for both profiles, plain text and chat layouts.
 */
import { describe, expect, it } from 'vitest';
import { buildContext, maybeDelimit, type BuiltContext } from '../src/prompt/context.ts';
import { LmEvalError } from '../src/errors.ts';
import type { Doc } from '../src/prompt/task-view.ts';
import { fixedSampler, makeView, plainOptions, RecordingChatLM, type ViewSpec } from './prompts-helpers.ts';

const SHOTS: Doc[] = [
  { q: '2+2?', a: '4' },
  { q: '3+3?', a: '6' },
];
const EVAL: Doc = { q: '5+5?' };
const DESC = 'Answer the questions.\n\n';

function single(b: BuiltContext): unknown {
  expect(b.kind).toBe('single');
  return b.kind === 'single' ? b.context : undefined;
}

function perChoice(b: BuiltContext): unknown[] {
  expect(b.kind).toBe('per-choice');
  return b.kind === 'per-choice' ? b.contexts : [];
}

/** plain-text prompt for EVAL with the two SHOTS */
function plain(spec: ViewSpec, opts: { si?: string | null; shots?: Doc[]; doc?: Doc } = {}): unknown {
  const shots = opts.shots ?? SHOTS;
  const view = makeView(spec);
  return single(
    buildContext(
      opts.doc ?? EVAL,
      view,
      plainOptions({ numFewshot: shots.length, systemInstruction: opts.si ?? null, sampler: fixedSampler(shots) }),
      () => shots,
    ),
  );
}

function chat(
  spec: ViewSpec,
  opts: { si?: string | null; shots?: Doc[]; multiturn: boolean; doc?: Doc },
): { lm: RecordingChatLM; built: BuiltContext } {
  const shots = opts.shots ?? SHOTS;
  const lm = new RecordingChatLM();
  const built = buildContext(
    opts.doc ?? EVAL,
    makeView(spec),
    plainOptions({
      numFewshot: shots.length,
      systemInstruction: opts.si ?? null,
      sampler: fixedSampler(shots),
      applyChatTemplate: true,
      fewshotAsMultiturn: opts.multiturn,
      lm,
    }),
    () => shots,
  );
  return { lm, built };
}

describe('latest maybe_delimit', () => {
  it('uses the other side when one is empty or None', () => {
    expect(maybeDelimit(null, 'D', '\n\n')).toBe('D');
    expect(maybeDelimit('', 'D', '\n\n')).toBe('D');
    expect(maybeDelimit('S', undefined, '\n\n')).toBe('S');
    expect(maybeDelimit('S', '', '\n\n')).toBe('S');
    expect(maybeDelimit(null, null, '\n\n')).toBe('');
  });

  it('inserts the delimiter only without boundary whitespace (Python str.isspace)', () => {
    expect(maybeDelimit('S', 'D', '|')).toBe('S|D');
    expect(maybeDelimit('S\n', 'D', '|')).toBe('S\nD');
    expect(maybeDelimit('S', ' D', '|')).toBe('S D');
    expect(maybeDelimit('S\t', '\tD', '|')).toBe('S\t\tD');
    // U+0085 and U+001F are whitespace for Python (not for JS \s); U+FEFF is the other way round
    expect(maybeDelimit('S\u0085', 'D', '|')).toBe('S\u0085D');
    expect(maybeDelimit('S', '\u001fD', '|')).toBe('S\u001fD');
    expect(maybeDelimit('S\ufeff', 'D', '|')).toBe('S\ufeff|D');
    expect(maybeDelimit('S\u3000', 'D', '|')).toBe('S\u3000D');
    // boundary = code points: an astral character is not whitespace
    expect(maybeDelimit('S😀', 'D', '|')).toBe('S😀|D');
  });
});

describe('latest plain text', () => {
  it('worked example with description', () => {
    expect(plain({ description: DESC })).toBe(
      'Answer the questions.\n\nQuestion: 2+2?\nAnswer: 4\n\nQuestion: 3+3?\nAnswer: 6\n\nQuestion: 5+5?\nAnswer:',
    );
  });

  it('worked example with gen_prefix "The answer is"', () => {
    expect(plain({ description: DESC, genPrefix: 'The answer is' })).toBe(
      'Answer the questions.\n\nQuestion: 2+2?\nAnswer: The answer is 4\n\nQuestion: 3+3?\nAnswer: The answer is 6\n\nQuestion: 5+5?\nAnswer: The answer is',
    );
  });

  it('gen_prefix boundaries: no delimiter after a question ending in whitespace; no extra space before the answer', () => {
    const docToText = (d: Doc) => `Q: ${String(d.q)}\nA: `;
    expect(plain({ docToText, genPrefix: 'So' }, { shots: [SHOTS[0]] })).toBe('Q: 2+2?\nA: So 4\n\nQ: 5+5?\nA: So');
    expect(plain({ genPrefix: 'The answer is ' }, { shots: [SHOTS[0]] })).toBe(
      'Question: 2+2?\nAnswer: The answer is 4\n\nQuestion: 5+5?\nAnswer: The answer is ',
    );
    expect(plain({ genPrefix: ' The answer is' }, { shots: [SHOTS[0]] })).toBe(
      'Question: 2+2?\nAnswer: The answer is 4\n\nQuestion: 5+5?\nAnswer: The answer is',
    );
  });

  it('SI "Be brief.\\n" + description: no FD (SI ends with whitespace)', () => {
    expect(plain({ description: DESC }, { si: 'Be brief.\n' })).toBe(
      'Be brief.\nAnswer the questions.\n\nQuestion: 2+2?\nAnswer: 4\n\nQuestion: 3+3?\nAnswer: 6\n\nQuestion: 5+5?\nAnswer:',
    );
  });

  it('SI "Be brief." + description: joined by FD', () => {
    expect(plain({ description: DESC }, { si: 'Be brief.' })).toBe(
      'Be brief.\n\nAnswer the questions.\n\nQuestion: 2+2?\nAnswer: 4\n\nQuestion: 3+3?\nAnswer: 6\n\nQuestion: 5+5?\nAnswer:',
    );
  });

  it('SI "Be brief." without description is glued to the first question', () => {
    expect(plain({}, { si: 'Be brief.' })).toBe('Be brief.Question: 2+2?\nAnswer: 4\n\nQuestion: 3+3?\nAnswer: 6\n\nQuestion: 5+5?\nAnswer:');
    expect(plain({}, { si: 'Be brief.\n' })).toBe('Be brief.\nQuestion: 2+2?\nAnswer: 4\n\nQuestion: 3+3?\nAnswer: 6\n\nQuestion: 5+5?\nAnswer:');
  });

  it('description starting with whitespace: no FD', () => {
    expect(plain({ description: ' Answer.\n' }, { si: 'Be brief.', shots: [] })).toBe('Be brief. Answer.\nQuestion: 5+5?\nAnswer:');
  });

  it('has_answer: int 0 is an answer (indexes the choices); bool indexes as int', () => {
    const docToChoice = () => ['zero', 'one'];
    expect(plain({ docToChoice }, { shots: [{ q: 'first?', a: 0 }] })).toBe('Question: first?\nAnswer: zero\n\nQuestion: 5+5?\nAnswer:');
    expect(plain({ docToChoice }, { shots: [{ q: 'second?', a: 1 }] })).toBe('Question: second?\nAnswer: one\n\nQuestion: 5+5?\nAnswer:');
    expect(plain({ docToChoice }, { shots: [{ q: 'b?', a: true }] })).toBe('Question: b?\nAnswer: one\n\nQuestion: 5+5?\nAnswer:');
  });

  it('answer text: list target -> first element; string target used even with choices', () => {
    expect(plain({}, { shots: [{ q: 'l?', a: ['x', 'y'] }] })).toBe('Question: l?\nAnswer: x\n\nQuestion: 5+5?\nAnswer:');
    expect(plain({ docToChoice: () => ['zero', 'one'] }, { shots: [{ q: 's?', a: 'free text' }] })).toBe(
      'Question: s?\nAnswer: free text\n\nQuestion: 5+5?\nAnswer:',
    );
  });

  it('empty-string target: no answer, no delimiters (without gen_prefix)', () => {
    expect(plain({}, { shots: [{ q: 'e?', a: '' }] })).toBe('Question: e?\nAnswer:Question: 5+5?\nAnswer:');
    expect(plain({}, { shots: [{ q: 'n?', a: null }] })).toBe('Question: n?\nAnswer:Question: 5+5?\nAnswer:');
    // with a gen_prefix the shot still gets TD + GP (assistant(GP), delimiter "")
    expect(plain({ genPrefix: 'GP' }, { shots: [{ q: 'e?', a: '' }] })).toBe('Question: e?\nAnswer: GPQuestion: 5+5?\nAnswer: GP');
  });

  it('few-shot delimiters come from fewshot_config; the eval doc uses the task TD', () => {
    expect(plain({ fewshotTargetDelimiter: '=', fewshotFewshotDelimiter: '|' })).toBe(
      'Question: 2+2?\nAnswer:=4|Question: 3+3?\nAnswer:=6|Question: 5+5?\nAnswer:',
    );
    // the SI/description join uses the task fewshot_delimiter
    expect(plain({ description: 'D', fewshotFewshotDelimiter: '|' }, { si: 'S', shots: [] })).toBe('S\n\nDQuestion: 5+5?\nAnswer:');
  });

  it('eval doc_to_text must be a string', () => {
    expect(() => plain({ docToText: () => 3 }, { shots: [] })).toThrow(LmEvalError);
  });
});

describe('latest chat', () => {
  const S = 'Be brief.\n\nAnswer the questions.\n\n';

  it('fewshot_as_multiturn: messages as is, system kept, generation prompt added', () => {
    const { lm } = chat({ description: DESC }, { si: 'Be brief.', multiturn: true });
    expect(lm.calls).toEqual([
      {
        messages: [
          { role: 'system', content: S },
          { role: 'user', content: 'Question: 2+2?\nAnswer:' },
          { role: 'assistant', content: '4' },
          { role: 'user', content: 'Question: 3+3?\nAnswer:' },
          { role: 'assistant', content: '6' },
          { role: 'user', content: 'Question: 5+5?\nAnswer:' },
        ],
        addGenerationPrompt: true,
      },
    ]);
  });

  it('multiturn with gen_prefix: final assistant(GP), continue_final_message (no generation prompt)', () => {
    const { lm } = chat({ genPrefix: 'The answer is' }, { multiturn: true });
    expect(lm.calls[0]).toEqual({
      messages: [
        { role: 'user', content: 'Question: 2+2?\nAnswer:' },
        { role: 'assistant', content: 'The answer is 4' },
        { role: 'user', content: 'Question: 3+3?\nAnswer:' },
        { role: 'assistant', content: 'The answer is 6' },
        { role: 'user', content: 'Question: 5+5?\nAnswer:' },
        { role: 'assistant', content: 'The answer is' },
      ],
      addGenerationPrompt: false,
    });
  });

  it('collapsed (not multiturn): worked example, eval delimiter removed', () => {
    const { lm } = chat({}, { multiturn: false });
    expect(lm.calls[0]).toEqual({
      messages: [{ role: 'user', content: 'Question: 2+2?\nAnswer: 4\n\nQuestion: 3+3?\nAnswer: 6\n\nQuestion: 5+5?\nAnswer:' }],
      addGenerationPrompt: true,
    });
  });

  it('collapsed keeps the system message and a trailing assistant(GP) separate', () => {
    const { lm } = chat({ description: DESC, genPrefix: 'The answer is' }, { si: 'Be brief.', multiturn: false });
    expect(lm.calls[0]).toEqual({
      messages: [
        { role: 'system', content: S },
        {
          role: 'user',
          // the eval user message's own delimiter (TD, as GP needs one) is dropped
          content: 'Question: 2+2?\nAnswer: The answer is 4\n\nQuestion: 3+3?\nAnswer: The answer is 6\n\nQuestion: 5+5?\nAnswer:',
        },
        { role: 'assistant', content: 'The answer is' },
      ],
      addGenerationPrompt: false,
    });
  });

  it('zero-shot, SI only: system + user', () => {
    const { lm } = chat({}, { si: 'Be brief.', multiturn: false, shots: [] });
    expect(lm.calls[0].messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Question: 5+5?\nAnswer:' },
    ]);
  });

  it('without a chat template on the model: a clear error', () => {
    const view = makeView();
    const lm = new RecordingChatLM();
    (lm as { applyChatTemplate?: unknown }).applyChatTemplate = undefined;
    expect(() => buildContext(EVAL, view, plainOptions({ applyChatTemplate: true, lm }), () => [])).toThrow(LmEvalError);
  });
});

describe('v0.4.4 plain text', () => {
  const v = (spec: ViewSpec = {}): ViewSpec => ({ profile: '0.4.4', ...spec });

  it('same worked example (description + shots)', () => {
    expect(plain(v({ description: DESC }))).toBe(
      'Answer the questions.\n\nQuestion: 2+2?\nAnswer: 4\n\nQuestion: 3+3?\nAnswer: 6\n\nQuestion: 5+5?\nAnswer:',
    );
  });

  it('SI + FD + D without the whitespace check', () => {
    expect(plain(v({ description: DESC }), { si: 'Be brief.\n', shots: [] })).toBe(
      'Be brief.\n\n\nAnswer the questions.\n\nQuestion: 5+5?\nAnswer:',
    );
    // `system_instruction is not None`: an empty SI still puts FD before the description
    expect(plain(v({ description: 'D: ' }), { si: '', shots: [] })).toBe('\n\nD: Question: 5+5?\nAnswer:');
  });

  it('SI only is glued to the first shot', () => {
    expect(plain(v(), { si: 'Be brief.' })).toBe('Be brief.Question: 2+2?\nAnswer: 4\n\nQuestion: 3+3?\nAnswer: 6\n\nQuestion: 5+5?\nAnswer:');
  });

  it('empty-target few-shot: only q(f) is appended', () => {
    expect(plain(v(), { shots: [{ q: 'e?', a: '' }, SHOTS[1]] })).toBe('Question: e?\nAnswer:Question: 3+3?\nAnswer: 6\n\nQuestion: 5+5?\nAnswer:');
  });

  it('answer text: int -> str(c[a]); list -> str(a[0]); int without doc_to_choice -> str(a)', () => {
    const docToChoice = () => ['zero', 1];
    expect(plain(v({ docToChoice }), { shots: [{ q: 'i?', a: 1 }] })).toBe('Question: i?\nAnswer: 1\n\nQuestion: 5+5?\nAnswer:');
    expect(plain(v({ docToChoice }), { shots: [{ q: 'z?', a: 0 }] })).toBe('Question: z?\nAnswer: zero\n\nQuestion: 5+5?\nAnswer:');
    expect(plain(v(), { shots: [{ q: 'l?', a: [3, 4] }] })).toBe('Question: l?\nAnswer: 3\n\nQuestion: 5+5?\nAnswer:');
    expect(plain(v(), { shots: [{ q: 'n?', a: 7 }] })).toBe('Question: n?\nAnswer: 7\n\nQuestion: 5+5?\nAnswer:');
  });

  it('int q -> choice text (few-shot and eval doc); int eval q without choices -> str(q)', () => {
    const view = v({ docToText: (d) => d.q, docToChoice: () => ['alpha', 'beta'] });
    expect(plain(view, { shots: [{ q: 1, a: 0 }], doc: { q: 0 } })).toBe('beta alpha\n\nalpha');
    expect(plain(v({ docToText: (d) => d.q }), { shots: [], doc: { q: 5 } })).toBe('5');
  });

  it('gen_prefix does not exist in v0.4.4', () => {
    // the view of a v0.4.4 task never reports a gen_prefix, whatever the YAML says
    expect(plain(v({ genPrefix: 'GP' }), { shots: [SHOTS[0]] })).toBe('Question: 2+2?\nAnswer: 4\n\nQuestion: 5+5?\nAnswer:');
  });

  it('list-valued doc_to_text is refused instead of sending its repr', () => {
    expect(() => plain(v({ docToText: () => ['a', 'b'] }), { shots: [] })).toThrow(LmEvalError);
  });
});

describe('v0.4.4 chat', () => {
  const v = (spec: ViewSpec = {}): ViewSpec => ({ profile: '0.4.4', ...spec });

  it('multiturn: system(S\'), user/assistant pairs, new user(q); generation prompt always', () => {
    const { lm } = chat(v({ description: 'D' }), { si: 'SI', multiturn: true });
    expect(lm.calls).toEqual([
      {
        messages: [
          { role: 'system', content: 'SI\n\nD' },
          { role: 'user', content: 'Question: 2+2?\nAnswer:' },
          { role: 'assistant', content: '4' },
          { role: 'user', content: 'Question: 3+3?\nAnswer:' },
          { role: 'assistant', content: '6' },
          { role: 'user', content: 'Question: 5+5?\nAnswer:' },
        ],
        addGenerationPrompt: true,
      },
    ]);
  });

  it('not multiturn: the few-shot block (with trailing FD) is one user message; the question is appended to it', () => {
    const { lm } = chat(v({ description: 'D' }), { si: 'SI', multiturn: false });
    expect(lm.calls[0].messages).toEqual([
      { role: 'system', content: 'SI\n\nD' },
      { role: 'user', content: 'Question: 2+2?\nAnswer: 4\n\nQuestion: 3+3?\nAnswer: 6\n\nQuestion: 5+5?\nAnswer:' },
    ]);
    expect(lm.calls[0].addGenerationPrompt).toBe(true);
  });

  it('not multiturn, zero-shot: a new user message after a system message, or on an empty list', () => {
    let r = chat(v(), { si: 'SI', multiturn: false, shots: [] });
    expect(r.lm.calls[0].messages).toEqual([
      { role: 'system', content: 'SI' },
      { role: 'user', content: 'Question: 5+5?\nAnswer:' },
    ]);
    r = chat(v(), { multiturn: false, shots: [] });
    expect(r.lm.calls[0].messages).toEqual([{ role: 'user', content: 'Question: 5+5?\nAnswer:' }]);
  });

  it('chat shots: int target -> choice text, list target -> str(first)', () => {
    const { lm } = chat(v({ docToChoice: () => ['no', 'yes'] }), {
      multiturn: true,
      shots: [
        { q: 'a?', a: 1 },
        { q: 'b?', a: ['x'] },
      ],
    });
    expect(lm.calls[0].messages.slice(0, 4)).toEqual([
      { role: 'user', content: 'Question: a?\nAnswer:' },
      { role: 'assistant', content: 'yes' },
      { role: 'user', content: 'Question: b?\nAnswer:' },
      { role: 'assistant', content: 'x' },
    ]);
  });
});

describe('multiple-input (Winogrande style)', () => {
  // q(doc) = gold index, c(doc) = alternative contexts, a(doc) = shared continuation
  const mi = (profile: 'latest' | '0.4.4', extra: ViewSpec = {}): ViewSpec => ({
    profile,
    outputType: 'multiple_choice',
    multipleInput: true,
    docToText: (d) => d.gold,
    docToChoice: (d) => d.options as unknown[],
    docToTarget: (d) => d.cont,
    ...extra,
  });
  const DOC: Doc = { options: ['The cat', 'The dog'], gold: 1, cont: 'barked.' };
  const SHOT: Doc = { options: ['Ann', 'Bob'], gold: 0, cont: 'won.' };

  function contexts(spec: ViewSpec, shots: Doc[], over: { si?: string; chat?: boolean; multiturn?: boolean } = {}) {
    const lm = new RecordingChatLM();
    const built = buildContext(
      DOC,
      makeView(spec),
      plainOptions({
        numFewshot: shots.length,
        sampler: fixedSampler(shots),
        systemInstruction: over.si ?? null,
        applyChatTemplate: over.chat ?? false,
        fewshotAsMultiturn: over.multiturn ?? false,
        lm,
      }),
      () => shots,
    );
    return { lm, contexts: perChoice(built) };
  }

  it('latest plain: one full prompt per choice; shots use c(f)[q(f)] as question', () => {
    expect(contexts(mi('latest'), []).contexts).toEqual(['The cat', 'The dog']);
    expect(contexts(mi('latest'), [SHOT]).contexts).toEqual(['Ann won.\n\nThe cat', 'Ann won.\n\nThe dog']);
    // tgt = "" for the choice turn, so even a gen_prefix is glued on
    expect(contexts(mi('latest', { genPrefix: 'GP' }), []).contexts).toEqual(['The catGP', 'The dogGP']);
  });

  it('latest chat: each choice is the final user message', () => {
    const { lm } = contexts(mi('latest'), [SHOT], { chat: true, multiturn: true });
    expect(lm.calls.map((c) => c.messages)).toEqual([
      [
        { role: 'user', content: 'Ann' },
        { role: 'assistant', content: 'won.' },
        { role: 'user', content: 'The cat' },
      ],
      [
        { role: 'user', content: 'Ann' },
        { role: 'assistant', content: 'won.' },
        { role: 'user', content: 'The dog' },
      ],
    ]);
    const collapsed = contexts(mi('latest'), [SHOT], { chat: true, multiturn: false });
    expect(collapsed.lm.calls.map((c) => c.messages)).toEqual([
      [{ role: 'user', content: 'Ann won.\n\nThe cat' }],
      [{ role: 'user', content: 'Ann won.\n\nThe dog' }],
    ]);
  });

  it('v0.4.4 plain: prefix + choice_i', () => {
    expect(contexts(mi('0.4.4'), [SHOT], { si: 'SI' }).contexts).toEqual(['SIAnn won.\n\nThe cat', 'SIAnn won.\n\nThe dog']);
  });

  it('v0.4.4 chat: template applied to the few-shot part only (even when empty), choice appended after it', () => {
    const r = contexts(mi('0.4.4'), [SHOT], { chat: true, multiturn: true });
    expect(r.lm.calls).toEqual([
      {
        messages: [
          { role: 'user', content: 'Ann' },
          { role: 'assistant', content: 'won.' },
        ],
        addGenerationPrompt: true,
      },
    ]);
    expect(r.contexts).toEqual(['<user>Ann<assistant>won.<assistant>The cat', '<user>Ann<assistant>won.<assistant>The dog']);
    const empty = contexts(mi('0.4.4'), [], { chat: true });
    expect(empty.lm.calls).toEqual([{ messages: [], addGenerationPrompt: true }]);
    expect(empty.contexts).toEqual(['<assistant>The cat', '<assistant>The dog']);
  });
});
