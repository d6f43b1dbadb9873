/**
 * What a run prints (lm-eval's `__main__.cli_evaluate` after `simple_evaluate`): the header line
 * naming the model and settings, the results table and, when there are groups, the groups table.
 */
import type { Profile } from '../compat.ts';
import type { ModelArgs } from '../model/types.ts';
import { pyFloat, pyRepr, pyStr } from '../python/values.ts';
import { makeTable } from '../report/table.ts';
import type { ResolvedGroup } from '../task/group.ts';
import type { EvaluationRequest } from './evaluation-request.ts';
import { redactModelArgs } from './redact-model-args.ts';

type Results = Record<string, any>;
type Groups = ReadonlyMap<string, Pick<ResolvedGroup, 'children' | 'parent'>>;
type HeaderRequest = Pick<EvaluationRequest, 'modelArgsRaw' | 'genKwargs' | 'genKwargsRaw' | 'limit' | 'numFewshot' | 'batchSize'>;

/** The header line: [latest] model args and gen_kwargs as Python dicts; [v0.4.4] as typed. */
export function summaryHeader(model: string, request: HeaderRequest, modelArgs: ModelArgs, profile: Profile): string {
  const args = profile === 'latest' ? pyRepr(withoutTrustRemoteCode(redactModelArgs(modelArgs))) : request.modelArgsRaw ?? '';
  const genKwargs = profile === 'latest' ? pyRepr(request.genKwargs ?? {}) : request.genKwargsRaw ?? 'None';
  const limit = request.limit == null ? 'None' : pyStr(pyFloat(request.limit));
  return `${model} (${args}), gen_kwargs: (${genKwargs}), limit: ${limit}, num_fewshot: ${request.numFewshot ?? 'None'}, batch_size: ${request.batchSize ?? 1}`;
}

/** Header, results table ([latest] groups before their members, aliases indented) and groups table. */
export function formatSummary(header: string, results: Results, groups: Groups, profile: Profile): string {
  const table = profile === 'latest' ? makeTable({ ...results, results: inTableOrder(results, groups) }) : makeTable(results);
  const groupsTable = results.groups ? '\n\n' + makeTable(results, 'groups') : '';
  return `${header}\n${table}${groupsTable}`;
}

/** [latest] The results entries depth-first: root groups, their members (sorted), then the other tasks; members' aliases indented. */
export function inTableOrder(results: Results, groups: Groups): Record<string, unknown> {
  const entries: Record<string, unknown> = {};
  const seen = new Set<string>();
  const visit = (name: string, depth: number) => {
    if (seen.has(name)) return;
    seen.add(name);
    const entry = results.results?.[name];
    if (entry) entries[name] = { ...entry, alias: depth > 0 ? ' '.repeat(depth) + '- ' + (entry.alias ?? name) : entry.alias ?? name };
    for (const c of [...(groups.get(name)?.children ?? [])].sort()) visit(c, depth + 1);
  };
  const roots = [...groups.entries()].filter(([, g]) => !g.parent).map(([name]) => name);
  const tasks = Object.keys(results.results ?? {}).filter((name) => !groups.has(name));
  for (const name of [...roots.sort(), ...tasks.sort()]) visit(name, 0);
  return entries;
}

function withoutTrustRemoteCode(args: ModelArgs): ModelArgs {
  const { trust_remote_code: _t, ...rest } = args;
  return rest;
}
