/**
 * Snapshot comparison rules and the Markdown job summary, on hand-made snapshots (no engine).
 */
import { describe, expect, it } from 'vitest';
import { parseReport } from '../src/reports/catalog.ts';
import { comparePerf, type PerfRun } from '../src/reports/perf.ts';
import { normalizeValue, toIsoUtc } from '../src/reports/run.ts';
import { compareSnapshots, type Snapshot, type SnapshotReport, serializeSnapshot } from '../src/reports/snapshot.ts';
import { bar, renderSummary } from '../src/reports/summary.ts';

const params = { org: 'Org0', courseKey: 'course-v1:Org0+C1+R1', now: '2023-11-28 00:00:00' };

function snapshot(reports: Record<string, Partial<SnapshotReport> & Pick<SnapshotReport, 'rows'>>): Snapshot {
  return {
    format: 1,
    aspectsDbt: 'v7.0.0',
    datasetHash: 'abc',
    params,
    reports: Object.fromEntries(
      Object.entries(reports).map(([name, r]) => [
        name,
        {
          title: `${name} title`,
          columns: ['day', 'n'],
          types: ['Date', 'UInt64'],
          approximate: [],
          tolerance: 0.05,
          key: null,
          ...r,
        },
      ]),
    ),
  };
}

describe('normalization', () => {
  it.each([
    ['UInt64', '18446744073709551615', '18446744073709551615'],
    ['UInt64', '12', 12],
    ['Nullable(Float64)', 0.30000000000000004, 0.3],
    ['Float32', '0.045454547', 0.045454547],
    ["DateTime64(6, 'UTC')", '2023-11-27 10:00:00.120000', '2023-11-27T10:00:00.12Z'],
    ['DateTime', '2023-11-27 10:00:00', '2023-11-27T10:00:00Z'],
    ['LowCardinality(String)', 'registered', 'registered'],
    ['Nullable(String)', null, null],
    ['Bool', true, true],
  ])('normalizes %s %j to %j', (type, value, expected) => {
    expect(normalizeValue(value, type)).toEqual(expected);
  });

  it('keeps a date-only value and an unknown text as they are', () => {
    expect(toIsoUtc('2023-11-27')).toBe('2023-11-27');
  });
});

describe('compareSnapshots', () => {
  it('matches identical snapshots and serializes one row per line', () => {
    const s = snapshot({ r01: { rows: [['2023-01-01', 3]] } });
    expect(compareSnapshots(s, s).regressions).toEqual([]);
    expect(serializeSnapshot(s)).toContain('\n        ["2023-01-01",3]\n');
  });

  it('is exact for counts but tolerant for @approximate columns', () => {
    const base = snapshot({
      exact: { rows: [['2023-01-01', 100]] },
      approx: { rows: [['2023-01-01', 100]], approximate: ['n'], tolerance: 0.05 },
    });
    const cur = snapshot({
      exact: { rows: [['2023-01-01', 101]] },
      approx: { rows: [['2023-01-01', 104]], approximate: ['n'], tolerance: 0.05 },
    });
    const result = compareSnapshots(base, cur);
    expect(result.regressions).toEqual(['exact']);
    const exact = result.reports.find((r) => r.name === 'exact');
    expect(exact?.diffs[0]).toEqual({
      where: 'day=2023-01-01',
      expected: 'day=2023-01-01, n=100',
      actual: 'day=2023-01-01, n=101',
      changes: ['n: 100 → 101'],
    });
    const beyond = snapshot({ approx: { rows: [['2023-01-01', 110]], approximate: ['n'], tolerance: 0.05 } });
    expect(
      compareSnapshots(snapshot({ approx: { rows: [['2023-01-01', 100]], approximate: ['n'] } }), beyond).regressions,
    ).toEqual(['approx']);
  });

  it('names added, missing and new reports and rows', () => {
    const base = snapshot({ r01: { rows: [['2023-01-01', 1]] }, gone: { rows: [] } });
    const cur = snapshot({ r01: { rows: [['2023-01-02', 1]] }, added: { rows: [] } });
    const result = compareSnapshots(base, cur);
    expect(result.regressions).toEqual(['gone', 'r01']);
    expect(result.reports.find((r) => r.name === 'added')?.status).toBe('new');
    const r01 = result.reports.find((r) => r.name === 'r01');
    expect(r01?.diffs.map((d) => d.changes[0])).toEqual(['row added', 'row missing']);
  });
});

