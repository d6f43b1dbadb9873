// @lm-eval/core/testing: helpers for testing backends against the bundled model (not part of the root entry).
export { runBackendConformance, type ConformanceOptions, type ConformanceReport } from './conformance.ts';
export {
  runBackendBehaviour,
  defaultBehaviourRequests,
  type BehaviourPart,
  type BehaviourRequests,
  type BehaviourOptions,
  type BehaviourReport,
} from './behaviour.ts';
export { bundledModelDir } from '../bundled.ts';
export { ScriptedAnswerer, ScriptedJudge, scriptedVerdict, promptText } from './scripted-judge.ts';
