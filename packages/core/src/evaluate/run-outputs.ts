/**
 * The files a run writes under `--output_path` (lm-eval's `EvaluationTracker`): samples streamed
 * to `<file>.partial` as each task is scored and moved into place at the end, then the results
 * file. A finished run is never lost: when the folder cannot be written, everything goes to one
 * fallback file.
 */
import type { Profile } from '../compat.ts';
import { outputLocation, SamplesWriter, writeFallbackFile, writeResultsFile, type OutputLocation } from '../report/output-files.ts';
import type { TaskOutcome } from './evaluator.ts';
import type { EvaluationOutput } from './evaluation-request.ts';
import type { RunLog } from './run-log.ts';

export type SampleSink = (task: string, sample: Record<string, unknown>) => void;

export interface WrittenOutputs {
  files: string[];
  unsaved?: EvaluationOutput['unsaved'];
}

export interface RunOutputsOptions {
  /** `--output_path`; null: nothing is written */
  outputPath: string | null;
  modelNameSanitized: string;
  /** the date id in the file names */
  id: string;
  profile: Profile;
  logSamples: boolean;
}

export class RunOutputs {
  private readonly location: OutputLocation | null;
  private readonly writers = new Map<string, SamplesWriter>();
  private writeError: Error | null = null;

  constructor(
    private readonly options: RunOutputsOptions,
    private readonly runLog: Pick<RunLog, 'log' | 'phase'>,
  ) {
    this.location = options.outputPath ? outputLocation(options.outputPath, options.modelNameSanitized, options.id, options.profile) : null;
  }

  /** Where the evaluator streams sample records (undefined when no samples files are written). */
  get onSample(): SampleSink | undefined {
    return this.location && this.options.logSamples ? (task, sample) => this.writeSample(task, sample) : undefined;
  }

  private writeSample(task: string, sample: Record<string, unknown>): void {
    if (this.writeError) return; // the samples stay in memory and reach the fallback file
    try {
      this.writerOf(task).write(sample);
    } catch (e) {
      if (!isSystemError(e)) throw e;
      this.writeError = e;
      this.runLog.log('ERROR', `cannot write samples under ${this.options.outputPath} (${e.code}); the run goes on and the results will be saved to a fallback file`);
    }
  }

  private writerOf(task: string): SamplesWriter {
    let w = this.writers.get(task);
    if (!w) {
      w = new SamplesWriter(this.location!.samplesFile(task));
      this.writers.set(task, w);
    }
    return w;
  }

  /** Writes the results file and finishes the samples files (in the order of the `configs` keys, as lm-eval writes them). */
  write(results: Record<string, unknown>, samples: Record<string, unknown[]>): WrittenOutputs {
    const files: string[] = [];
    if (!this.location) return { files };
    this.runLog.phase('writing results');
    try {
      if (this.writeError) throw this.writeError;
      writeResultsFile(this.location.resultsFile, results);
      files.push(this.location.resultsFile);
      if (this.options.logSamples) for (const task of Object.keys(results.configs as object)) files.push(this.finishSamples(task));
      return { files };
    } catch (e) {
      if (!isSystemError(e)) throw e;
      const fallback = writeFallbackFile(this.options.id, results, this.options.logSamples ? samples : {});
      return { files, unsaved: { reason: `${e.code}: ${e.message}`, fallbackFile: fallback } };
    }
  }

  private finishSamples(task: string): string {
    const file = this.location!.samplesFile(task);
    (this.writers.get(task) ?? new SamplesWriter(file)).finish();
    return file;
  }
}

/** The sample records of each task, as the run returns them. */
export function samplesByTask(outcomes: readonly TaskOutcome[]): Record<string, Array<Record<string, unknown>>> {
  return Object.fromEntries(outcomes.map((o) => [o.task.name, o.samples]));
}

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && 'code' in e;
}
