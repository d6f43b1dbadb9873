import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../errors.ts';
import { compilePyRegex, reEscape, reFindall, reSearch, reSplit, reSub, PyMatch } from './re.ts';
import { PyTuple } from './values.ts';

interface Vector {
  pattern: string;
  flags: number;
  op: 'findall' | 'sub' | 'split' | 'search' | 'match' | 'fullmatch';
  s: string;
  extra: string | number | null;
  result: unknown;
}

// Produced by CPython 3.11 (`re.compile(pattern, flags).<op>(s, ...)`); tuples as lists, None as null.
const VECTORS: Vector[] = [
  {"pattern": "(\\b([0-9])\\b)", "flags": 0, "op": "findall", "s": "\u041e\u0442\u0432\u0435\u0442: 3", "extra": null, "result": [["3", "3"]]},
  {"pattern": "(\\b([0-9])\\b)", "flags": 0, "op": "findall", "s": "12 \u0438 7, \u043f\u043e\u0442\u043e\u043c 5", "extra": null, "result": [["7", "7"], ["5", "5"]]},
  {"pattern": "(\\b([ABCD])\\b)", "flags": 0, "op": "findall", "s": "\u041e\u0442\u0432\u0435\u0442: B. \u041f\u043e\u0442\u043e\u043c C", "extra": null, "result": [["B", "B"], ["C", "C"]]},
  {"pattern": "(\\b([ABCD])\\b)", "flags": 0, "op": "findall", "s": "ABCD", "extra": null, "result": []},
  {"pattern": "(\\b([ABCD])\\b)", "flags": 0, "op": "findall", "s": "\u0416B", "extra": null, "result": []},
  {"pattern": "(\\b(\u0414\u0430|\u041d\u0435\u0442)\\b)", "flags": 0, "op": "findall", "s": "\u0414\u0430", "extra": null, "result": [["\u0414\u0430", "\u0414\u0430"]]},
  {"pattern": "(\\b(\u0414\u0430|\u041d\u0435\u0442)\\b)", "flags": 0, "op": "findall", "s": "\u041e\u0442\u0432\u0435\u0442: \u041d\u0435\u0442.", "extra": null, "result": [["\u041d\u0435\u0442", "\u041d\u0435\u0442"]]},
  {"pattern": "(\\b(\u0414\u0430|\u041d\u0435\u0442)\\b)", "flags": 0, "op": "findall", "s": "\u0414\u0430\u043d\u0435\u0442", "extra": null, "result": []},
  {"pattern": "\\w+", "flags": 0, "op": "findall", "s": "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440_1! na\u00efve caf\u00e9 \u4e2d\u6587 \uff12\uff13 x\u0301y", "extra": null, "result": ["\u041f\u0440\u0438\u0432\u0435\u0442", "\u043c\u0438\u0440_1", "na\u00efve", "caf\u00e9", "\u4e2d\u6587", "\uff12\uff13", "x", "y"]},
  {"pattern": "\\W+", "flags": 0, "op": "findall", "s": "a, \u0431; c", "extra": null, "result": [", ", "; "]},
  {"pattern": "\\d+", "flags": 0, "op": "findall", "s": "12 \u0663\u0664 \uff12\uff13 \u00b2 \u00bd", "extra": null, "result": ["12", "\u0663\u0664", "\uff12\uff13"]},
  {"pattern": "\\s+", "flags": 0, "op": "findall", "s": "a\u00a0b\u2003c\u001cd\u0085e\ufeff", "extra": null, "result": ["\u00a0", "\u2003", "\u001c", "\u0085"]},
  {"pattern": "\\S+", "flags": 0, "op": "findall", "s": "a\u00a0b c\ufeffd", "extra": null, "result": ["a", "b", "c\ufeffd"]},
  {"pattern": "\\bcat\\b", "flags": 0, "op": "findall", "s": "cat catalog bobcat cat_ cat.", "extra": null, "result": ["cat", "cat"]},
  {"pattern": "\\B", "flags": 0, "op": "findall", "s": "", "extra": null, "result": []},
  {"pattern": "\\B", "flags": 0, "op": "findall", "s": "ab c", "extra": null, "result": [""]},
  {"pattern": "(?i)\u043f\u0440\u0438\u0432\u0435\u0442", "flags": 0, "op": "findall", "s": "\u041f\u0420\u0418\u0412\u0415\u0422 \u041f\u0440\u0438\u0432\u0435\u0442 \u043f\u0440\u0438\u0432\u0435\u0442", "extra": null, "result": ["\u041f\u0420\u0418\u0412\u0415\u0422", "\u041f\u0440\u0438\u0432\u0435\u0442", "\u043f\u0440\u0438\u0432\u0435\u0442"]},
  {"pattern": "\u043f\u0440\u0438\u0432\u0435\u0442", "flags": 2, "op": "findall", "s": "\u041f\u0420\u0418\u0412\u0415\u0422 \u041f\u0440\u0438\u0432\u0435\u0442", "extra": null, "result": ["\u041f\u0420\u0418\u0412\u0415\u0422", "\u041f\u0440\u0438\u0432\u0435\u0442"]},
  {"pattern": "(?s)a.b", "flags": 0, "op": "findall", "s": "a\nb a\rb", "extra": null, "result": ["a\nb", "a\rb"]},
  {"pattern": "a.b", "flags": 0, "op": "findall", "s": "a\nb a\rb a\u2028b", "extra": null, "result": ["a\rb", "a\u2028b"]},
  {"pattern": "^\\w+$", "flags": 0, "op": "findall", "s": "abc\n", "extra": null, "result": ["abc"]},
  {"pattern": "^\\w+$", "flags": 8, "op": "findall", "s": "ab\ncd\r\nef", "extra": null, "result": ["ab", "ef"]},
  {"pattern": "(?m)^x", "flags": 0, "op": "findall", "s": "x\nx\rx\u2028x", "extra": null, "result": ["x", "x"]},
  {"pattern": "a$", "flags": 0, "op": "findall", "s": "a\n", "extra": null, "result": ["a"]},
  {"pattern": "a\\Z", "flags": 0, "op": "findall", "s": "a\n", "extra": null, "result": []},
  {"pattern": "\\Aa", "flags": 0, "op": "findall", "s": "aa", "extra": null, "result": ["a"]},
  {"pattern": "(?P<first>\\w+) (?P=first)", "flags": 0, "op": "findall", "s": "hey hey you you me", "extra": null, "result": ["hey", "you"]},
  {"pattern": "(\\w)\\1", "flags": 0, "op": "findall", "s": "aabbcd", "extra": null, "result": ["a", "b"]},
  {"pattern": "a{,2}", "flags": 0, "op": "findall", "s": "aaaa", "extra": null, "result": ["aa", "aa", ""]},
  {"pattern": "a{2,}", "flags": 0, "op": "findall", "s": "a aa aaa", "extra": null, "result": ["aa", "aaa"]},
  {"pattern": "x{", "flags": 0, "op": "findall", "s": "x{ x{}", "extra": null, "result": ["x{", "x{"]},
  {"pattern": "{abc}", "flags": 0, "op": "findall", "s": "{abc}", "extra": null, "result": ["{abc}"]},
  {"pattern": "a{1,2}?", "flags": 0, "op": "findall", "s": "aaa", "extra": null, "result": ["a", "a", "a"]},
  {"pattern": "\\x41\\u0416\\U0001F600\\101\\0", "flags": 0, "op": "findall", "s": "A\u0416\ud83d\ude00A\u0000", "extra": null, "result": ["A\u0416\ud83d\ude00A\u0000"]},
  {"pattern": "[\\w-]+", "flags": 0, "op": "findall", "s": "ab-cd \u0436-\u0437", "extra": null, "result": ["ab-cd", "\u0436-\u0437"]},
  {"pattern": "[^\\W\\d_]+", "flags": 0, "op": "findall", "s": "ab1_c\u04162", "extra": null, "result": ["ab", "c\u0416"]},
  {"pattern": "[\\W\\d]+", "flags": 0, "op": "findall", "s": "ab1,2 c", "extra": null, "result": ["1,2 "]},
  {"pattern": "[^\\S\\n]+", "flags": 0, "op": "findall", "s": "a \t\nb", "extra": null, "result": [" \t"]},
  {"pattern": "[]a]+", "flags": 0, "op": "findall", "s": "]a]b", "extra": null, "result": ["]a]"]},
  {"pattern": "[^]a]+", "flags": 0, "op": "findall", "s": "]a]bc", "extra": null, "result": ["bc"]},
  {"pattern": "[a-]+", "flags": 0, "op": "findall", "s": "a-b", "extra": null, "result": ["a-"]},
  {"pattern": "[\\-\\,\\.]+", "flags": 0, "op": "findall", "s": "a-,.b", "extra": null, "result": ["-,."]},
  {"pattern": "#### (\\-?[0-9\\.\\,]+)", "flags": 0, "op": "findall", "s": "so #### -1,234.5\n#### 7", "extra": null, "result": ["-1,234.5", "7"]},
  {"pattern": "(a)|(b)", "flags": 0, "op": "findall", "s": "ab", "extra": null, "result": [["a", ""], ["", "b"]]},
  {"pattern": "|a", "flags": 0, "op": "findall", "s": "a", "extra": null, "result": ["", "a", ""]},
  {"pattern": "a*?", "flags": 0, "op": "findall", "s": "aa", "extra": null, "result": ["", "a", "", "a", ""]},
  {"pattern": "x*", "flags": 0, "op": "findall", "s": "abxd", "extra": null, "result": ["", "", "x", "", ""]},
  {"pattern": "(?x) a \\  b # comment\\n c", "flags": 0, "op": "findall", "s": "a bc", "extra": null, "result": ["a b"]},
  {"pattern": "(?i:ab)c", "flags": 0, "op": "findall", "s": "ABc ABC abc", "extra": null, "result": ["ABc", "abc"]},
  {"pattern": "(?i:[\u0430-\u044f]+)!", "flags": 0, "op": "findall", "s": "\u041f\u0420\u0418\u0432\u0435\u0442!", "extra": null, "result": ["\u041f\u0420\u0418\u0432\u0435\u0442!"]},
  {"pattern": "a(?#comment)*", "flags": 0, "op": "findall", "s": "aaa", "extra": null, "result": ["aaa", ""]},
  {"pattern": "(?<=\\$)\\d+(?!\\d)", "flags": 0, "op": "findall", "s": "$12 $3x 45", "extra": null, "result": ["12", "3"]},
  {"pattern": "(?s:.)(?-s:.)", "flags": 16, "op": "findall", "s": "a\n\n\nb", "extra": null, "result": ["\nb"]},
  {"pattern": "\\w+", "flags": 256, "op": "findall", "s": "abc \u0436\u0437", "extra": null, "result": ["abc"]},
  {"pattern": "(?a)\\b\u0436", "flags": 0, "op": "findall", "s": "\u0436 a\u0436", "extra": null, "result": ["\u0436"]},
  {"pattern": "colou?r", "flags": 0, "op": "sub", "s": "color colour", "extra": "[\\g<0>]", "result": "[color] [colour]"},
  {"pattern": "(\\w+)@(\\w+)", "flags": 0, "op": "sub", "s": "a@b c@d", "extra": "\\2 at \\1 $1 \\g<1>\\n\\-", "result": "b at a $1 a\n\\- d at c $1 c\n\\-"},
  {"pattern": "(?P<x>\\d)", "flags": 0, "op": "sub", "s": "a1b2", "extra": "<\\g<x>>", "result": "a<1>b<2>"},
  {"pattern": "(a)|b", "flags": 0, "op": "sub", "s": "ab", "extra": "[\\1]", "result": "[a][]"},
  {"pattern": "x*", "flags": 0, "op": "sub", "s": "abxd", "extra": "-", "result": "-a-b--d-"},
  {"pattern": "a*?", "flags": 0, "op": "sub", "s": "baa", "extra": "-", "result": "-b-----"},
  {"pattern": "\\s+", "flags": 0, "op": "sub", "s": "  a  b ", "extra": " ", "result": " a b "},
  {"pattern": "\\b", "flags": 0, "op": "split", "s": "a b", "extra": null, "result": ["", "a", " ", "b", ""]},
  {"pattern": "(a)|(b)", "flags": 0, "op": "split", "s": "xaybz", "extra": null, "result": ["x", "a", null, "y", null, "b", "z"]},
  {"pattern": ",", "flags": 0, "op": "split", "s": "a,b,c,d", "extra": 2, "result": ["a", "b", "c,d"]},
  {"pattern": "\\W*", "flags": 0, "op": "split", "s": "ab, cd", "extra": null, "result": ["", "a", "b", "", "c", "d", ""]},
  {"pattern": "[\\s\\S]", "flags": 0, "op": "findall", "s": "\ud83d\ude00a", "extra": null, "result": ["\ud83d\ude00", "a"]},
  {"pattern": ".", "flags": 0, "op": "findall", "s": "\ud83d\ude00\n", "extra": null, "result": ["\ud83d\ude00"]},
  {"pattern": "[\ud83d\ude00-\ud83d\ude02]+", "flags": 0, "op": "findall", "s": "x\ud83d\ude00\ud83d\ude01\ud83d\ude02y", "extra": null, "result": ["\ud83d\ude00\ud83d\ude01\ud83d\ude02"]},
  {"pattern": "\\b\u0414\u0430\\b", "flags": 2, "op": "findall", "s": "\u0434\u0430 \u0414\u0410 \u0414\u0430\u0440\u044c\u044f", "extra": null, "result": ["\u0434\u0430", "\u0414\u0410"]},
  {"pattern": "(?i)stra\u00dfe", "flags": 0, "op": "findall", "s": "STRASSE Stra\u00dfe STRA\u00dfE", "extra": null, "result": ["Stra\u00dfe", "STRA\u00dfE"]},
  {"pattern": "^(?:\\w+\\s)*?(\\d+)$", "flags": 0, "op": "search", "s": "total is 42\n", "extra": null, "result": {"group": "total is 42", "span": [0, 11], "groups": ["42"]}},
  {"pattern": "a|ab", "flags": 0, "op": "fullmatch", "s": "ab", "extra": null, "result": {"group": "ab", "span": [0, 2], "groups": []}},
  {"pattern": "b", "flags": 0, "op": "match", "s": "ab", "extra": null, "result": null},
  {"pattern": "\\d+", "flags": 0, "op": "search", "s": "abc123def", "extra": null, "result": {"group": "123", "span": [3, 6], "groups": []}},
  {"pattern": "\\b\\w+\\b", "flags": 0, "op": "findall", "s": "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! a_b 12", "extra": null, "result": ["\u041f\u0440\u0438\u0432\u0435\u0442", "\u043c\u0438\u0440", "a_b", "12"]},
  {"pattern": "\\b[a-z]*\\b", "flags": 0, "op": "findall", "s": "ab, c", "extra": null, "result": ["ab", "", "c", ""]},
  {"pattern": "x?\\bfoo\\b!?", "flags": 0, "op": "findall", "s": "xfoo foo! afoo foo_", "extra": null, "result": ["foo!"]},
  {"pattern": "\\b(a|b1|-)\\b", "flags": 0, "op": "findall", "s": "a b1 - x-y a-", "extra": null, "result": ["a", "b1", "-", "a"]},
  {"pattern": "\\b.\\b", "flags": 0, "op": "findall", "s": "a-b c", "extra": null, "result": ["a", "-", "b", " ", "c"]},
  {"pattern": "(?:\\b\\d+)+\\b", "flags": 0, "op": "findall", "s": "12 34x 5", "extra": null, "result": ["12", "5"]},
  {"pattern": "\\b(?i:\u0434\u0430)\\b", "flags": 0, "op": "findall", "s": "\u0414\u0410 \u0434\u0430\u0436\u0435 \u0414\u0430", "extra": null, "result": ["\u0414\u0410", "\u0414\u0430"]},
  {"pattern": "\\b[\u0430-\u044f\u0451]{2,}\\b", "flags": 0, "op": "findall", "s": "\u0451\u0436 \u044f \u043a\u043e\u0442", "extra": null, "result": ["\u0451\u0436", "\u043a\u043e\u0442"]},
  {"pattern": "[\\d\\s]+\\b", "flags": 0, "op": "findall", "s": "1 2 ab 3 ", "extra": null, "result": ["1 2 ", " 3"]}
];