describe('report files', () => {
  it('reads @title, @scope, @approximate and @key headers', () => {
    const r = parseReport(
      'my-report',
      '-- @title Mine\n-- @scope instance\n-- @approximate a, b\n-- @key day\nSELECT 1;\n',
      'x.sql',
    );
    expect(r).toMatchObject({ title: 'Mine', scope: 'instance', approximate: ['a', 'b'], key: ['day'] });
    expect(r.sql.endsWith('SELECT 1')).toBe(true);
  });

  it('rejects an empty file and a bad tolerance with the file named', () => {
    expect(() => parseReport('x', '-- @title nothing\n', 'x.sql')).toThrow(
      'report file x.sql: empty; expected one SELECT',
    );
    expect(() => parseReport('x', '-- @tolerance lots\nSELECT 1', 'x.sql')).toThrow(
      'report x: @tolerance got "lots"; expected a non-negative number',
    );
  });
});

describe('renderSummary', () => {
  const perf: PerfRun = {
    format: 1,
    engine: 'embedded',
    serverVersion: '26.7',
    repeats: 5,
    warmup: 1,
    queryLogNote: 'embedded engine (chdb): no system.query_log, so wall-clock timings only',
    queries: {
      r01: { name: 'r01', samplesMs: [10], medianMs: 10, p95Ms: 12, queryLog: null },
      r02: { name: 'r02', samplesMs: [40], medianMs: 40, p95Ms: 41, queryLog: null },
    },
  };
  const basePerf: PerfRun = {
    ...perf,
    queries: { r01: { ...(perf.queries.r01 as PerfRun['queries'][string]), medianMs: 10 } },
  };

  it('renders the dataset table, counts, the per-report status table, diffs and the timing chart', () => {
    const base = snapshot({ r01: { rows: [['2023-01-01', 1]] }, r02: { rows: [['2023-01-01', 5]] } });
    const cur = snapshot({ r01: { rows: [['2023-01-01', 1]] }, r02: { rows: [['2023-01-01', 6]] } });
    const md = renderSummary({
      datasetHash: 'c9c8f9d9cf96d90a',
      counts: { xapi_events_all: 8100, course_overviews: 12 },
      target: 'embedded ClickHouse (chdb, :memory:)',
      params,
      reports: [],
      comparison: compareSnapshots(base, cur),
      comparisonNote: null,
      perf,
      perfVerdict: comparePerf(basePerf, perf, { threshold: 0.5, minDiffMs: 5 }),
    });
    expect(md).toContain('## xapi-db-load report check: ❌ regression');
    expect(md).toContain(
      '| `c9c8f9d9cf96d90a` | embedded ClickHouse (chdb, :memory:) | Org0 | course-v1:Org0+C1+R1 | 2023-11-28 00:00:00 |',
    );
    expect(md).toContain('| xapi_events_all | course_overviews |\n| --- | --- |\n| 8,100 | 12 |');
    expect(md).toContain('| report | status | rows (baseline → current) | what changed |');
    expect(md).toContain('| `r01` r01 title | ✅ match | 1 → 1 |  |');
    expect(md).toContain('| `r02` r02 title | ❌ changed | 1 → 1 | 1 row(s) differ |');
    expect(md).toContain('```diff\n@ day=2023-01-01: n: 5 → 6\n- day=2023-01-01, n=5\n+ day=2023-01-01, n=6\n```');
    expect(md).toContain('| report | median | p95 | baseline median | ratio | median vs baseline | status |');
    expect(md).toContain(
      `| \`r01\` | 10.0 ms | 12.0 ms | 10.0 ms | 1.00× | \`${bar(10, 40).padEnd(20)}\`<br>\`${bar(10, 40)}\` | ✅ ok |`,
    );
    expect(md).toContain(`| \`r02\` | 40.0 ms | 41.0 ms | – | – | \`${'█'.repeat(20)}\` | 🆕 new |`);
    expect(md).toContain('> embedded engine (chdb): no system.query_log');
  });

  it('notes a perf baseline timed on another engine version', () => {
    const verdict = comparePerf({ ...basePerf, serverVersion: '25.8' }, perf, { threshold: 0.5, minDiffMs: 5 });
    expect(verdict.note).toBe(
      'the perf baseline was timed on embedded ClickHouse 25.8, this run on embedded ClickHouse 26.7',
    );
    expect(comparePerf(basePerf, perf, { threshold: 0.5, minDiffMs: 5 }).note).toBeNull();
  });

  it('draws bars in eighths, proportional to the longest', () => {
    expect(bar(40, 40)).toBe('█'.repeat(20));
    expect(bar(10, 40)).toBe('█████');
    expect(bar(1, 40)).toBe('▌');
    expect(bar(0, 40)).toBe('');
  });
});

