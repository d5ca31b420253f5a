/** The README's generated parts match the code, and its two commands are the ones CI runs. */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withReference } from '../scripts/config-reference.ts';
import { withReportReference } from '../scripts/report-reference.ts';
import { KEY_DOCS } from '../src/config/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has the current config key reference (run: node scripts/config-reference.ts --write)', () => {
    expect(withReference(readme)).toBe(readme);
  });

  it('has the current dashboard → report table (run: node scripts/report-reference.ts --write)', async () => {
    expect(await withReportReference(readme)).toBe(readme);
  });

  it('documents every accepted key', () => {
    for (const doc of KEY_DOCS) expect(readme, doc.key).toContain(`\`${doc.key}\``);
  });

  it('shows the set-up-and-run command and the test command, and .ci/run runs the test command', () => {
    expect(readme).toContain('source scripts/use-node.sh && npm ci && npx xapi-db-load load-db');
    expect(readme).toContain('source scripts/use-node.sh && npm ci && npm test');
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    expect(ci).toContain('source scripts/use-node.sh');
    expect(ci).toMatch(/^npm test$/m);
  });
});
