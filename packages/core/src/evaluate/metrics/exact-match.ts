import { reSub } from '../../python/re.ts';
import { pyRepr, pyStr, pyTruthy } from '../../python/values.ts';
import { asFloat } from '../../python/numeric.ts';
import type { MetricCallArgs, MetricDef } from './types.ts';

const OPTIONS = new Set(['regexes_to_ignore', 'ignore_case', 'ignore_punctuation', 'ignore_numbers']);
/** ASCII `string.punctuation`. */
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
const DIGITS = /[0-9]/g;

/**
 * HF-evaluate `exact_match.compute(predictions, references, regexes_to_ignore=None,
 * ignore_case=False, ignore_punctuation=False, ignore_numbers=False)`: in this order, remove
 * every match of each regex (Python `re.sub(p, "", x)`), lowercase, drop ASCII punctuation, drop
 * ASCII digits; the score is the mean of element-wise equality, as a float.
 * Non-string inputs are compared through their Python `str()` (HF evaluate casts them).
 */
export function exactMatchCompute(args: MetricCallArgs): { exact_match: unknown } {
  const { references, predictions, ...options } = args;
  for (const k of Object.keys(options)) {
    if (!OPTIONS.has(k)) throw new TypeError(`exact_match got an unexpected keyword argument '${k}'`);
  }
  if (!Array.isArray(predictions) || !Array.isArray(references)) {
    throw new TypeError('exact_match: predictions and references must be lists');
  }
  let preds = predictions.map((x) => pyStr(x));
  let refs = references.map((x) => pyStr(x));
  const regexes = options.regexes_to_ignore;
  if (regexes !== undefined && regexes !== null) {
    // Python iterates the value: a list of patterns (a bare string would iterate characters)
    const patterns = typeof regexes === 'string' ? Array.from(regexes) : (regexes as unknown[]);
    if (!Array.isArray(patterns)) throw new TypeError(`exact_match: regexes_to_ignore must be a list, got ${pyRepr(regexes)}`);
    for (const p of patterns) {
      if (typeof p !== 'string') throw new TypeError(`exact_match: regexes_to_ignore entries must be strings, got ${pyRepr(p)}`);
      preds = preds.map((x) => reSub(p, '', x));
      refs = refs.map((x) => reSub(p, '', x));
    }
  }
  if (pyTruthy(options.ignore_case)) {
    preds = preds.map((x) => x.toLowerCase());
    refs = refs.map((x) => x.toLowerCase());
  }
  if (pyTruthy(options.ignore_punctuation)) {
    preds = preds.map((x) => x.replace(PUNCTUATION, ''));
    refs = refs.map((x) => x.replace(PUNCTUATION, ''));
  }
  if (pyTruthy(options.ignore_numbers)) {
    preds = preds.map((x) => x.replace(DIGITS, ''));
    refs = refs.map((x) => x.replace(DIGITS, ''));
  }
  if (preds.length !== refs.length) {
    throw new RangeError(`exact_match: ${preds.length} predictions but ${refs.length} references`);
  }
  let equal = 0;
  for (let i = 0; i < preds.length; i++) if (preds[i] === refs[i]) equal++;
  return { exact_match: asFloat(preds.length ? equal / preds.length : NaN) };
}

/** `exact_match`: keyword-style metric returning `{"exact_match": score}`. */
export const exactMatchMetric: MetricDef = {
  name: 'exact_match',
  higherIsBetter: true,
  aggregation: 'mean',
  outputTypes: ['generate_until'],
  compute: exactMatchCompute,
};
