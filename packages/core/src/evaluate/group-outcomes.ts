/**
 * The groups' part of the results (lm-eval's `consolidate_group_results`): each group's
 * aggregate over its leaf tasks, version, n-shot and higher_is_better, children before parents.
 */
import type { Profile } from '../compat.ts';
import { resolvePending } from '../pyfn/session.ts';
import type { ResolvedGroup } from '../task/group.ts';
import type { TaskOutcome } from './evaluator.ts';
import { aggregateGroup, groupEntry, groupNShot, groupVersion, mergeHigherIsBetter, type GroupAggMetric, type LeafResult } from './group-aggregate.ts';
import type { GroupOutcome } from './results.ts';

type Groups = ReadonlyMap<string, Pick<ResolvedGroup, 'name' | 'config' | 'children' | 'parent'>>;

/**
 * Every group's outcome, parents first (the order results list them). A group with a task in
 * `failedTasks` under it gets none: its aggregate would be over the finished tasks only.
 */
export async function aggregateGroups(groups: Groups, outcomes: readonly TaskOutcome[], failedTasks: ReadonlySet<string>, profile: Profile, warn: (message: string) => void): Promise<GroupOutcome[]> {
  const outcomeByName = new Map(outcomes.map((o) => [o.task.name, o]));
  const higherIsBetter = new Map<string, Record<string, boolean | null>>(outcomes.map((o) => [o.task.name, o.task.higherIsBetter]));
  const nShots = new Map<string, unknown>(outcomes.map((o) => [o.task.name, o.task.nShot]));
  const result: GroupOutcome[] = [];
  for (const g of bottomUp(groups)) {
    if (allLeavesOf(groups, g.name).some((n) => failedTasks.has(n))) continue;
    const leaves = finishedLeavesOf(groups, g.name, outcomeByName);
    const agg = await aggregateOf(g.name, g.config.aggregate_metric_list as GroupAggMetric[] | null, leaves, profile);
    for (const w of agg?.warnings ?? []) warn(w);
    const { merged, warnings } = mergeHigherIsBetter(g.name, g.children.map((c) => higherIsBetter.get(c) ?? {}));
    for (const w of warnings) warn(w);
    higherIsBetter.set(g.name, merged);
    const nShot = profile === 'latest' ? groupNShot(g.children.map((c) => nShots.get(c))) : undefined;
    nShots.set(g.name, nShot);
    result.push({
      name: g.name,
      alias: g.config.group_alias ?? g.name,
      children: g.children,
      entry: agg ? groupEntry(g.name, g.config.group_alias, agg, profile) : null,
      version: groupVersion(g.config.metadata as Record<string, unknown> | null, profile),
      nShot,
      higherIsBetter: merged,
    });
  }
  return result.reverse();
}

/** The group's aggregate, or null without aggregate_metric_list (a Python !function aggregation is answered by the helper worker). */
function aggregateOf(group: string, list: readonly GroupAggMetric[] | null, leaves: LeafResult[], profile: Profile) {
  return list ? resolvePending(() => aggregateGroup(group, list, leaves, profile)) : Promise.resolve(null);
}

/** Groups deepest first (stable among equal depths). */
function bottomUp<G extends { name: string; parent: string | null }>(groups: ReadonlyMap<string, G>): G[] {
  const depth = (name: string): number => {
    let d = 0;
    for (let p = groups.get(name)?.parent; p; p = groups.get(p)?.parent) d++;
    return d;
  };
  return [...groups.values()].sort((a, b) => depth(b.name) - depth(a.name));
}

/** Every task under the group, at any depth. */
function allLeavesOf(groups: Groups, name: string): string[] {
  return groups.get(name)?.children.flatMap((c) => allLeavesOf(groups, c)) ?? [name];
}

/** The tasks under the group that have an outcome, with their results, in task order. */
function finishedLeavesOf(groups: Groups, name: string, outcomes: ReadonlyMap<string, TaskOutcome>): LeafResult[] {
  return allLeavesOf(groups, name)
    .filter((n) => outcomes.has(n))
    .map((n) => {
      const o = outcomes.get(n)!;
      return { name: n, results: Object.fromEntries(o.metrics), sampleLen: o.sampleLen };
    });
}
