/**
 * The fixture handle's known answers: `seedAspects` (embedded), then the journeys loaded beside
 * the seeded dataset with `aspects.loadJourneys()` and checked with `aspects.checkKnownAnswers()`;
 * then the plan profiles of every chart query on the same handle (issue 15).
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { aspectsModels } from '../src/clickhouse/aspects-version.ts';
import { resolveJourneysConfig } from '../src/journeys/config.ts';
import { generateJourneys } from '../src/journeys/generate.ts';
import { KNOWN_ANSWER_CHARTS } from '../src/reports/known-answers.ts';
import { chartProfilesMarkdown, profileKnownAnswerCharts } from '../src/reports/known-answers-profile.ts';
import { type SeededAspects, seedAspects } from '../src/testing/seed.ts';

let work: string;
let aspects: SeededAspects | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'xdl-known-answers-fixture-'));
  const doc = parse(await readFile(new URL('../configs/journeys/oracle.yaml', import.meta.url), 'utf8'));
  await generateJourneys(
    resolveJourneysConfig(doc, { overrides: { outputDir: join(work, 'journeys'), now: '2026-10-08 12:00:00' } }),
  );
}, 120_000);

afterAll(async () => {
  await aspects?.close();
  await rm(work, { recursive: true, force: true });
});

it('aspects.loadJourneys() puts the journeys beside the seeded dataset; aspects.checkKnownAnswers() compares every bar', async () => {
  aspects = await seedAspects('tiny', {
    provider: 'embedded',
    cache: { dir: join(work, 'cache'), env: {} },
    databaseSuffix: `ka_${randomBytes(3).toString('hex')}`,
  });
  await aspects.loadJourneys(join(work, 'journeys'));
  const result = await aspects.checkKnownAnswers();
  expect(result.differences.filter((d) => d.chart === 'enrollments')).toEqual([]);
  expect(result.courses).toHaveLength(6);
  expect(result.results.filter((r) => r.chart === 'problem-results').every((r) => r.differing === 0)).toBe(true);
  // The seeded dataset is still there, untouched: its rows plus the journeys' rows.
  const rs = await aspects.client.query({
    query: `SELECT count() AS n FROM ${aspects.names.eventSinkDb}.course_overviews WHERE NOT startsWith(course_key, 'course-v1:Journey')`,
    format: 'JSONEachRow',
  });
  expect(Number((await rs.json<{ n: string }>())[0]?.n)).toBe(aspects.counts.course_overviews);
}, 600_000);

it('profiles every runnable chart query per course, deterministically, with course_key pruning', async () => {
  // The handle the test above seeded, with the journeys loaded beside it.
  if (!aspects) throw new Error('the fixture test above did not seed');
  const result = await aspects.checkKnownAnswers();
  expect(result.courses).toHaveLength(6);

  const models = aspectsModels(aspects.names.aspectsVersion);
  const runnable = KNOWN_ANSWER_CHARTS.filter((chart) => chart.requires.every((m) => models.has(m)));
  expect(runnable.length).toBeGreaterThan(3);
  const first = await profileKnownAnswerCharts(aspects.clickhouse, aspects.names, 'journeys', result.courses);
  expect(first).toHaveLength(runnable.length * result.courses.length);
  expect(new Set(first.map((p) => p.chart))).toEqual(new Set(runnable.map((c) => c.name)));
  for (const { chart, profile } of first) {
    expect(profile.reads.length, chart).toBeGreaterThan(0);
    expect('queryLog' in profile, chart).toBe(false);
  }
  // Charts read course-sorted tables filtered by the course: the plan shows the pruning.
  expect(first.filter((p) => p.profile.reads.some((r) => r.prunedBy.includes('course_key'))).length).toBeGreaterThan(
    result.courses.length,
  );

  const again = await profileKnownAnswerCharts(aspects.clickhouse, aspects.names, 'journeys', result.courses);
  expect(again).toEqual(first);

  const markdown = chartProfilesMarkdown(first);
  expect(markdown).toContain('| chart | course | granules | parts | estimated rows | pruned by |');
  expect(markdown.trim().split('\n')).toHaveLength(4 + first.length);
}, 600_000);
