import { describe, expect, it } from 'vitest';
import { applyTemplate, compileTemplate, TemplateError } from './index.ts';
import { PyFloat, tuple } from '../python/values.ts';
import { LmEvalError } from '../errors.ts';

const r = (t: string, doc: Record<string, unknown> = {}) => applyTemplate(t, doc);
function errorOf(t: string, doc: Record<string, unknown> = {}): TemplateError {
  try {
    r(t, doc);
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  throw new Error(`no error rendering ${t}`);
}

describe('output uses Python str()', () => {
  it('prints Python values', () => {
    expect(r('{{ a }}|{{ b }}|{{ c }}|{{ d }}|{{ e }}', { a: null, b: true, c: new PyFloat(1), d: 1e-5, e: 2 })).toBe('None|True|1.0|1e-05|2');
    expect(r('{{ x }}', { x: [1, 'x', "it's", null, new PyFloat(2)] })).toBe(`[1, 'x', "it's", None, 2.0]`);
    expect(r('{{ x }}', { x: { k: 'v', z: [1, 2] } })).toBe("{'k': 'v', 'z': [1, 2]}");
    expect(r('{{ (1,) }} {{ (1, "a") }} {{ 1, 2 }}')).toBe("(1,) (1, 'a') (1, 2)");
    expect(r('{{ x }}', { x: ['a\u00a0b', 'l1\nl2'] })).toBe("['a\\xa0b', 'l1\\nl2']");
    expect(r('{{ choices.text }}', { choices: { text: ['A', 'B'] } })).toBe("['A', 'B']");
  });
  it('prints undefined list elements as Undefined (repr) but fails on direct use', () => {
    expect(r('{{ [a, b] }}', { a: 'x' })).toBe("['x', Undefined]");
    expect(() => r('{{ b }}')).toThrow(TemplateError);
  });
});

describe('StrictUndefined', () => {
  it('raises on output, if, arithmetic, iteration, filters; names the variable', () => {
    for (const t of ['{{ q }}', '{% if q %}x{% endif %}', '{{ q + 1 }}', '{% for x in q %}{% endfor %}', '{{ q|length }}', '{{ q|string }}', '{{ q == 1 }}', '{{ q.strip() }}', "{{ 'a' ~ q }}"]) {
      const e = errorOf(t);
      expect(e).toBeInstanceOf(LmEvalError);
      expect(e.pyType).toBe('UndefinedError');
      expect(e.message).toContain("'q' is undefined");
      expect(e.message).toContain(JSON.stringify(t));
    }
  });
  it('is safe for defined/undefined/none tests and default', () => {
    expect(r('{{ q is defined }} {{ q is undefined }} {{ q is none }} {{ q|default("d") }} {{ q is mapping }}')).toBe('False True False d False');
    expect(r('{{ answer if few_shot is undefined else solution }}', { answer: 'a', solution: 's' })).toBe('a');
  });
  it('missing keys and attributes are undefined (messages like Jinja)', () => {
    expect(r('{{ d.x is defined }} {{ d["x"] is defined }} {{ l[5] is defined }}', { d: {}, l: [1] })).toBe('False False False');
    expect(errorOf('{{ d.x }}', { d: {} }).pyMessage).toBe("'dict object' has no attribute 'x'");
    expect(errorOf('{{ l[5] }}', { l: [1] }).pyMessage).toBe('list object has no element 5');
    expect(errorOf('{{ n.strip() }}', { n: null }).pyMessage).toBe("'None' has no attribute 'strip'");
  });
  it('inline if without else yields the lenient Undefined (Jinja uses it even under StrictUndefined)', () => {
    expect(r('{{ ("x" if false) is defined }}')).toBe('False');
    expect(r('{{ "x" if false }}|{{ ("x" if false)|length }}|{{ ("x" if false) ~ "a" }}')).toBe('|0|a');
    expect(r('{% if ("x" if false) %}T{% else %}F{% endif %}{% for c in ("x" if false) %}c{% endfor %}')).toBe('F');
    expect(() => r('{{ ("x" if false).attr }}')).toThrow(/no else section/);
    expect(() => r('{{ ("x" if false) + 1 }}')).toThrow(/no else section/);
  });

  it('slices compile to plain Python subscripts: bad bounds raise TypeError, not Undefined', () => {
    expect(() => r('{{ s[a:2] }}', { s: 'abc', a: 'x' })).toThrow(/slice indices must be integers/);
    expect(() => r('{{ s[a:2] }}', { s: 'abc' })).toThrow(/slice indices must be integers/);
    expect(() => r('{{ s[1:] }}', { s: { a: 1 } })).toThrow(/unhashable type: 'slice'/);
    expect(() => r('{{ s[1:] }}', { s: 5 })).toThrow(/'int' object is not subscriptable/);
    expect(r('{{ range(5)[1:3] }}|{{ range(10)[::-3] }}')).toBe('range(1, 3)|range(9, -1, -3)');
  });

  it('cycler objects expose next/current/reset', () => {
    expect(r("{% set c = cycler('a','b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}")).toBe('abab');
  });
});

describe('attribute and item lookup', () => {
  it('a.b prefers methods, a[k] prefers items', () => {
    const doc = { d: { items: 'key', keys: 'K' } };
    expect(r("{{ d['items'] }} {{ d.keys()|list }}", doc)).toBe("key ['items', 'keys']");
    expect(r("{{ d.get('items') }} {{ s['upper']() }}", { ...doc, s: 'ab' })).toBe('key AB');
    expect(r('{{ x.0 }} {{ x.1 }}', { x: ['a', 'b'] })).toBe('a b');
  });
  it('python methods on strings, lists, dicts', () => {
    expect(r("{{ answer.split('####')[-1].strip() }}", { answer: 'work\n#### 42 ' })).toBe('42');
    expect(r('{{ choices.label.index(answerKey) }}', { choices: { label: ['A', 'B', 'C'] }, answerKey: 'C' })).toBe('2');
    expect(r("{{ ' '.join(['a', 'b']) }} {{ t.capitalize() }} {{ t.title() }}", { t: 'hELLO world' })).toBe('a b Hello world Hello World');
    expect(r('{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}', { d: { a: 1, b: new PyFloat(2) } })).toBe('a=1;b=2.0;');
    expect(r("{{ s.startswith(('x', 'a')) }} {{ s.replace('a', 'b', 1) }} {{ s.count('a') }}", { s: 'aXa' })).toBe('True bXa 2');
  });
  it('str.format with **kwargs and keyword arguments (MERA)', () => {
    const t = '{{instruction.format(**inputs).strip() if inputs is mapping else instruction.format(inputs=inputs).strip()}}';
    expect(r(t, { instruction: ' Q: {question}\n{choices} ', inputs: { question: 'why', choices: 'A/B' } })).toBe('Q: why\nA/B');
    expect(r(t, { instruction: 'Text: {inputs}\n', inputs: 'abc' })).toBe('Text: abc');
    const ruTiE = "{{ instruction.replace('{', '{{').replace('}', '}}').replace('{{question}}', '{question}').format(**inputs) }}";
    expect(r(ruTiE, { instruction: '{x} {question}', inputs: { question: 'q' } })).toBe('{x} q');
    expect(r("{{ '{:.2f}|{:>4}|{}'.format(x[0], 'a', x) }}", { x: [1.5, 2] })).toBe('1.50|   a|[1.5, 2]');
    expect(errorOf("{{ '{}{0}'.format(1) }}").pyMessage).toBe('cannot switch from automatic field numbering to manual field specification');
  });
});

describe('operators', () => {
  it('arithmetic follows Python', () => {
    expect(r('{{ 7 / 2 }} {{ 4 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7.5 // 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }}')).toBe('3.5 2.0 3 -4 2 3.0 1024 0.5');
    expect(r('{{ 1 + 2.0 }} {{ 0.1 + 0.2 }} {{ 10 * 0.5 }} {{ 2 ** 64 }}')).toBe('3.0 0.30000000000000004 5.0 18446744073709551616');
    expect(r("{{ 'ab' * 3 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 'a' + 'b' }} {{ 1 ~ none ~ 'x' }}")).toBe('ababab [1, 1] [1, 2] ab 1Nonex');
    expect(r("{{ '%s-%05.1f' % ('a', 2.25) }} {{ '%d%%' % 50 }}")).toBe('a-002.2 50%');
    expect(r('{{ -x }} {{ ra - 1 }} {{ correct_answer_id|int - 1 }}', { x: 3, ra: 4, correct_answer_id: '5' })).toBe('-3 3 4');
  });
  it('raises Python TypeErrors', () => {
    expect(errorOf("{{ 'a' + 1 }}").pyMessage).toBe('can only concatenate str (not "int") to str');
    expect(errorOf("{{ 1 + 'a' }}").pyMessage).toBe("unsupported operand type(s) for +: 'int' and 'str'");
    expect(errorOf('{{ 1 / 0 }}').pyType).toBe('ZeroDivisionError');
    expect(errorOf("{{ 1 < 'a' }}").pyMessage).toBe("'<' not supported between instances of 'int' and 'str'");
  });
  it('comparisons, chains, in, and/or return operands', () => {
    expect(r('{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ "1" == 1 }} {{ [1, 2] == [1, 2] }}')).toBe('True False True False True');
    expect(r("{{ 'b' in 'abc' }} {{ 3 not in [1, 2] }} {{ 'k' in d }} {{ 1 in d }}", { d: { k: 1 } })).toBe('True True True False');
    expect(r("{{ a and b }}|{{ a or b }}|{{ [] or 'empty' }}|{{ {} or 'e' }}|{{ 'x' and 0 }}|{{ not [] }}", { a: 0, b: 'x' })).toBe('0|x|empty|e|0|True');
    expect(r('{{ 0 if entailment_judgment == 0 else 1 }}', { entailment_judgment: 'apple' })).toBe('1');
  });
  it('Python truthiness in if', () => {
    const t = '{% if x %}T{% else %}F{% endif %}';
    expect([[], {}, '', 0, new PyFloat(0), null, [0], ' ', 0.5].map((x) => r(t, { x })).join('')).toBe('FFFFFFTTT');
  });
});

describe('indexing and literals', () => {
  it('negative indexes, slices with steps, code points', () => {
    expect(r('{{ s[-1] }} {{ s[:-1] }} {{ s[::2] }} {{ s[::-1] }} {{ l[1:] }} {{ l[-2] }}', { s: 'héllo😀', l: [1, 2, 3] })).toBe('😀 héllo hlo 😀olléh [2, 3] 2');
    expect(r('{{ sentence1[start1:end1] }}', { sentence1: 'The sentence', start1: 1, end1: 4 })).toBe('he ');
  });
  it('list/dict/tuple literals and Python string escapes', () => {
    expect(r('{{ ["Yes", "It\'s impossible to say", "No"][label] }}', { label: 1 })).toBe("It's impossible to say");
    expect(r("{{ {'a': 1, 'b': [True, none]} }}")).toBe("{'a': 1, 'b': [True, None]}");
    expect(r("{{ 'a\\tb\\x41\\u00e9\\\\' }}")).toBe('a\tbAé\\');
    expect(r("{{ 'unknown \\d escape' }}")).toBe('unknown \\d escape');
    expect(r("{{ 'a' 'b' }}")).toBe('ab');
    expect(r('{{ 1_000 }} {{ 2.50 }} {{ 1e3 }} {{ 0x10 }}')).toBe('1000 2.5 1000.0 16');
  });
});

describe('statements and whitespace', () => {
  it('if/elif/else, for with loop vars and else, set, scoping', () => {
    expect(r('{% if x == 1 %}a{% elif x == 2 %}b{% else %}c{% endif %}', { x: 2 })).toBe('b');
    expect(r('{% for c in "ab" %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ c }};{% endfor %}')).toBe(
      '10TrueFalse22a;21FalseTrue21b;',
    );
    expect(r('{% for x in [] %}x{% else %}empty{% endfor %}')).toBe('empty');
    expect(r('{% for x in [1, 2, 3, 4] if x is even %}{{ x }}{{ loop.length }}{% endfor %}')).toBe('2242');
    expect(r('{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = 5 %}{{ x }}{% endfor %}{{ x }}')).toBe('15151');
    expect(r('{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}')).toBe('3');
    expect(r('{% set a, b = 1, 2 %}{{ b }}{{ a }}')).toBe('21');
    expect(r('{% set t %}in{{ 1 }}{% endset %}[{{ t }}]')).toBe('[in1]');
    expect(r('{% for i in range(choices["label"]|length) %}{{ "ABCD"[i] }}{% endfor %}', { choices: { label: [1, 2, 3] } })).toBe('ABC');
  });
  it('whitespace control and keep_trailing_newline', () => {
    expect(r('a  {%- if true -%}  \n b {%- endif %}\n')).toBe('ab\n');
    expect(r('x\n')).toBe('x\n');
    expect(r('{{- "a" -}}  \n  {# comment #}b {#- c -#} c')).toBe('abc');
    expect(r('line1\r\nline2\rline3')).toBe('line1\nline2\nline3');
    expect(r('{% raw %}{{ x }}{% endraw %}')).toBe('{{ x }}');
  });
  it('macros and with', () => {
    expect(r('{% macro f(a, b="B") %}{{ a }}{{ b }}{% endmacro %}{{ f(1) }}{{ f(2, b=3) }}')).toBe('1B23');
    expect(r('{% with y = 2 %}{{ y }}{% endwith %}{{ y is defined }}')).toBe('2False');
  });
});

describe('filters and tests', () => {
  it('lm-eval filters', () => {
    expect(r("{{ x|length }} {{ x|count }} {{ x|join(', ') }} {{ 'abc'|list }} {{ x|first }} {{ x|last }}", { x: [1, 'b'] })).toBe("2 2 1, b ['a', 'b', 'c'] 1 b");
    expect(r("{{ '3.7'|int }} {{ 'abc'|int }} {{ none|int }} {{ '12'|float }} {{ 3|string }} {{ ' x '|trim }}|")).toBe('3 0 0 12.0 3 x|');
    expect(r("{{ a|map(attribute='t')|list }} {{ a|map(attribute='t')|join('+') }}", { a: [{ t: 'x' }, { t: 'y' }] })).toBe("['x', 'y'] x+y");
    expect(r("{{ 'Hello'|replace('l', 'L') }} {{ 'aB'|lower }}{{ 'aB'|upper }} {{ none|default('d') }} {{ ''|default('d', true) }}")).toBe('HeLLo abAB None d');
    expect(r("{{ text|regex_replace('\\\\s+', ' ') }}|{{ text|regex_replace('(\\\\w+)', '<\\\\1>', 1) }}", { text: 'a  b \n c' })).toBe('a b c|<a>  b \n c');
    expect(r('{{ [3, 1, 2]|sort }} {{ [3, 1, 2]|max }} {{ [1, 2]|sum }} {{ 2.5|round }} {{ 2.675|round(2) }} {{ -3|abs }}')).toBe('[1, 2, 3] 3 3 2.0 2.67 3');
    expect(r("{{ '%s=%d'|format('a', 1) }} {{ 'ab cd'|title }} {{ 'ab'|center(6) }}|")).toBe('a=1 Ab Cd   ab  |');
  });
  it('tests', () => {
    expect(r('{{ 1 is number }} {{ true is number }} {{ "a" is string }} {{ d is mapping }} {{ [1] is sequence }} {{ 3 is odd }} {{ 4 is divisibleby 2 }} {{ none is none }}', { d: {} })).toBe(
      'True True True True True True True True',
    );
    expect(r('{% if x is not none and x|length > 1 %}y{% endif %}', { x: 'ab' })).toBe('y');
  });
  it('unknown filters fail at compile time, except in conditional branches until reached', () => {
    expect(() => compileTemplate('{{ x|nofilter }}')).toThrow("No filter named 'nofilter'.");
    expect(r('{% if false %}{{ x|nofilter }}{% endif %}ok')).toBe('ok');
  });
});

describe('errors and caching', () => {
  it('syntax errors are TemplateErrors', () => {
    expect(errorOf('{% if x %}never closed').pyType).toBe('TemplateSyntaxError');
    expect(errorOf('{{ x | }}').pyType).toBe('TemplateSyntaxError');
    expect(errorOf('{% break %}').pyMessage).toContain("unknown tag 'break'");
  });
  it('compiles each template once', () => {
    const t = '{{ cached_template_probe }}';
    expect(compileTemplate(t)).toBe(compileTemplate(t));
    expect(r(t, { cached_template_probe: tuple(1) })).toBe('(1,)');
  });
});
