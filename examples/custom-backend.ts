/**
 * Bring your own backend: any async function `prompt → text` becomes an `LM` that `evaluate()`
 * runs on generate_until tasks. Here the "model" answers every story opening with one fixed word;
 * swap in a call to your own service.
 *
 *   node --import tsx examples/custom-backend.ts
 *
 * The LM interface (@lm-eval/core `LM`): `loglikelihood`, `loglikelihoodRolling` and
 * `generateUntil` each take a batch of requests and return the answers in input order, calling
 * `hooks.onResult(i, answer)` once per request as soon as it is known and rejecting with the
 * signal's reason when `hooks.signal` aborts (the whole contract is on `LM`; `runBackendBehaviour`
 * from `@lm-eval/core/testing` checks a backend against it). A backend that cannot score text refuses the two loglikelihood kinds with
 * an LmEvalError, so tasks that need them fail with a clear message.
 */
import { fileURLToPath } from 'node:url';
import { evaluate, LmEvalError, type GenerateRequest, type GenKwargs, type LM, type RequestHooks } from '@lm-eval/core';

export type GenerateFn = (prompt: string, genKwargs: GenKwargs) => Promise<string>;

/** lm-eval's stop rule: the answer ends before the first `until` string. */
function cutAtStops(text: string, until: unknown): string {
  const stops = typeof until === 'string' ? [until] : Array.isArray(until) ? until.map(String) : [];
  let end = text.length;
  for (const s of stops) {
    const at = s ? text.indexOf(s) : -1;
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

/** An {@link LM} that generates with `generate` (one request at a time) and cannot score text. */
export function lmFromFunction(name: string, generate: GenerateFn): LM {
  const refuse = async (): Promise<never> => {
    throw new LmEvalError(`the '${name}' backend only generates text`, 'run generate_until tasks with it');
  };
  return {
    name,
    loglikelihood: refuse,
    loglikelihoodRolling: refuse,
    async generateUntil(requests: GenerateRequest[], hooks?: RequestHooks): Promise<string[]> {
      const answers: string[] = [];
      for (const [i, r] of requests.entries()) {
        hooks?.signal?.throwIfAborted();
        const prompt = typeof r.context === 'string' ? r.context : r.context.prompt;
        const answer = cutAtStops(await generate(prompt, r.genKwargs), r.genKwargs.until);
        hooks?.signal?.throwIfAborted(); // aborted while waiting: this answer is not delivered
        answers.push(answer);
        hooks?.onResult?.(i, answer);
      }
      hooks?.signal?.throwIfAborted();
      return answers;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lm = lmFromFunction('always-time', async () => ' time. The end.');
  const { results, summary } = await evaluate({
    model: lm,
    tasks: ['tinystories_continue'],
    onEvent: (e) => {
      if (e.type === 'log' && e.level === 'WARNING') console.error(`warning: ${e.message}`);
    },
  });
  const score = results.results.tinystories_continue['exact_match,first-word'];
  console.log(summary);
  console.log(`exact_match = ${score} (a plain number: ${typeof score})`);
}
