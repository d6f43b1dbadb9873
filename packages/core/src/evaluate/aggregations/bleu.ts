import { bleuFromStats, bleuSegmentStats } from './sacrebleu/bleu.ts';
import { sacrebleuAggregation } from './sacrebleu-agg.ts';

/** `bleu`: sacrebleu `corpus_bleu(preds, refs).score` over `[ref, pred]` items. */
export const bleu = sacrebleuAggregation('bleu', bleuSegmentStats, bleuFromStats);
