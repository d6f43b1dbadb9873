/**
 * The results table lm-eval prints (lm_eval/utils.py `make_table`): pytablewriter's Markdown
 * layout — centred headers, columns padded to the widest cell (min. 3), numeric columns
 * right-aligned, text left-aligned.
 */
import { isFloat, pyLen, toNumber } from '../python/values.ts';

const ARROWS: Record<string, string> = { true: '↑', false: '↓' };

type Dict = Record<string, any>;

function fmt4(v: unknown): string {
  return toNumber(v).toFixed(4);
}

/** Rows of lm-eval's make_table for `results` or `groups`. */
export function tableRows(results: Dict, column: 'results' | 'groups' = 'results', order?: string[]): string[][] {
  const rows: string[][] = [];
  const section: Dict = results[column] ?? {};
  const keys = order ?? Object.keys(section);
  for (const key of keys) {
    const entry = section[key];
    if (!entry) continue;
    let name: string = entry.alias ?? key;
    let version: string = key in (results.versions ?? {}) ? displayValue(results.versions[key]) : '    N/A';
    const nshot = results['n-shot']?.[key];
    const n = nshot === undefined ? ' ' : displayValue(nshot);
    const hib: Dict = results.higher_is_better?.[key] ?? {};
    const items = Object.entries(entry)
      .filter(([k]) => k !== 'alias' && k !== 'name' && k !== 'sample_len' && k !== 'sample_count' && k !== 'samples')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [mf, v] of items) {
      const comma = mf.indexOf(',');
      const m = comma >= 0 ? mf.slice(0, comma) : mf;
      const f = comma >= 0 ? mf.slice(comma + 1) : '';
      if (m.endsWith('_stderr')) continue;
      const arrow = ARROWS[String(hib[m])] ?? '';
      const value = isFloat(v) ? fmt4(v) : displayValue(v);
      const seKey = `${m}_stderr,${f}`;
      if (seKey in entry) {
        const se = entry[seKey];
        rows.push([name, version, f, n, m, arrow, value, '±', se === 'N/A' ? '   N/A' : fmt4(se)]);
      } else {
        rows.push([name, version, f, n, m, arrow, value, '', '']);
      }
      name = '';
      version = '';
    }
  }
  return rows;
}

function displayValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (isFloat(v)) {
    const x = toNumber(v);
    return Number.isInteger(x) ? x.toFixed(1) : String(x);
  }
  return String(v);
}

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Markdown table as pytablewriter writes it. */
export function markdownTable(headers: string[], rows: string[][]): string {
  // each cell's width once (listings have ~15k rows)
  const widths = rows.map((r) => headers.map((_, i) => pyLen(r[i] ?? '')));
  const width = headers.map((h, i) => {
    let w = Math.max(3, pyLen(h));
    for (const cw of widths) if (cw[i] > w) w = cw[i];
    return w;
  });
  const numeric = headers.map((_, i) => {
    let any = false;
    for (const r of rows) {
      const c = r[i] ?? '';
      if (c.trim() === '') continue;
      if (!NUMERIC.test(c)) return false;
      any = true;
    }
    return any;
  });
  const pad = (s: string, sw: number, w: number, align: 'left' | 'right' | 'center'): string => {
    const extra = w - sw;
    if (extra <= 0) return s;
    if (align === 'right') return ' '.repeat(extra) + s;
    if (align === 'left') return s + ' '.repeat(extra);
    const left = Math.floor(extra / 2);
    return ' '.repeat(left) + s + ' '.repeat(extra - left);
  };
  const lines: string[] = [];
  lines.push('|' + headers.map((h, i) => pad(h, pyLen(h), width[i], 'center')).join('|') + '|');
  lines.push('|' + width.map((w, i) => (numeric[i] ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join('|') + '|');
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    let line = '|';
    for (let i = 0; i < headers.length; i++) line += pad(r[i] ?? '', widths[k][i], width[i], numeric[i] ? 'right' : 'left') + '|';
    lines.push(line);
  }
  return lines.join('\n');
}

/** lm-eval's make_table(result_dict, column). */
export function makeTable(results: Dict, column: 'results' | 'groups' = 'results', order?: string[]): string {
  const header = column === 'results' ? 'Tasks' : 'Groups';
  return markdownTable([header, 'Version', 'Filter', 'n-shot', 'Metric', '', 'Value', '', 'Stderr'], tableRows(results, column, order));
}