const plain = (v: unknown): unknown => (Array.isArray(v) ? v.map(plain) : v === undefined ? null : v);

describe('Python re vectors (CPython 3.11)', () => {
  for (const v of VECTORS) {
    it(`${v.op} ${JSON.stringify(v.pattern)} flags=${v.flags} on ${JSON.stringify(v.s)}`, () => {
      const p = compilePyRegex(v.pattern, v.flags);
      let got: unknown;
      if (v.op === 'findall') got = p.findall(v.s);
      else if (v.op === 'sub') got = p.sub(v.extra as string, v.s);
      else if (v.op === 'split') got = p.split(v.s, (v.extra as number | null) ?? 0);
      else {
        const m: PyMatch | null = p[v.op](v.s);
        got = m && { group: m.group(0), span: m.span(), groups: [...m.groups()] };
      }
      expect(plain(got)).toEqual(v.result);
    });
  }
});

describe('Python re API', () => {
  it('findall shapes: tuples are PyTuple, unmatched groups are ""', () => {
    const r = reFindall('(a)|(b)', 'ab');
    expect(r[0]).toBeInstanceOf(PyTuple);
    expect(r).toEqual([PyTuple.from(['a', '']), PyTuple.from(['', 'b'])]);
    expect(reFindall('(x)?y', 'y')).toEqual(['']);
  });

  it('MERA regexes', () => {
    expect(reFindall('(\\b([0-9])\\b)', 'Ответ: 3')).toEqual([PyTuple.from(['3', '3'])]);
    expect(reFindall('(\\b([ABCD])\\b)', 'ЖB')).toEqual([]);
    expect(reFindall('(\\b(Да|Нет)\\b)', 'Да')).toEqual([PyTuple.from(['Да', 'Да'])]);
    expect(reFindall('(\\b(Да|Нет)\\b)', 'Данет')).toEqual([]);
  });

  it('match object: groups, spans, groupdict, pos', () => {
    const m = reSearch('(?P<w>\\w+)-(\\d+)?', 'xx ab- ')!;
    expect(m.span()).toEqual([3, 6]);
    expect(m.span(1)).toEqual([3, 5]);
    expect(m.span('w')).toEqual([3, 5]);
    expect(m.span(2)).toEqual([-1, -1]);
    expect(m.group('w')).toBe('ab');
    expect(m.group(2)).toBeUndefined();
    expect(m.groupdict()).toEqual({ w: 'ab' });
    expect([...m.groups('z')]).toEqual(['ab', 'z']);
    expect(() => m.group(3)).toThrow(LmEvalError);
    expect(compilePyRegex('\\d').search('a1b2', 2)!.span()).toEqual([3, 4]);
    expect(compilePyRegex('^\\d').search('a1', 1)).toBeNull(); // ^ is the real start, not pos
    expect(compilePyRegex('\\d').match('a1', 1)!.group()).toBe('1');
    expect(compilePyRegex('\\d$').search('12', 0, 1)!.group()).toBe('1'); // endpos truncates
    const fin = [...compilePyRegex('(?<=a)b|b').finditer('abb')].map((x) => x.span());
    expect(fin).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });

  it('sub: Python templates, literal $, function replacements, count', () => {
    expect(reSub('a', '$1$$', 'aa')).toBe('$1$$$1$$');
    expect(reSub('(\\w)(\\w)', (m) => m.group(2)! + m.group(1)!, 'abcd')).toBe('badc');
    expect(reSub('a', 'b', 'aaaa', 2)).toBe('bbaa');
    expect(compilePyRegex('(a)').subn('x', 'banana')).toEqual(['bxnxnx', 3]);
    expect(reSub('a', '\\0\\101', 'a')).toBe('\u0000A');
    expect(() => reSub('a', '\\q', 'a')).toThrow(/bad escape/);
    expect(() => reSub('a', '\\2', 'a')).toThrow(/invalid group reference/);
    expect(() => reSub('(a)', '\\g<nope>', 'a')).toThrow(/unknown group name/);
    expect(reSearch('a', 'a')!.expand('[\\g<0>]')).toBe('[a]');
  });

  it('split with maxsplit and None groups', () => {
    expect(reSplit('(a)|(b)', 'xaybz')).toEqual(['x', 'a', undefined, 'y', undefined, 'b', 'z']);
    expect(reSplit('\\s+', ' a b  c ', 2)).toEqual(['', 'a', 'b  c ']);
  });

  it('re.escape (Python 3.7+)', () => {
    expect(reEscape('a.b*c?(d) -#&~\t')).toBe('a\\.b\\*c\\?\\(d\\)\\ \\-\\#\\&\\~\\\t');
    for (const s of ['(A)', 'x+y', '[1]{2}', 'Привет, мир!', '$5.00 & ~#']) {
      expect(compilePyRegex(reEscape(s)).fullmatch(s), s).not.toBeNull();
    }
  });

  it('inline global flags anywhere (older Python) and flags as letters', () => {
    expect(reFindall('a(?i)b', 'aB AB')).toEqual(['aB', 'AB']);
    expect(compilePyRegex('(?s)a.b').flags & 16).toBe(16);
    expect(compilePyRegex('a.b', 'si').findall('A\nB')).toEqual(['A\nB']);
  });

  it('caches compiled patterns', () => {
    expect(compilePyRegex('x+y')).toBe(compilePyRegex('x+y'));
    expect(compilePyRegex('x+y')).not.toBe(compilePyRegex('x+y', 'i'));
  });

  it('invalid patterns and untranslatable features raise LmEvalError naming the pattern', () => {
    const cases: [string, RegExp][] = [
      ['(a', /missing \)/],
      ['a)', /unbalanced/],
      ['[a', /unterminated character set/],
      ['*a', /nothing to repeat/],
      ['a**', /multiple repeat/],
      ['\\q', /bad escape/],
      ['(a)\\2', /invalid group reference/],
      ['(a\\1)', /open group/],
      ['(?P<n>a)(?P<n>b)', /redefinition/],
      ['(?P=zz)', /unknown group name/],
      ['[z-a]', /bad character range/],
      ['a{3,1}', /min repeat greater/],
      ['(?(1)a|b)', /conditional/],
      ['(?>a)', /atomic/],
      ['a*+', /possessive/],
      ['\\N{DIGIT ONE}', /named character/],
      ['(?i)a(?-i:b)', /scoped \(\?-i/],
      ['(?<=a+)b', /fixed-width/],
      ['(?<=ab|c)d', /fixed-width/],
      ['(?<=(a)\\1)b', /same lookbehind/],
      ['(?i-i:x)', /turned on and off/],
    ];
    for (const [pattern, re] of cases) {
      let err: unknown;
      try {
        compilePyRegex(pattern);
      } catch (e) {
        err = e;
      }
      expect(err, pattern).toBeInstanceOf(LmEvalError);
      expect((err as Error).message, pattern).toMatch(re);
      expect((err as Error).message, pattern).toContain(pattern.replace(/\\/g, '\\\\'));
    }
  });
});

