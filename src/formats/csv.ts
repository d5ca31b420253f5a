/**
 * CSV in the dialect of Python's `csv` module defaults (the original tool's files): comma
 * separated, `\r\n` line ends, no header, a field quoted only when it contains `,`, `"`, `\r`
 * or `\n`, quotes doubled inside quoted fields. `null` is an empty field, booleans are
 * `True`/`False`.
 */

export type CsvValue = string | number | boolean | null;

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Quoted forms of the fields that need quoting. Such fields (block JSON, display names) repeat
 * on every publish of a course, and re-quoting them was the costliest part of the event-sink rows.
 */
const quotedMemo = new Map<string, string>();
const QUOTED_MEMO_LIMIT = 50_000;

/** One field, quoted when needed. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (!NEEDS_QUOTES.test(value)) return value;
  let quoted = quotedMemo.get(value);
  if (quoted === undefined) {
    quoted = `"${value.replaceAll('"', '""')}"`;
    if (quotedMemo.size < QUOTED_MEMO_LIMIT) quotedMemo.set(value, quoted);
  }
  return quoted;
}

/** One row including its `\r\n`. */
export function csvRow(values: readonly CsvValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += ',';
    line += csvField(values[i] as CsvValue);
  }
  return `${line}\r\n`;
}
