/**
 * The public surface is a decision: this snapshots every name src/index.ts exports (values and
 * types), so adding, renaming or removing one shows in review as a snapshot change.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const INDEX = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/**
 * `name (value)` or `name (type)` for every export of the entry point, sorted, read from its
 * syntax (no type check: fast). The entry point lists names one by one: `export *` would let a
 * module widen the surface unseen, so it fails here.
 */
function exportList(): string[] {
  const source = ts.createSourceFile(INDEX, readFileSync(INDEX, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement)) continue;
    const clause = statement.exportClause;
    if (!clause || !ts.isNamedExports(clause))
      throw new Error(`src/index.ts: name every export (${statement.getText(source)})`);
    for (const element of clause.elements) {
      names.push(`${element.name.text} (${statement.isTypeOnly || element.isTypeOnly ? 'type' : 'value'})`);
    }
  }
  return names.sort();
}

describe('public API', () => {
  it('exports exactly the names in the snapshot', () => {
    expect(exportList()).toMatchSnapshot();
  });

  it('exports at run time every value the snapshot lists', async () => {
    const runtime = Object.keys(await import('../src/index.ts')).sort();
    const values = exportList()
      .filter((e) => e.endsWith(' (value)'))
      .map((e) => e.replace(' (value)', ''));
    expect(runtime).toEqual(values);
  });
});
