/**
 * Report headers that decide where a report runs: `@requires`, `@versions`, `@gap` are validated
 * with one clear message each, a release skips a report for a stated reason, fragments and
 * `{aspects_version}` baseline paths expand as documented.
 */
import { describe, expect, it } from 'vitest';
import { aspectsModels } from '../src/clickhouse/aspects-version.ts';
import { parseReport, renderReportSql, reportSkipReason } from '../src/reports/catalog.ts';
import { baselinePathForVersion } from '../src/reports/check.ts';

const report = (header: string, sql = 'SELECT 1 AS n') => parseReport('r', `${header}\n${sql}`, 'r.sql');

describe('report headers', () => {
  it.each([
    {
      what: 'a @requires entry without a known database',
      header: '-- @requires dim_student_status',
      message:
        'report r: @requires got "dim_student_status"; expected db.model with db one of xapi, reporting, event_sink',
    },
    {
      what: 'a @versions entry that is no release',
      header: '-- @versions >= eight',
      message:
        'report r: @versions got ">= eight"; expected a release such as 7.0.0, optionally after <, <=, >, >= or =',
    },
    {
      what: 'a @gap without its reason',
      header: '-- @gap full_views',
      message: 'report r: @gap got "full_views"; expected "col, col: reason"',
    },
  ])('rejects $what', ({ header, message }) => {
    expect(() => report(header)).toThrow(message);
  });

  it('reads @dataset, @requires, @versions and @gap', () => {
    const r = report(
      '-- @dataset video_watches\n-- @requires reporting.fact_video_segments, event_sink.dim_course_names\n' +
        '-- @versions <8.0.0, v8.1.0\n-- @gap full_views, rewatches: no learner plays to the end',
    );
    expect(r.dataset).toBe('video_watches');
    expect(r.requires).toEqual(['reporting.fact_video_segments', 'event_sink.dim_course_names']);
    expect(r.versions).toEqual([
      { op: '<', version: '8.0.0' },
      { op: '=', version: '8.1.0' },
    ]);
    expect(r.gap).toEqual({ columns: ['full_views', 'rewatches'], reason: 'no learner plays to the end' });
  });
});

describe('reportSkipReason', () => {
  it('skips outside @versions, and where a required or read model is missing; never for event-sink models', () => {
    const v7only = report('-- @versions <8.0.0');
    expect(reportSkipReason(v7only, '7.0.0', aspectsModels('7.0.0'))).toBeNull();
    expect(reportSkipReason(v7only, '8.0.0', aspectsModels('8.0.0'))).toBe(
      'applies to aspects_version <8.0.0, not 8.0.0',
    );
    const needs = report('-- @requires reporting.dim_subsection_performance, event_sink.dim_course_names');
    expect(reportSkipReason(needs, '7.0.0', aspectsModels('7.0.0'))).toBeNull();
    expect(reportSkipReason(needs, '8.0.0', aspectsModels('8.0.0'))).toBe(
      'needs reporting.dim_subsection_performance, which aspects_version 8.0.0 does not have',
    );
    // A model the SQL reads counts even when the header forgot it.
    const reads = report('', 'SELECT count() FROM {{reporting_db}}.dim_subsection_performance');
    expect(reportSkipReason(reads, '8.0.0', aspectsModels('8.0.0'))).toMatch(
      /^needs reporting\.dim_subsection_performance/,
    );
  });
});

describe('rendering', () => {
  it('expands {{at_risk_learners}} with the schema names, leaving {now} bound', () => {
    const r = report('', 'SELECT count() FROM {{at_risk_learners}}');
    const sql = renderReportSql(r, { xapiDb: 'x1', eventSinkDb: 'e1', reportingDb: 'r1', rawTable: 'raw' });
    expect(sql).toContain('FROM r1.dim_student_status AS status');
    expect(sql).toContain('FROM r1.dim_learner_last_course_visit');
    expect(sql).toContain("subtractDays({now:DateTime('UTC')}, 7)");
    expect(sql).not.toContain('{{');
  });

  it('puts the release into {aspects_version} of a baseline path', () => {
    expect(baselinePathForVersion('fixtures/report-baselines/tiny-v{aspects_version}.json', '7.0.0')).toBe(
      'fixtures/report-baselines/tiny-v7.0.0.json',
    );
    expect(baselinePathForVersion('plain.json', '8.0.0')).toBe('plain.json');
  });
});
