// @lm-eval/core/testing: helpers for testing backends against the bundled model (not part of the root entry).
export * from './conformance.ts';
export * from './scripted-judge.ts';
export * from './behaviour.ts';
