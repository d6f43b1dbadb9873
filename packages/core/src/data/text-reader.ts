/**
 * The `text` builder of Hugging Face `datasets`: one row `{"text": ...}` per line (default),
 * per paragraph (`sample_by: paragraph`, blocks separated by a blank line) or per file
 * (`sample_by: document`). Files are read with universal newlines (`\r\n`, `\r` → `\n`), as
 * Python's text mode does.
 */
import { LmEvalError } from '../errors.ts';
import { readText } from './files.ts';

export interface TextReadOptions {
  sampleBy?: 'line' | 'paragraph' | 'document';
  /** Keep the `\n` at the end of each line (default false). */
  keepLinebreaks?: boolean;
  encoding?: string;
}

export async function readTextFile(file: string, options: TextReadOptions = {}): Promise<{ text: string }[]> {
  const text = (await readText(file, options.encoding ?? 'utf-8')).replace(/\r\n?/g, '\n');
  const sampleBy = options.sampleBy ?? 'line';
  if (sampleBy === 'document') return [{ text }];
  if (sampleBy === 'paragraph') {
    // datasets: text.split("\n\n"), empty blocks dropped.
    return text
      .split('\n\n')
      .filter((p) => p !== '')
      .map((p) => ({ text: p }));
  }
  if (sampleBy !== 'line') {
    throw new LmEvalError(`Unknown sample_by '${String(sampleBy)}' for the text builder`, "Use 'line', 'paragraph' or 'document'.");
  }
  // Python readlines(): "a\nb\n" → ["a\n", "b\n"]; "a\nb" → ["a\n", "b"].
  const lines = text.split('\n');
  const out: { text: string }[] = [];
  lines.forEach((line, i) => {
    const last = i === lines.length - 1;
    if (last && line === '') return;
    out.push({ text: options.keepLinebreaks && !last ? line + '\n' : line });
  });
  return out;
}
