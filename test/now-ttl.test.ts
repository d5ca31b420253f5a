/**
 * `now` and `ttl`: the window moved to end at now, learners active right before it, the TTL of
 * Aspects on the tables Aspects puts it on, and data that survives OPTIMIZE … FINAL under it.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type ClickHouse, createClickHouse } from '../src/clickhouse/connect.ts';
import { dropSchema, optimizeFinal, renderSchema, schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import { datasetHash, loadConfig, resolveConfig } from '../src/config/index.ts';
import { ASPECTS_DEFAULT_TTL } from '../src/config/values.ts';
import { ConfigError } from '../src/errors.ts';
import { buildWorld } from '../src/generate/world.ts';
import { randomBatch } from '../src/generate/xapi-batches.ts';
import { loadDatasetDir } from '../src/reports/load-dataset.ts';
import { referenceTimeFromConfig } from '../src/reports/run.ts';
import { BASE_RAW, withChanges } from './fixtures/config/base-config.ts';
import { uniqueSchemaNames } from './support/aspects-course.ts';
import { generateTempDataset } from './support/report-dataset.ts';

const TINY = fileURLToPath(new URL('../configs/presets/tiny.yaml', import.meta.url));
const DAY = 86_400;
const resolve = (raw: Record<string, unknown>) => resolveConfig(raw, { env: {}, warn: () => {} });
const day = (text: string) =>
  Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10))) / 1000 / DAY;

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    resolve(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.message);
  }
  throw new Error('expected a ConfigError');
}

// A 300-day window (2023-01-01 … 2023-10-28) that fits in one year.
const SHORT_WINDOW = { start_date: '2023-01-01', end_date: '2023-10-28', course_length_days: 60 };

describe('now', () => {
  it('moves the window to end at now, keeping its length, and binds reports to now', () => {
    const config = resolve(withChanges({ ...SHORT_WINDOW, now: '2026-11-15T06:30:00Z' }));
    expect(config.now).toBe(Date.UTC(2026, 10, 15, 6, 30) / 1000);
    expect(config.endDate).toBe(day('2026-11-15'));
    expect(config.endDate - config.startDate).toBe(300);
    expect(referenceTimeFromConfig(config)).toBe('2026-11-15 06:30:00');
  });

  it('accepts YAML dates and instants (parsed to Date objects) and today (UTC midnight)', () => {
    expect(resolve(withChanges({ now: new Date('2026-11-15T00:00:00Z') })).now).toBe(Date.UTC(2026, 10, 15) / 1000);
    const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
    const config = resolve(withChanges({ now: 'today' }));
    // A run at midnight could see two days; either is UTC midnight of the run day.
    expect([today, today + DAY]).toContain(config.now);
  });

  it('keeps configs without now as they were: same window, same dataset hash input', () => {
    const config = resolve(withChanges({}));
    expect(config.now).toBeNull();
    expect(config.startDate).toBe(day(BASE_RAW.start_date));
    expect(config.endDate).toBe(day(BASE_RAW.end_date));
    expect(JSON.stringify(datasetHash(config))).not.toContain('now');
  });

  it('puts the resolved now in the dataset hash', () => {
    const a = datasetHash(resolve(withChanges({ ...SHORT_WINDOW, now: '2026-11-15T00:00:00Z' })));
    const b = datasetHash(resolve(withChanges({ ...SHORT_WINDOW, now: '2026-11-16T00:00:00Z' })));
    const none = datasetHash(resolve(withChanges(SHORT_WINDOW)));
    expect(new Set([a.hex, b.hex, none.hex]).size).toBe(3);
  });

  it.each([
    ['yesterday', '"yesterday"'],
    ['2026-13-01', '"2026-13-01"'],
    ['2026-11-15T25:00:00Z', '"2026-11-15T25:00:00Z"'],
    ['2026-11-15T00:00:00+02:00', '"2026-11-15T00:00:00+02:00"'],
  ])('rejects now: %s', (value, shown) => {
    expect(problemsOf(withChanges({ now: value }))).toEqual([
      `now: got ${shown}; expected today, a date (YYYY-MM-DD) or a UTC instant such as 2026-11-15T00:00:00Z, or null`,
    ]);
  });

  it('makes a share of learners active in the last day and week before now, never after it', () => {
    const now = Date.UTC(2026, 10, 15, 12) / 1000;
    const config = resolve(
      withChanges({
        ...SHORT_WINDOW,
        now: '2026-11-15T12:00:00Z',
        num_actors: 200,
        num_xapi_batches: 5,
        batch_size: 1000,
      }),
    );
    const world = buildWorld(config);
    const statements = Array.from({ length: config.numXapiBatches }, (_, i) => randomBatch(world, i)).flat();
    const latest = Math.max(...statements.map((s) => s.emissionTime));
    expect(latest).toBeLessThan(now);
    const lastDay = statements.filter((s) => s.emissionTime >= now - DAY).length;
    const lastWeek = statements.filter((s) => s.emissionTime >= now - 7 * DAY).length;
    // 25 % of learners × 30 % of their statements, half of those in the last day, the rest in
    // the last week: about 3.75 % in the last day and 7.5 % in the week (plus the day).
    expect(lastDay / statements.length).toBeGreaterThan(0.02);
    expect(lastWeek / statements.length).toBeGreaterThan(0.05);
    expect(lastWeek / statements.length).toBeLessThan(0.12);

    const without = resolve(withChanges({ ...SHORT_WINDOW, num_actors: 200, num_xapi_batches: 5, batch_size: 1000 }));
    const end = without.endDate * DAY;
    const old = Array.from({ length: 5 }, (_, i) => randomBatch(buildWorld(without), i)).flat();
    expect(old.filter((s) => s.emissionTime >= end - 7 * DAY).length / old.length).toBeLessThan(0.03);
  });
});

describe('ttl', () => {
  it('renders TTL on exactly the tables Aspects puts ASPECTS_DATA_TTL_EXPRESSION on', () => {
    const names = { ...uniqueSchemaNames(), ttl: ASPECTS_DEFAULT_TTL };
    const withTtl = renderSchema(names).filter((s) => s.sql.includes(`TTL ${ASPECTS_DEFAULT_TTL}`));
    expect(withTtl.map((s) => s.label.split('.').at(-1)).sort()).toEqual([
      'dim_learner_last_course_visit',
      'enrollment_events',
      'grading_events',
      'navigation_events',
      'problem_events',
      'video_playback_events',
      'xapi_events_all_parsed',
    ]);
    expect(renderSchema(uniqueSchemaNames()).some((s) => /\bTTL\b/.test(s.sql))).toBe(false);
  });

  it('accepts none, aspects and custom expressions; refuses text that is not an expression', () => {
    expect(resolve(withChanges({ ttl: 'none' })).ttl).toBeNull();
    expect(resolve(withChanges({ ...SHORT_WINDOW, now: 'today', ttl: 'aspects' })).ttl).toBe(ASPECTS_DEFAULT_TTL);
    expect(resolve(withChanges({ ttl: 'toDateTime(emission_time) + toIntervalDay(9000)' })).ttl).toBe(
      'toDateTime(emission_time) + toIntervalDay(9000)',
    );
    expect(problemsOf(withChanges({ ttl: 'toDateTime(emission_time); DROP TABLE x' }))).toEqual([
      `ttl: got "toDateTime(emission_time); DROP TABLE x"; expected none, aspects (= ${ASPECTS_DEFAULT_TTL}) or a TTL expression over emission_time (letters, digits, spaces and ( ) , . + - * / only)`,
    ]);
  });

  it('refuses a window the TTL would delete, judged against now', () => {
    expect(
      problemsOf(
        withChanges({ start_date: '2022-01-01', end_date: '2023-06-01', now: '2026-11-15T00:00:00Z', ttl: 'aspects' }),
      ),
    ).toEqual([
      `ttl: got "${ASPECTS_DEFAULT_TTL}"; the window moved to end at now (2025-06-17 to 2026-11-15T00:00:00Z) reaches back 516 days, ` +
        'but the TTL keeps rows for 365 days, so Aspects would delete the oldest data at the next merge: shorten start_date…end_date, set now, or set ttl: none',
    ]);
  });

  it('refuses the 1.x dates under a one-year TTL (judged against today), and accepts them without TTL', () => {
    const [message] = problemsOf(withChanges({ ttl: 'toDateTime(emission_time) + INTERVAL 2 YEAR' }));
    expect(message).toMatch(
      /^ttl: got "toDateTime\(emission_time\) \+ INTERVAL 2 YEAR"; the window from start_date 2014-01-01, judged against today .* keeps rows for 730 days/,
    );
    expect(resolve(withChanges({})).ttl).toBeNull();
  });
});

describe('now + the Aspects TTL on the embedded engine', () => {
  let ch: ClickHouse | undefined;
  let dir: string | undefined;
  const names = uniqueSchemaNames();
  afterAll(async () => {
    if (ch) {
      await dropSchema(ch, names);
      await ch.close();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps every row of a tiny dataset generated for today through OPTIMIZE … FINAL, and deletes an old one', async () => {
    const loaded = await loadConfig(TINY, { env: {}, warn: () => {}, overrides: { now: 'today', ttl: 'aspects' } });
    const config = Object.freeze({ ...loaded, numXapiBatches: 2 });
    dir = await generateTempDataset(config);
    ch = await createClickHouse({ kind: 'embedded' });
    const schema = { ...schemaNamesFromConfig(config), ...names, ttl: config.ttl };
    await loadDatasetDir(ch, dir, config, { names: schema });
    const count = async (table: string, where = '1') => {
      const rs = await ch?.client.query({
        query: `SELECT count() AS n FROM ${table} WHERE ${where}`,
        format: 'JSONEachRow',
      });
      return Number((await rs?.json<{ n: string }>())?.[0]?.n);
    };
    const parsed = `${names.xapiDb}.xapi_events_all_parsed`;
    const before = await count(parsed);
    expect(before).toBe(2000 + 100); // 2 batches + the initial enrollments (Σ actors per course)
    // Activity in the last 7 days before now: the Operator and at-risk charts have data.
    const now = referenceTimeFromConfig(config);
    expect(await count(parsed, `emission_time >= toDateTime('${now}', 'UTC') - INTERVAL 7 DAY`)).toBeGreaterThan(20);
    // A copy of the newest row two years older is what the TTL exists to delete; a copy 30 days
    // older stays, like every generated row.
    for (const age of ['2 YEAR', '30 DAY']) {
      await ch.client.command({
        query: `INSERT INTO ${parsed} SELECT * REPLACE (emission_time - INTERVAL ${age} AS emission_time) FROM ${parsed} ORDER BY emission_time DESC LIMIT 1`,
      });
    }
    await optimizeFinal(ch, schema);
    expect(await count(parsed)).toBe(before + 1);
    expect(await count(parsed, 'emission_time < now() - INTERVAL 1 YEAR')).toBe(0);
    for (const table of [
      'enrollment_events',
      'problem_events',
      'navigation_events',
      'video_playback_events',
      'grading_events',
    ]) {
      expect(await count(`${names.xapiDb}.${table}`), table).toBeGreaterThan(0);
    }
  });
});
