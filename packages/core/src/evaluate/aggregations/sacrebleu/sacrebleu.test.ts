import { describe, expect, it } from 'vitest';
import { bleuFromStats, corpusBleu } from './bleu.ts';
import { corpusChrf } from './chrf.ts';
import { corpusTer, translationEditRate } from './ter.ts';
import { tokenize13a } from './tokenizer-13a.ts';

// The sacrebleu README example (2 reference streams).
const REFS = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const SYS = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

describe('13a tokenizer', () => {
  it('splits punctuation like mteval-v13a', () => {
    expect(tokenize13a("It wasn't surprising.")).toBe("It wasn't surprising ."); // ' is not split
    expect(tokenize13a('3.5, 1,000 and 4-5 &amp; (x)')).toBe('3.5 , 1,000 and 4 - 5 & ( x )');
    expect(tokenize13a('a-\nb<skipped> c\nd')).toBe('ab c d');
  });
});

describe('corpus_bleu (13a, exp smoothing)', () => {
  it('README example: BLEU = 48.530827 (sacrebleu test_bleu.py)', () => {
    expect(corpusBleu(SYS, REFS)).toBeCloseTo(48.530827, 6);
  });
  it('empty hypotheses score 0.0; identical sentences 100', () => {
    expect(corpusBleu(['', '', ''], REFS)).toBe(0);
    expect(corpusBleu(['a b c d e'], [['a b c d e']])).toBeCloseTo(100, 12);
  });
  it('compute_bleu from statistics (sacrebleu test_scoring: 0.8375922397)', () => {
    expect(bleuFromStats([11, 11, 9, 7, 5, 3, 10, 8, 6, 4]) / 100).toBeCloseTo(0.8375922397, 10);
  });
  it('exp smoothing and brevity penalty, hand-computed', () => {
    // hyp "a b c" vs ref "a b d e": correct 2/1/0/0, total 3/2/1/0, sys_len 3 < ref_len 4
    // precisions 200/3, 50, 100/(2·1) = 50, then total 0 → break → my_log(0)
    const s = corpusBleu(['a b c'], [['a b d e']]);
    expect(s).toBe(Math.exp(1 - 4 / 3) * Math.exp((Math.log(200 / 3) + Math.log(50) + Math.log(50) - 9999999999) / 4));
  });
  it('an all-empty reference set is an error', () => {
    expect(() => corpusBleu(['x'], [['']])).toThrow(/Empty or `None` reference/);
  });
});

describe('corpus_chrf', () => {
  it('README example: chrF2 = 59.73', () => {
    expect(corpusChrf(SYS, REFS)).toBeCloseTo(59.7275, 4);
  });
  it('sacrebleu test_chrf.py cases (β = 3, eps smoothing)', () => {
    const c = (h: string[], r: string[]) => corpusChrf(h, [r], { beta: 3, epsSmoothing: true });
    expect(c(['abcdefg'], ['hijklmnop'])).toBeCloseTo(0, 4);
    expect(c(['aa'], ['ab'])).toBeCloseTo(8.3333, 4);
    expect(c(['a', 'b'], ['a', 'c'])).toBeCloseTo(8.3333, 4);
    expect(c(['a'], ['a'])).toBeCloseTo(16.6667, 4);
    expect(c(['a b c'], ['abc'])).toBeCloseTo(50, 4);
    expect(
      c(
        [' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
        ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'],
      ),
    ).toBeCloseTo(63.36173, 4);
    expect(c(['Niemand hat die Absicht, eine Mauer zu errichten'], ['Niemand hat die Absicht, eine Mauer zu errichten'])).toBeCloseTo(100, 10);
  });
  it('sacrebleu test_chrf.py effective-order cases (β = 3)', () => {
    const c = (h: string[], r: string[]) => corpusChrf(h, [r], { beta: 3 });
    expect(c(['a'], ['a'])).toBe(100);
    expect(c([''], ['reference'])).toBe(0);
    expect(c(['a b c'], ['abc'])).toBe(100);
    expect(c(['a', 'b'], ['a', 'c'])).toBe(50);
    expect(c(['aa'], ['ab'])).toBe(25);
  });
});

describe('corpus_ter', () => {
  it('sacrebleu test_ter.py cases', () => {
    expect(corpusTer(['aaaa bbbb cccc dddd'], [['aaaa bbbb cccc dddd']])).toBe(0);
    expect(corpusTer(['dddd eeee ffff'], [['aaaa bbbb cccc']])).toBe(100);
    expect(corpusTer([''], [['a']])).toBe(100);
    expect(corpusTer(['d e f g h a b c'], [['a b c d e f g h']])).toBe(12.5); // one shift
  });
  it('realistic WMT example (sacrebleu test_ter.py: 0.136)', () => {
    const H = [
      'wählen Sie " Bild neu berechnen , " um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit das Bild ungefähr dieselbe Größe aufweist wie die andere Größe .',
      'wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option " Alle Aufgaben aktualisieren . "',
      'klicken Sie auf der Registerkarte " Optionen " auf die Schaltfläche " Benutzerdefiniert " und geben Sie Werte für " Fehlerkorrektur-Level " und " Y / X-Verhältnis " ein .',
      'Sie können beispielsweise ein Dokument erstellen , das ein Auto über die Bühne enthält .',
      'wählen Sie im Dialogfeld " Neu aus Vorlage " eine Vorlage aus und klicken Sie auf " Neu . "',
    ];
    const R = [
      'wählen Sie " Bild neu berechnen , " um beim Ändern der Bildgröße Pixel hinzuzufügen oder zu entfernen , damit die Darstellung des Bildes in einer anderen Größe beibehalten wird .',
      'wenn Sie alle Aufgaben im aktuellen Dokument aktualisieren möchten , wählen Sie im Menü des Aufgabenbedienfelds die Option " Alle Aufgaben aktualisieren . "',
      'klicken Sie auf der Registerkarte " Optionen " auf die Schaltfläche " Benutzerdefiniert " und geben Sie für " Fehlerkorrektur-Level " und " Y / X-Verhältnis " niedrigere Werte ein .',
      'Sie können beispielsweise ein Dokument erstellen , das ein Auto enthalt , das sich über die Bühne bewegt .',
      'wählen Sie im Dialogfeld " Neu aus Vorlage " eine Vorlage aus und klicken Sie auf " Neu . "',
    ];
    expect(Math.abs(corpusTer(H, [R]) - 13.6)).toBeLessThan(1e-3);
  });
  it('README example, hand-computed: edits 0 + 3 + 3 over average reference lengths 5.5 + 4 + 5.5', () => {
    expect(corpusTer(SYS, REFS)).toBe(40);
  });
  it('is case-insensitive and counts a shift as one edit', () => {
    expect(translationEditRate(['b', 'c', 'a'], ['a', 'b', 'c'])).toEqual([1, 3]);
    expect(corpusTer(['The Cat'], [['the cat']])).toBe(0);
  });
});