describe('measurePerf on a server', () => {
  it('reads rows, bytes and memory from system.query_log for the timed runs only', async () => {
    const { measurePerf } = await import('../src/reports/perf.ts');
    const { DEFAULT_SCHEMA_NAMES } = await import('../src/clickhouse/schema.ts');
    const seen: { query: string; query_id?: string; query_params?: Record<string, unknown> }[] = [];
    const commands: string[] = [];
    const client = {
      async query(args: { query: string; query_id?: string; query_params?: Record<string, unknown> }) {
        seen.push(args);
        if (args.query.includes('system.query_log')) {
          const ids = args.query_params?.ids as string[];
          return {
            json: async () =>
              ids.map((id, i) => ({
                query_id: id,
                read_rows: String(100 + i),
                read_bytes: '2048',
                memory_usage: '4096',
                query_duration_ms: '3',
              })),
          };
        }
        if (args.query.startsWith('EXPLAIN json')) {
          const plan = [
            {
              Plan: {
                'Node Type': 'ReadFromMergeTree',
                Description: 'xapi.problem_events',
                Indexes: [
                  {
                    Type: 'PrimaryKey',
                    Keys: ['course_key'],
                    Condition: "(course_key in ['c', 'c'])",
                    'Initial Parts': 4,
                    'Selected Parts': 2,
                    'Initial Granules': 8,
                    'Selected Granules': 3,
                  },
                ],
              },
            },
          ];
          return { text: async () => JSON.stringify(plan) };
        }
        if (args.query.startsWith('EXPLAIN ESTIMATE')) {
          return {
            json: async () => [{ database: 'xapi', table: 'problem_events', parts: '2', rows: '99', marks: '3' }],
          };
        }
        if (args.query.includes('system.tables')) {
          return { json: async () => [{ t: 'xapi.problem_events', primary_key: 'org, course_key, verb_id' }] };
        }
        return { json: async () => ({ meta: [{ name: 'n', type: 'UInt64' }], data: [['1']] }) };
      },
      async command(args: { query: string }) {
        commands.push(args.query);
      },
    };
    const ch = { kind: 'url', description: 'fake server', serverVersion: '25.8', client } as never;
    const report = parseReport('r99', 'SELECT 1 AS n', 'x.sql');
    let t = 0;
    const run = await measurePerf(ch, [report], DEFAULT_SCHEMA_NAMES, params, {
      repeats: 3,
      warmup: 2,
      now: () => (t += 10),
    });
    expect(commands).toEqual(['SYSTEM FLUSH LOGS']);
    const logQuery = seen.find((s) => s.query.includes('system.query_log'));
    // Warm-up runs are not looked up: only the 3 timed query ids.
    expect(logQuery?.query_params?.ids).toHaveLength(3);
    expect(run.queryLogNote).toBeNull();
    expect(run.queries.r99).toMatchObject({
      samplesMs: [10, 10, 10],
      medianMs: 10,
      queryLog: { readRows: 101, readBytes: 2048, memoryBytes: 4096, durationMs: 3 },
    });
    // The plan profile carries the server-side fields of the timed runs (no extra run).
    expect(run.queries.r99?.plan).toMatchObject({
      granules: 3,
      estimatedRows: 99,
      reads: [{ table: 'xapi.problem_events', sortedBy: ['org', 'course_key'], prunedBy: ['course_key'] }],
      queryLog: { readRows: 101, memoryBytes: 4096 },
    });
    expect(run.queries.r99?.plan && 'queryLogAbsent' in run.queries.r99.plan).toBe(false);
    const md = renderSummary({
      datasetHash: null,
      counts: null,
      target: 'fake server',
      params,
      reports: [{ name: 'r99', title: 'r99', rows: 1 }],
      comparison: null,
      comparisonNote: 'No baseline given: snapshot only.',
      perf: run,
      perfVerdict: comparePerf(null, run, { threshold: 0.5, minDiffMs: 5 }),
    });
    expect(md).toContain('| rows read | bytes read | memory |');
    expect(md).toContain('| 101 | 2.0 KiB | 4.0 KiB |');
  });
});

