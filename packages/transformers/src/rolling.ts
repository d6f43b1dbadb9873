/**
 * lm-eval's rolling token windows for `loglikelihood_rolling` (shared implementation in core).
 */
export { rollingTokenWindows as rollingWindows, type TokenWindow } from '@lm-eval/core/models';
