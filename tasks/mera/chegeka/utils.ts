/** CheGeKa scores like MultiQ (spec/mera.md §6: SQuAD em/f1, max over `outputs.split(";")`). */
export { process_results } from '../multiq/utils.ts';
