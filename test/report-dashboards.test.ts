/**
 * The report suite covers the dashboards. Per aspects_version, on the `small` preset with a
 * pinned `now` (so "the last 7 days" hold activity): every report the release runs returns rows,
 * and every numeric column is non-zero in at least one row, so a dataset whose model comes out
 * empty or all zeros fails here by name; columns a report declares as `@gap` must stay zero (the
 * test says when they light up). Seeds through the shared dataset cache and loaded-database
 * snapshots, so a warm run loads in seconds.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ASPECTS_VERSIONS } from '../src/clickhouse/aspects-version.ts';
import { loadConfig } from '../src/config/index.ts';
import { describeError } from '../src/errors.ts';
import { loadReports, reportsForVersion } from '../src/reports/catalog.ts';
import { isNumericType, pickCourse, referenceTimeFromConfig, runReport } from '../src/reports/run.ts';
import { type SeededAspects, seedAspects } from '../src/testing/index.ts';

const SMALL = fileURLToPath(new URL('../configs/presets/small.yaml', import.meta.url));
const NOW = '2026-11-15T00:00:00Z';
const DATABASES: Record<string, string> = { xapi_db: 'xapi', reporting_db: 'reporting', event_sink_db: 'event_sink' };

const seeded: SeededAspects[] = [];
afterAll(async () => {
  for (const s of seeded) await s.close();
});

describe('the report headers', () => {
  it('name in @requires exactly the models each report reads, and a dataset for every dashboard report', async () => {
    for (const report of await loadReports()) {
      const read = new Set(
        [...report.sql.matchAll(/\{\{(xapi_db|reporting_db|event_sink_db)\}\}\.(\w+)/g)].map(
          (m) => `${DATABASES[m[1] as string]}.${m[2]}`,
        ),
      );
      if (report.sql.includes('{{at_risk_learners}}')) {
        read.add('reporting.dim_student_status').add('reporting.dim_learner_last_course_visit');
      }
      expect([...report.requires].sort(), report.name).toEqual([...read].sort());
      if (!report.name.startsWith('pipeline-')) expect(report.dataset, report.name).toMatch(/^[a-z0-9_]+$/);
    }
  });
});

describe.each(ASPECTS_VERSIONS)('aspects_version %s: every report lights up on the small preset', (version) => {
  it('returns rows with non-zero metrics', async () => {
    const config = await loadConfig(SMALL, {
      env: {},
      warn: () => {},
      overrides: { now: NOW, aspects_version: version },
    });
    const aspects = await seedAspects(config, { provider: 'embedded', log: () => {} });
    seeded.push(aspects);
    const { runnable, skipped } = reportsForVersion(await loadReports(), version);
    // Only the graded-subsection performance form of the other release is skipped.
    expect(skipped.map((s) => s.report.name)).toEqual([
      version === '7.0.0' ? 'graded-subsection-performance' : 'graded-subsection-performance-v7',
    ]);
    const course = await pickCourse(aspects.clickhouse, aspects.names);
    const params = { ...course, now: referenceTimeFromConfig(config) };
    const problems: string[] = [];
    for (const report of runnable) {
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
