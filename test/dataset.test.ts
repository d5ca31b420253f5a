/**
 * End-to-end properties of a generated dataset, through the real runner, worker threads and
 * csv sink: row counts equal the volume formulas, files are byte-identical for the same seed
 * whatever the worker count, the learners in statements are the learners in external_id.
 */

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/index.ts';
import type { Config } from '../src/config/types.ts';
import { TABLE_KEYS, TABLES } from '../src/formats/tables.ts';
import { runLoadDb } from '../src/run/runner.ts';
import { readAllTables } from './support/csv-files.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xdl-dataset-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const SMALL = { actors: 5, problems: 20, videos: 10, chapters: 3, sequences: 10, verticals: 20, forum_posts: 20 };
const MEDIUM = { actors: 7, problems: 40, videos: 20, chapters: 4, sequences: 20, verticals: 30, forum_posts: 40 };

function config(dest: string, changes: Record<string, unknown> = {}): Config {
  return resolveConfig(
    {
      backend: 'csv',
      csv_output_destination: dest,
      num_xapi_batches: 3,
      batch_size: 100,
      num_workers: 2,
      start_date: '2014-01-01',
      end_date: '2023-11-27',
      course_length_days: 120,
      num_organizations: 3,
      num_actors: 10,
      num_actor_profile_changes: 2,
      num_course_publishes: 3,
      num_course_sizes: { small: 2, medium: 1 },
      course_size_makeup: { small: SMALL, medium: MEDIUM },
      ...changes,
    },
    { source: 'test' },
  );
}

/** The volume formulas of the original (reference §4.13), with the cumulative bugs fixed. */
function expectedCounts(tables: Awaited<ReturnType<typeof readAllTables>>, c: Config) {
  const courses = new Set(tables.courseOverviews.map((r) => r[1])).size;
  const makeupActors = c.courseSizes.flatMap((s) => Array(s.count).fill(s.makeup.actors) as number[]);
  const blocksPerCourse = c.courseSizes.flatMap((s) => {
    const m = s.makeup;
    return Array(s.count).fill(1 + m.chapters + m.sequences + m.verticals + m.problems + m.videos) as number[];
  });
  return {
    courses,
    E: makeupActors.reduce((a, b) => a + b, 0),
    X: c.numXapiBatches * c.batchSize,
    C: makeupActors.length,
    sumB: blocksPerCourse.reduce((a, b) => a + b, 0),
  };
}

describe('row counts equal the volume formulas', () => {
  it.each([
    { what: 'mixed sizes, P=3, R=2', changes: {} },
    {
      what: 'one small course, P=1, R=1',
      changes: { num_course_sizes: { small: 1 }, num_course_publishes: 1, num_actor_profile_changes: 1 },
    },
    {
      what: 'many courses, uneven last batch of actors',
      changes: { num_course_sizes: { small: 7, medium: 5 }, num_actors: 250, batch_size: 64, num_xapi_batches: 5 },
    },
    { what: 'no random batches', changes: { num_xapi_batches: 0 } },
  ])('$what', async ({ changes }) => {
    const dest = await tempDir();
    const c = config(dest, changes);
    const result = await runLoadDb(c);
    const tables = await readAllTables(dest);
    const f = expectedCounts(tables, c);
    const P = c.numCoursePublishes;
    expect(f.courses).toBe(f.C);
    expect(tables.xapi.length).toBe(f.E + f.X);
    expect(tables.courseOverviews.length).toBe(f.C * P);
    expect(tables.courseBlocks.length).toBe(f.sumB * P);
    expect(tables.taxonomies.length).toBe(1);
    expect(tables.tags.length).toBe(29);
    expect(tables.externalIds.length).toBe(c.numActors);
    expect(tables.userProfiles.length).toBe(c.numActors * c.numActorProfileChanges);
    // Object tags: 0–2 per block and 1–2 on the course block, repeated for every publish.
    expect(tables.objectTags.length % P).toBe(0);
    expect(tables.objectTags.length / P).toBeGreaterThanOrEqual(f.C);
    expect(tables.objectTags.length / P).toBeLessThanOrEqual(2 * f.sumB);
    // The runner's plan agrees with what is in the files, table by table.
    for (const key of TABLE_KEYS) {
      expect(result.summary.tables[key]?.rows, key).toBe(tables[key].length);
      expect(result.plan.tables[key].rows, key).toBe(tables[key].length);
    }
    // Column counts match the layouts (the CSV has no header: order is the contract).
    for (const key of TABLE_KEYS) {
      for (const row of tables[key]) expect(row.length, key).toBe(TABLES[key].columns.length);
    }
  });
});

