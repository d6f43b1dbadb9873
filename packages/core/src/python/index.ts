/**
 * `@lm-eval/core/python`: Python value semantics as the harness reproduces them, for task helpers
 * that must give Python's exact strings and numbers — values and their `str()`/`repr()`, `json`,
 * `random`, `re`, literals, `str.format`/`%`, `str` methods, CPython/NumPy numerics.
 * @module
 */
export {
  pyFloat,
  isFloat,
  toNumber,
  isNumberLike,
  tuple,
  isPlainObject,
  pyRepr,
  pyStr,
  pyTruthy,
  pyEquals,
  compareCodePoints,
  pyLen,
  pyDeepCopy,
  PyFloat,
  PyTuple,
} from './values.ts';
export { parsePyJson, pyJsonString, pyJsonDumps, memoPyJsonDumps, PyJsonError, type PyJsonDumpsOptions } from './json.ts';
export { PyRandom, type PySeed, type PyRandomState } from './random.ts';
export { sha256Hex } from './hash.ts';
export {
  compilePyRegex,
  reSearch,
  reMatch,
  reFullmatch,
  reFindall,
  reFinditer,
  reSub,
  reSubn,
  reSplit,
  reEscape,
  PY_RE_FLAGS,
  PyMatch,
  PyPattern,
  type PyReplacement,
} from './re.ts';
export { decodePyEscapes, parsePythonLiteral } from './literal.ts';
export { pyFormat, pyPercentFormat, pyRound } from './format.ts';
export { PyException } from './types.ts';
export {
  isPyWhitespace,
  pySplit,
  pyRSplit,
  pyReplace,
  pySplitLines,
  pyTitle,
  pyCapitalize,
  pyJoin,
  pyLstrip,
  pyRstrip,
  pyStrip,
  PY_WHITESPACE,
} from './str-methods.ts';
export { pySum, pyMean, npSum, npMean, sampleStddev, meanStderr, argmax, asFloat, pyIntFromString } from './numeric.ts';
export { exp as pyExp, log as pyLog } from '../evaluate/aggregations/libm.ts';
export { pythonDefinitionHash } from './source-hash.ts';
