/**
 * The report suite covers the dashboards: on the `small` preset every built-in report returns
 * rows, and every numeric column of a report is non-zero in at least one row, so a dataset whose
 * model comes out empty (or all zeros) fails here by name. Reports that a release does not apply
 * to are skipped with their stated reason, and nothing else is. Seeds through the shared dataset
 * cache and loaded-database snapshots, so a warm run loads in seconds.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.ts';
import { describeError } from '../src/errors.ts';
import { loadReports } from '../src/reports/catalog.ts';
import { isNumericType, pickCourse, referenceTimeFromConfig, runReport } from '../src/reports/run.ts';
import { type SeededAspects, seedAspects } from '../src/testing/index.ts';

const SMALL = fileURLToPath(new URL('../configs/presets/small.yaml', import.meta.url));
const NOW = '2026-11-15T00:00:00Z';

const seeded: SeededAspects[] = [];
afterAll(async () => {
  for (const s of seeded) await s.close();
});

describe('every report lights up on the small preset', () => {
  it('returns rows with non-zero metrics', async () => {
    // A pinned `now`, so learners are active in the days before it ("last 7 days" charts).
    const config = await loadConfig(SMALL, { env: {}, warn: () => {}, overrides: { now: NOW } });
    const aspects = await seedAspects(config, { provider: 'embedded', log: () => {} });
    seeded.push(aspects);
    const reports = await loadReports();
    const course = await pickCourse(aspects.clickhouse, aspects.names);
    const params = { ...course, now: referenceTimeFromConfig(config) };
    const problems: string[] = [];
    for (const report of reports) {
      let result: Awaited<ReturnType<typeof runReport>>['result'];
      try {
        ({ result } = await runReport(aspects.clickhouse, report, aspects.names, params));
      } catch (error) {
        problems.push(`${report.name}: ${describeError(error).slice(0, 300)}`);
        continue;
      }
      if (result.rows.length === 0) {
        problems.push(`${report.name}: no rows`);
        continue;
      }
      result.columns.forEach((column, i) => {
        if (!isNumericType(result.types[i] ?? 'String')) return;
        const lit = result.rows.some((row) => typeof row[i] === 'number' && row[i] !== 0);
        const gap = report.gap?.columns.includes(column) ?? false;
        if (!lit && !gap) problems.push(`${report.name}.${column}: zero in every row`);
        if (lit && gap) problems.push(`${report.name}.${column}: lights up now; remove it from @gap`);
      });
    }
    expect(problems).toEqual([]);
  }, 600_000);
});
