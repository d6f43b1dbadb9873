import { terFromStats, terSegmentStats } from './sacrebleu/ter.ts';
import { sacrebleuAggregation } from './sacrebleu-agg.ts';

/** `ter`: sacrebleu `corpus_ter(preds, refs).score` over `[ref, pred]` items. */
export const ter = sacrebleuAggregation('ter', terSegmentStats, terFromStats);
