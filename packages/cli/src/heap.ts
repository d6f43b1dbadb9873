/**
 * How far V8 lets the heap grow between full collections during an evaluation (`run`,
 * `experiments run`, `answers`). By default V8 multiplies the live size by a factor of up to 4
 * after each full collection; a run's request phase promotes
 * short-lived objects steadily (every reply in flight outlives a young-generation collection), so
 * the old generation filled with dead objects up to that limit without being collected (20k
 * requests: heap 35 → 150 MB with ~60 MB live, peak RSS ≈ 290 MB). A factor of 1.3 collects it
 * at about 1.3 × the live size instead (peak RSS ≈ 245 MB; measured with bench/whole-run.ts:
 * CPU time within the noise, but ≈ 5–10 % more for 256 concurrent rolling requests, whose peak
 * fell from 450 to 260 MB). V8's own flag (node --v8-options: --heap-growing-percent); a value given on
 * the command line or in NODE_OPTIONS is left alone.
 */
import v8 from 'node:v8';

const FLAG = '--heap-growing-percent';

export function limitHeapGrowth(percent = 30): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.replace(/_/g, '-').startsWith(FLAG));
  if (!given) v8.setFlagsFromString(`${FLAG}=${percent}`);
}
