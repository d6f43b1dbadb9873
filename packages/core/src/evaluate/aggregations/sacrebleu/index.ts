// sacrebleu ports (corpus scores with sacrebleu's default settings).
export { corpusBleu } from './bleu.ts';
export { corpusChrf } from './chrf.ts';
export { corpusTer, translationEditRate } from './ter.ts';
export { tokenize13a } from './tokenizer-13a.ts';
