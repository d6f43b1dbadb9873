import { chrfFromStats, chrfSegmentStats } from './sacrebleu/chrf.ts';
import { sacrebleuAggregation } from './sacrebleu-agg.ts';

/** `chrf`: sacrebleu `corpus_chrf(preds, refs).score` (chrF2) over `[ref, pred]` items. */
export const chrf = sacrebleuAggregation('chrf', chrfSegmentStats, chrfFromStats);
