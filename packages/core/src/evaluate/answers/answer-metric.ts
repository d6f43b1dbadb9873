/**
 * Answer metrics: scores of open-ended generations, computed per repeat after generation (an
 * async phase of the evaluator), not by `process_results`. Two kinds:
 *  - measures: read one {@link GenerationRecord} (length, latency);
 *  - judges: a prompt template rendered over `query`, `output`, `output_true`, `context` (Jinja,
 *    Python semantics), sent to a judge model, whose reply a parser turns into a score.
 * A value of null means "not measurable" (an unparseable judge reply, a backend that reports no
 * token counts): recorded as None, counted, left out of the mean.
 */
import type { GenerationRecord } from './generation-record.ts';
import type { ParserSpec } from './judge-parsers.ts';

export interface MeasureMetricDef {
  kind: 'measure';
  name: string;
  higherIsBetter: boolean | null;
  /** extra result keys this metric also fills (e.g. `output_length_chars`) */
  extraKeys?: readonly string[];
  /** per repeat: `{key: value}` for `name` and every extra key */
  measure(g: GenerationRecord): Record<string, number | null>;
}

export interface JudgeMetricDef {
  kind: 'judge';
  name: string;
  higherIsBetter: boolean | null;
  /** Jinja template over query, output, output_true, context */
  template: string;
  parser: ParserSpec;
  /** doc fields the template needs besides `output` (checked before any judge call) */
  needs: ReadonlyArray<'query' | 'output_true' | 'context'>;
}

export type AnswerMetricDef = MeasureMetricDef | JudgeMetricDef;
