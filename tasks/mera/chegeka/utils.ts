/** CheGeKa scores like MultiQ (MERA's benchmark_tasks/tape/utils.py `process_results`: SQuAD em/f1, max over `outputs.split(";")`). */
export { process_results } from '../multiq/utils.ts';
