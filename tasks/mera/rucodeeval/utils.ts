/**
 * rucodeeval helpers: pass@k scoring and (on import) the `ruhumanevalscoring` filter, which executes
 * the generated code — see ../code_eval.ts and ../code_runner.ts.
 */
import { registerCodeScoringFilter } from '../code_eval.ts';

registerCodeScoringFilter();

export { process_results } from '../code_eval.ts';
