/**
 * CSV in the dialect of Python's `csv` module defaults (the original tool's files): comma
 * separated, `\r\n` line ends, no header, a field quoted only when it contains `,`, `"`, `\r`
 * or `\n`, quotes doubled inside quoted fields. `null` is an empty field, booleans are
 * `True`/`False`.
 */

export type CsvValue = string | number | boolean | null;

const NEEDS_QUOTES = /[",\r\n]/;

/** One field, quoted when needed. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
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
