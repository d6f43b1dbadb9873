/** The built-in filters, by the names used in task YAML (`filter_list[].filter[].function`). */
import { customFilter } from './custom.ts';
import type { FilterFactory } from './filter.ts';
import { lowercaseFilter } from './lowercase.ts';
import { majorityVoteFilter } from './majority-vote.ts';
import { mapFilter } from './map.ts';
import { multiChoiceRegexFilter } from './multi-choice-regex.ts';
import { regexFilter } from './regex.ts';
import { removeWhitespaceFilter } from './remove-whitespace.ts';
import { takeFirstKFilter } from './take-first-k.ts';
import { takeFirstFilter } from './take-first.ts';
import { uppercaseFilter } from './uppercase.ts';

export const BUILTIN_FILTERS: Readonly<Record<string, FilterFactory>> = {
  take_first: takeFirstFilter,
  take_first_k: takeFirstKFilter,
  majority_vote: majorityVoteFilter,
  regex: regexFilter,
  remove_whitespace: removeWhitespaceFilter,
  lowercase: lowercaseFilter,
  uppercase: uppercaseFilter,
  map: mapFilter,
  multi_choice_regex: multiChoiceRegexFilter,
  custom: customFilter,
};
