/**
 * The answer-scoring phase of the evaluator (after generation, before aggregation): every repeat
 * of every doc gets its measured metrics and its judge scores. Judge prompts of one metric go to
 * the judge model in one call, so the backend's concurrency window, retries and the response
 * cache apply to them as to the model's own requests.
 */
import { LmEvalError } from '../../errors.ts';
import { JsonChatStr, type Context, type GenerateRequest, type LM } from '../../model/types.ts';
import type { Doc } from '../../prompt/task-view.ts';
import { pyJsonDumps } from '../../python/json.ts';
import { compileTemplate } from '../../template/index.ts';
import type { Instance } from '../../request/instance.ts';
import { generationRecord, type GenerationRecord } from './generation-record.ts';
import { parseReply } from './judge-parsers.ts';
import type { JudgeModels, JudgeModelSpec } from './judge-models.ts';
import { judgeIdentity, type ResolvedAnswerMetric } from './resolve.ts';

/** A judge's verdict on one generation: its reply, its reasoning, the parsed score (null: unreadable). */
export interface Judgement {
  raw: string;
  reasoning: string | null;
  score: number | null;
}

export interface DocAnswers {
  generations: GenerationRecord[];
  /** per judge metric, one verdict per repeat */
  judgements: Record<string, Judgement[]>;
  /** per result key, one value per repeat (null: not measurable) */
  values: Record<string, Array<number | null>>;
}

export interface AnswerKeySummary {
  /** mean over docs of each repeat's values (null values left out; null when none) */
  per_repeat: Array<number | null>;
  /** values that were null (unparseable judge replies, unreported lengths or times) */
  none: number;
  /** values that were numbers */
  scored: number;
  /** the judge, for judge metrics */
  judge?: Record<string, unknown>;
}

export interface TaskAnswers {
  perDoc: DocAnswers[];
  summary: Record<string, AnswerKeySummary>;
}

/** The template variables of one doc (the generation adds `output`). */
export interface AnswerDocFields {
  query: unknown;
  output_true: unknown;
  context: unknown;
}