describe('Python re: fixes found by the harvested differential run', () => {
  it('never reports a match between the halves of a surrogate pair (used to loop forever)', () => {
    // CPython: re.findall(r"(?m)^", "k😀😀—\n😀") == ["", ""]
    expect(reFindall('(?m)^', 'k😀😀—\n😀')).toEqual(['', '']);
    expect(reSub('(?m)^', '|', 'a😀😀b\n😀')).toBe('|a😀😀b\n|😀');
    expect(reSub('\\B', '|', '😀')).toBe('|😀|');
  });

  it('IGNORECASE treats i, I, İ and ı as one letter, as sre does', () => {
    expect(reFindall('i', 'I i İ ı', 2)).toEqual(['I', 'i', 'İ', 'ı']);
    expect(reFindall('[a-z]+', 'ABC İı', 2)).toEqual(['ABC', 'İı']);
    expect(reFindall('(?i:k)(?i:s)', '\u212aſ KS')).toEqual(['\u212aſ', 'KS']);
    expect(reFindall('µ', 'µ μ Μ', 2)).toEqual(['µ', 'μ', 'Μ']);
  });

  it('ASCII IGNORECASE folds ASCII letters only', () => {
    expect(reFindall('k+|[a-z]+', 'KkK \u212a ſ ABC', 256 | 2)).toEqual(['KkK', 'ABC']);
  });
});
