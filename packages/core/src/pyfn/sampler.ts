/**
 * A Python few-shot sampler class (`fewshot_config.sampler: !function utils.MySampler`, an lm-eval
 * `ContextSampler` subclass that is not a recognised port) living in the helper worker. lm-eval
 * (latest) builds it with the few-shot docs and asks it `sample(n=k, eval_doc=…)` for each
 * evaluated doc (lm_eval/api/task.py `ConfigurableTask.fewshot_context`); the harness does the
 * same, handing it a `random.Random` in the state of the task's seeded few-shot generator. Needs
 * the real `lm_eval` package in the worker's Python (the class subclasses its sampler).
 */
import type { Profile } from '../compat.ts';
import { LmEvalError } from '../errors.ts';
import type { Doc } from '../prompt/task-view.ts';
import type { FewshotSampler } from '../prompt/sampler.ts';
import type { PyRandom, PyRandomState } from '../python/random.ts';
import { FunctionRef } from '../task/yaml.ts';
import { pythonHandleCallable, pythonHandleOf, pythonHelperExecutable, pythonInfo, pythonRequest, pythonTargetOf } from './session.ts';

export interface PythonSamplerOptions {
  task: string;
  profile: Profile;
  /** the few-shot docs (lm-eval's `fewshot_docs()`) */
  pool: Doc[];
  /** the few-shot split is the test split: lm-eval passes the evaluated doc to `sample` */
  excludeEvalDoc: boolean;
}

/** The sampler made from `cls`, ready for the evaluator's `makeSampler(rnd)`. */
export async function pythonSampler(cls: unknown, o: PythonSamplerOptions): Promise<(rnd: PyRandom) => FewshotSampler> {
  const t = pythonTargetOf(cls);
  if (!t) throw new Error('not a Python class');
  const ref = t.ref;
  const where = `task '${o.task}' (${ref.yamlFile || ref.yamlDir}): fewshot_config.sampler is the Python class ${ref.raw}`;
  const instead = `or write a TypeScript sampler class ${ref.name} in a utils.ts next to the YAML, or use a built-in sampler (default, first_n)`;
  if (o.profile === '0.4.4') {
    throw new LmEvalError(
      `${where}: Python sampler classes run for the latest profile only (lm-eval 0.4.4's samplers format the prompt through lm-eval's own task object)`,
      `Run without the 0.4.4 profile, ${instead}.`,
    );
  }
  const info = await pythonInfo(cls);
  if (!info.lm_eval) {
    throw new LmEvalError(
      `${where}, which needs the Python lm_eval package; '${pythonHelperExecutable()}' (${info.executable}) does not have it`,
      `Install lm-eval into that Python (pip install lm-eval), or pass --python (or set LM_EVAL_PYTHON) with one that has it, ${instead}.`,
    );
  }
  const { handle } = await pythonRequest<{ handle: number }>(cls, 'sampler_new', { handle: await pythonHandleOf(cls), docs: o.pool });
  const draw = pythonHandleCallable(new FunctionRef(ref.module, `${ref.name}.sample`, ref.yamlDir, `${ref.raw}.sample`, ref.yamlFile), t.file, handle);
  return (rnd) => new PythonSampler(draw, rnd.getstate(), o.excludeEvalDoc);
}

class PythonSampler implements FewshotSampler {
  private seq = 0;

  constructor(
    private readonly draw: (...args: unknown[]) => unknown,
    private readonly state: PyRandomState,
    private readonly excludeEvalDoc: boolean,
  ) {}

  /**
   * The prompt builder asks for k+1 docs when the evaluated doc must be left out (and drops it
   * itself); lm-eval asks the sampler for k with `eval_doc`, and the sampler leaves it out.
   */
  sample(n: number, evalDoc: Doc): Doc[] {
    // a call whose answer is not known yet throws (and is asked again with the same seq)
    const out = this.draw(this.excludeEvalDoc ? n - 1 : n, this.excludeEvalDoc ? evalDoc : null, this.seq, this.seq === 0 ? this.state : null) as Doc[];
    this.seq++;
    return out;
  }
}