describe('plan guards on hand-made profiles', () => {
  const read = (granules: number, prunedBy: string[]) => ({
    table: 'xapi.problem_events',
    sortedBy: ['org', 'course_key'],
    prunedBy,
    parts: { initial: 10, selected: granules },
    granules: { initial: 10, selected: granules },
    indexes: [
      {
        type: 'PrimaryKey',
        keys: prunedBy,
        condition: prunedBy.length > 0 ? "(course_key in ['…', '…'])" : 'true',
        used: prunedBy.length > 0,
        parts: { initial: 10, selected: granules },
        granules: { initial: 10, selected: granules },
      },
    ],
  });
  const profile = (granules: number, rows: number, prunedBy: string[]) => ({
    granules,
    parts: granules,
    estimatedRows: rows,
    estimatedRowsByTable: { 'xapi.problem_events': rows },
    reads: [read(granules, prunedBy)],
    queryLogAbsent: 'embedded',
  });
  const run = (plan: ReturnType<typeof profile>, extra: Partial<PerfRun> = {}): PerfRun => ({
    format: 2,
    engine: 'embedded',
    serverVersion: '26.7.2.1',
    aspectsDbt: 'v8.0.0',
    repeats: 1,
    warmup: 0,
    queryLogNote: null,
    queries: {
      r07: {
        name: 'r07',
        report: 'r07',
        filter: 'course',
        samplesMs: [5],
        medianMs: 5,
        p95Ms: 5,
        queryLog: null,
        plan,
      },
    },
    ...extra,
  });
  const t = { threshold: 0.5, minDiffMs: 5 };

  it('flags lost pruning, granule growth (any, embedded) and rows growth past 10 %', () => {
    const verdict = comparePerf(run(profile(5, 600, ['course_key'])), run(profile(6, 700, [])), t);
    expect(verdict.thresholds).toMatchObject({ granulesGrowth: 0, rowsGrowth: 0.1 });
    expect(verdict.regressions).toEqual(['r07']);
    expect(verdict.queries[0]?.findings.map((f) => [f.guard, f.table, f.key])).toEqual([
      ['pruning', 'xapi.problem_events', 'course_key'],
      ['granules', 'xapi.problem_events', null],
      ['rows', 'xapi.problem_events', null],
    ]);
    expect(verdict.queries[0]?.planDiff).toEqual([
      '- xapi.problem_events: PrimaryKey(course_key); parts 5/10, granules 5/10',
      '+ xapi.problem_events: PrimaryKey(unused); parts 6/10, granules 6/10',
    ]);
  });

  it('passes rows growth within the threshold and fewer granules', () => {
    const verdict = comparePerf(run(profile(5, 600, ['course_key'])), run(profile(4, 650, ['course_key'])), t);
    expect(verdict.regressions).toEqual([]);
  });

  it('skips the plan guards against a baseline of another aspects-dbt schema or ClickHouse release, and says so', () => {
    const grown = run(profile(9, 900, []));
    const otherSchema = comparePerf(run(profile(5, 600, ['course_key']), { aspectsDbt: 'v7.0.0' }), grown, t);
    expect(otherSchema.regressions).toEqual([]);
    expect(otherSchema.planNote).toBe(
      'plan guards skipped: the baseline ran on aspects-dbt v7.0.0, this run on v8.0.0',
    );
    const otherRelease = comparePerf(run(profile(5, 600, ['course_key']), { serverVersion: '25.8.2.1' }), grown, t);
    expect(otherRelease.regressions).toEqual([]);
    expect(otherRelease.planNote).toMatch(/from ClickHouse 25\.8\.2\.1, this run's from 26\.7\.2\.1/);
  });
});