export interface AnswerScoringContext {
  task: string;
  judges?: JudgeModels;
  /** the run's `--judge_model`, for judge metrics without their own judge_model */
  defaultJudge?: JudgeModelSpec | null;
  fieldsOf(doc: Doc): AnswerDocFields;
  signal?: AbortSignal;
  onPhase?: (phase: string) => void;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** Mean of the numbers among `xs` (null when there are none). */
export function meanOfScored(xs: ReadonlyArray<number | null>): number | null {
  let n = 0;
  let s = 0;
  for (const x of xs) {
    if (x === null) continue;
    n++;
    s += x;
  }
  return n === 0 ? null : s / n;
}

function judgeContext(backend: string, prompt: string): Context {
  // chat backends take a message list; every other backend the prompt text
  return backend.endsWith('chat-completions') ? JsonChatStr.of(pyJsonDumps([{ role: 'user', content: prompt }], { ensureAscii: false })) : prompt;
}

const blank = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

async function judgeAll(
  m: ResolvedAnswerMetric,
  items: Array<{ fields: AnswerDocFields; doc: Doc; g: GenerationRecord }>,
  ctx: AnswerScoringContext,
): Promise<{ verdicts: Judgement[]; identity: Record<string, unknown> }> {
  const judge = m.judge!;
  const spec = judge.model ?? ctx.defaultJudge ?? null;
  if (!spec) {
    throw new LmEvalError(
      `task '${ctx.task}': the judge metric '${m.name}' has no judge model`,
      'give --judge_model base_url=...,model=... (or judge_model: {...} in its metric_list entry)',
    );
  }
  if (!ctx.judges) throw new LmEvalError(`task '${ctx.task}': judge metrics need the evaluator's judge models (runEvaluation provides them)`);
  const identity = judgeIdentity(m.name, judge, spec);
  const template = compileTemplate(judge.template);
  const needs = m.def.kind === 'judge' ? m.def.needs : [];
  const requests: GenerateRequest[] = items.map(({ fields, doc, g }, k) => {
    for (const need of needs) {
      if (blank(fields[need])) {
        throw new LmEvalError(
          `task '${ctx.task}': ${m.name} needs '${need}' but doc ${k} has none`,
          need === 'output_true' ? 'give the dataset an output_true column (the reference answer), or a doc_to_target' : `give the dataset a ${need} column`,
        );
      }
    }
    let prompt: string;
    try {
      prompt = template.render({ doc, ...fields, output: g.output });
    } catch (e) {
      throw new LmEvalError(`task '${ctx.task}': the judge template of ${m.name} failed on doc ${k}: ${(e as Error).message}`, 'template variables: query, output, output_true, context, doc');
    }
    return { context: judgeContext(spec.backend, prompt), genKwargs: judge.genKwargs };
  });
  const lm: LM = await ctx.judges.get(spec, identity);
  const reasoning: Array<string | null> = new Array(requests.length).fill(null);
  let done = 0;
  const label = `judging ${m.name}`;
  ctx.onProgress?.(label, 0, requests.length);
  const replies = await lm.generateUntil(requests, {
    signal: ctx.signal,
    onDetail: (i, d) => {
      reasoning[i] = d.reasoning ? d.reasoning : null;
    },
    onResult: () => ctx.onProgress?.(label, ++done, requests.length),
  });
  const verdicts = replies.map((raw, i) => ({ raw, reasoning: reasoning[i], score: parseReply(raw, judge.parser) }));
  return { verdicts, identity };
}

/**
 * Scores every repeat of every doc with the task's answer metrics. `docs[d].instance` is the
 * doc's generate_until instance (its `resps` and `details` hold the repeats).
 */
export async function scoreAnswers(metrics: readonly ResolvedAnswerMetric[], docs: Array<{ doc: Doc; instance: Instance }>, ctx: AnswerScoringContext): Promise<TaskAnswers> {
  const perDoc: DocAnswers[] = docs.map(({ instance }) => ({
    generations: instance.resps.map((r, k) => generationRecord(r, instance.details?.[k])),
    judgements: {},
    values: {},
  }));
  const repeats = Math.max(0, ...perDoc.map((d) => d.generations.length));
  const summary: Record<string, AnswerKeySummary> = {};
  for (const m of metrics) {
    let identity: Record<string, unknown> | undefined;
    if (m.def.kind === 'measure') {
      const def = m.def;
      perDoc.forEach((d) => {
        for (const key of m.keys) d.values[key] = [];
        for (const g of d.generations) {
          const v = def.measure(g);
          for (const key of m.keys) d.values[key].push(v[key] ?? null);
        }
      });
    } else {
      ctx.onPhase?.(`judging ${m.name} for ${ctx.task}`);
      const items = docs.flatMap(({ doc }, d) => {
        const fields = ctx.fieldsOf(doc);
        return perDoc[d].generations.map((g) => ({ fields, doc, g }));
      });
      const judged = await judgeAll(m, items, ctx);
      identity = judged.identity;
      let k = 0;
      for (const d of perDoc) {
        const verdicts = judged.verdicts.slice(k, k + d.generations.length);
        k += d.generations.length;
        d.judgements[m.name] = verdicts;
        d.values[m.name] = verdicts.map((v) => v.score);
      }
    }
    for (const key of m.keys) {
      const all = perDoc.flatMap((d) => d.values[key]);
      const perRepeat = Array.from({ length: repeats }, (_, r) => meanOfScored(perDoc.map((d) => d.values[key][r] ?? null)));
      summary[key] = { per_repeat: perRepeat, none: all.filter((v) => v === null).length, scored: all.filter((v) => v !== null).length };
      if (identity) summary[key].judge = identity;
    }
  }
  return { perDoc, summary };
}

/** One warning per result key of a task whose values were partly None (left out of the mean). */
export function noneValueWarnings(task: string, summary: Readonly<Record<string, AnswerKeySummary>>): string[] {
  return Object.entries(summary)
    .filter(([, s]) => s.none > 0)
    .map(([key, s]) => {
      const why = s.judge ? 'judge replies its parser could not read' : 'not reported by the backend';
      return `${task}: ${key}: ${s.none} of ${s.none + s.scored} values are None (${why}); they are left out of the mean`;
    });
}
