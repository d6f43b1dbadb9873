/**
 * The prompt shared by the judges that grade an answer against the reference answer
 * (`judge_exactness`, `judge_notator`): question, reference and answer, then the judge's question.
 */
export function gradeAgainstReference(instruction: string): string {
  return `You are grading an answer against a reference answer.

Question:
{{ query }}

Reference answer:
{{ output_true }}

Answer to grade:
{{ output }}

${instruction}`;
}
