/**
 * How the parts of a run report: log lines, warnings (each distinct one once per run) and phases.
 */
import type { EvaluationRequest, LogLevel } from './evaluation-request.ts';

export interface RunLog {
  log: (level: LogLevel, message: string) => void;
  /** a WARNING line, printed once however often the same text is warned */
  warn: (message: string) => void;
  phase: (phase: string) => void;
}

export function runLog(request: Pick<EvaluationRequest, 'log' | 'onPhase'>): RunLog {
  const log = request.log ?? (() => {});
  const warned = new Set<string>();
  return {
    log,
    warn: (message) => {
      if (warned.has(message)) return;
      warned.add(message);
      log('WARNING', message);
    },
    phase: (phase) => request.onPhase?.(phase),
  };
}