describe('dataset consistency', async () => {
  const dest = await tempDir();
  const c = config(dest, { num_xapi_batches: 20, num_actors: 40 });
  await runLoadDb(c);
  const tables = await readAllTables(dest);
  const statements = tables.xapi.map(([eventId, emission, json]) => ({
    eventId,
    emission,
    statement: JSON.parse(json as string),
  }));

  it('every statement id equals its event_id, and every emission time equals the statement timestamp', () => {
    for (const { eventId, emission, statement } of statements) {
      expect(statement.id).toBe(eventId);
      expect(emission?.replace(' ', 'T')).toBe(statement.timestamp);
    }
  });

  it('event ids are unique', () => {
    expect(new Set(statements.map((s) => s.eventId)).size).toBe(statements.length);
  });

  it('every actor in the statements is in external_id, with xapi as its type', () => {
    const external = new Map(tables.externalIds.map((r) => [r[0], r]));
    expect(external.size).toBe(c.numActors);
    for (const { statement } of statements) {
      const row = external.get(statement.actor.account.name);
      expect(row, statement.actor.account.name).toBeDefined();
      expect(row?.[1]).toBe('xapi');
    }
    // user_profile and external_id agree on user ids and usernames.
    for (const row of tables.externalIds) {
      expect(row[2]).toBe(`actor_${row[3]}`);
    }
    expect(new Set(tables.userProfiles.map((r) => r[1]))).toEqual(new Set(tables.externalIds.map((r) => r[3])));
  });

  it('statements fall inside the configured window and inside their course', () => {
    const courseEnd = new Map(tables.courseOverviews.map((r) => [r[1], r[4] as string]));
    for (const { emission, statement } of statements) {
      const day = emission?.slice(0, 10) as string;
      expect(day >= '2014-01-01' && day < '2023-11-27').toBe(true);
      const courseUrl: string = statement.context?.contextActivities?.parent?.[0]?.id ?? statement.object.id;
      const key = courseUrl.split('/course/')[1];
      if (key && courseEnd.has(key)) expect(day <= (courseEnd.get(key) as string)).toBe(true);
    }
  });

  it('object ids point at blocks of the course the statement belongs to', () => {
    const locations = new Set(tables.courseBlocks.map((r) => r[2]));
    for (const { statement } of statements) {
      const id: string = statement.object.id;
      const match = /\/xblock\/(block-v1:[^/]+)/.exec(id);
      if (match) expect(locations.has(match[1]), id).toBe(true);
    }
  });

  it('graded subsections, graded problems and course tags exist, so those Aspects reports have data', () => {
    const blockJson = tables.courseBlocks.map((r) => JSON.parse(r[4] as string));
    expect(blockJson.some((b) => b.block_type === 'sequential' && b.graded === true)).toBe(true);
    expect(blockJson.some((b) => b.block_type === 'problem' && b.graded === true)).toBe(true);
    expect(blockJson.some((b) => b.block_type === 'problem' && b.graded === false)).toBe(true);
    for (const row of tables.courseOverviews) {
      const tags = JSON.parse(row[8] as string).tags as number[];
      expect(tags.length).toBeGreaterThan(0);
      for (const t of tags) expect(t >= 1 && t <= 29).toBe(true);
    }
  });

  it('taxonomy id is 1 in taxonomy, tag and object_tag (quirk Q5 fixed)', () => {
    expect(tables.taxonomies[0]?.slice(0, 2)).toEqual(['1', 'Music']);
    for (const row of tables.tags) expect(row[1]).toBe('1');
    for (const row of tables.objectTags) expect(row[2]).toBe('1');
    // Object tag ids run 1..N over the whole file (quirk Q6 fixed).
    expect(tables.objectTags.map((r) => Number(r[0]))).toEqual(tables.objectTags.map((_, i) => i + 1));
  });

  it('the course block carries its own tags on its real location (quirk Q3 fixed)', () => {
    const objectIds = new Set(tables.objectTags.map((r) => r[1]));
    for (const row of tables.courseOverviews) {
      const [org, rest] = (row[1] as string).replace('course-v1:', '').split(/\+(.*)/s);
      expect(objectIds.has(`block-v1:${org}+${rest}+type@course+block@course`)).toBe(true);
    }
    for (const id of objectIds) expect((id as string).length).toBeGreaterThan(1);
  });
});

describe('determinism', () => {
  async function filesOf(dir: string): Promise<Map<string, Buffer>> {
    const names = (await readdir(dir)).sort();
    return new Map(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n))] as const)));
  }

  it('same config and seed give byte-identical files, with 1 worker or 4', async () => {
    const [a, b, c4] = [await tempDir(), await tempDir(), await tempDir()];
    await runLoadDb(config(a, { num_workers: 1, num_xapi_batches: 12 }));
    await runLoadDb(config(b, { num_workers: 1, num_xapi_batches: 12 }));
    await runLoadDb(config(c4, { num_workers: 4, num_xapi_batches: 12 }));
    const fa = await filesOf(a);
    expect([...fa.keys()]).toEqual(TABLE_KEYS.map((k) => TABLES[k].csvFile).sort());
    for (const [name, bytes] of fa) {
      expect((await filesOf(b)).get(name)?.equals(bytes), `run 2 ${name}`).toBe(true);
      expect((await filesOf(c4)).get(name)?.equals(bytes), `4 workers ${name}`).toBe(true);
    }
  });

  it('a different seed gives different data', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    await runLoadDb(config(a, { seed: 1 }));
    await runLoadDb(config(b, { seed: 2 }));
    const [ta, tb] = [await readAllTables(a), await readAllTables(b)];
    expect(ta.xapi.map((r) => r[0])).not.toEqual(tb.xapi.map((r) => r[0]));
    expect(ta.externalIds.map((r) => r[0])).not.toEqual(tb.externalIds.map((r) => r[0]));
    expect(ta.xapi.length).toBe(tb.xapi.length);
  });
});
