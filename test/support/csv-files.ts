/** Reads the gzipped CSV files a run wrote, with a small RFC 4180 parser (quotes, CRLF). */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TABLE_KEYS, TABLES, type TableKey } from '../../src/formats/tables.ts';

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

export async function readTable(dir: string, key: TableKey): Promise<string[][]> {
  const gz = await readFile(join(dir, TABLES[key].csvFile));
  return parseCsv(gunzipSync(gz).toString('utf8'));
}

export async function readAllTables(dir: string): Promise<Record<TableKey, string[][]>> {
  const entries = await Promise.all(TABLE_KEYS.map(async (key) => [key, await readTable(dir, key)] as const));
  return Object.fromEntries(entries) as Record<TableKey, string[][]>;
}
