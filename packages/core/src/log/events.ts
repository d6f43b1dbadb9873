/**
 * Warnings, notes and progress from library code, as events. Library modules never write to
 * stdout/stderr: they call a {@link Logger}, which hands an {@link LmEvalEvent} to the listeners of
 * an {@link EventHub}. A program subscribes to print, collect or silence them; with no listener
 * an event goes nowhere. The `lm-eval` CLI subscribes to {@link lmEvalEvents} and prints.
 *
 * ```ts
 * const stop = lmEvalEvents.subscribe((e) => { if (e.type === 'log') console.error(e.level, e.message); });
 * // ... run evaluations ...
 * stop();
 * ```
 */

/** Python `logging` level names, as lm-eval and `--verbosity` use them. */
export type EventLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

/** A log line: `source` names the emitting component (`hf`, `openai`, `vllm`, `core`, ...). */
export interface LogEvent {
  type: 'log';
  level: EventLevel;
  source: string;
  message: string;
}

/** Work advanced: `done` of `total` units (`label` says which, e.g. `loglikelihood requests`). */
export interface ProgressEvent {
  type: 'progress';
  source: string;
  label: string;
  done: number;
  total: number;
}

/** A new stage of long work started (`loading model`, `building requests`, ...). */
export interface PhaseEvent {
  type: 'phase';
  source: string;
  phase: string;
}

export type LmEvalEvent = LogEvent | ProgressEvent | PhaseEvent;

export type EventListener = (event: LmEvalEvent) => void;

/** A set of listeners. `emit` calls each one in subscription order; a throwing listener is not isolated. */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  /** Adds a listener; the returned function removes it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: LmEvalEvent): void {
    for (const l of [...this.listeners]) l(event);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

/** The process-wide hub library code emits to unless it is given another one. */
export const lmEvalEvents = new EventHub();

/** What a component uses to emit: `log.warn('...')`, `log.progress('requests', 3, 10)`. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  phase(phase: string): void;
  progress(label: string, done: number, total: number): void;
}

/** A {@link Logger} emitting to `hub` (default {@link lmEvalEvents}) with the given source name. */
export function createLogger(source: string, hub: EventHub = lmEvalEvents): Logger {
  const log = (level: EventLevel) => (message: string) => hub.emit({ type: 'log', level, source, message });
  return {
    debug: log('DEBUG'),
    info: log('INFO'),
    warn: log('WARNING'),
    error: log('ERROR'),
    phase: (phase) => hub.emit({ type: 'phase', source, phase }),
    progress: (label, done, total) => hub.emit({ type: 'progress', source, label, done, total }),
  };
}
