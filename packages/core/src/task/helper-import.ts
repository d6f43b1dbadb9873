/**
 * How task helper modules (`!function utils.fn` -> a `utils.ts`/`.js` next to the YAML) are
 * imported. A host can set a loader preparation that runs once, before the first helper module is
 * imported: the packed `lm-eval` binary registers its TypeScript loader (tsx) and module hooks
 * there, so commands and runs that import no helper never start them (registering module hooks
 * starts a loader thread and routes every later import through it).
 */
import { pathToFileURL } from 'node:url';

let prepare: (() => Promise<void>) | undefined;
let prepared: Promise<void> | undefined;

/** Sets the preparation to run once before the first helper module is imported (replaces any earlier one not yet run). */
export function setHelperImportPreparation(fn: () => Promise<void>): void {
  prepare = fn;
  prepared = undefined;
}

/** Imports a helper module by its absolute path, after the host's preparation (if any) has run. */
export async function importHelperModule(file: string): Promise<Record<string, unknown>> {
  if (prepare) prepared ??= prepare();
  await prepared;
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
