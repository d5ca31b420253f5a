/**
 * The fixture handle's known answers: `seedAspects` (embedded), then the journeys loaded beside
 * the seeded dataset with `aspects.loadJourneys()` and checked with `aspects.checkKnownAnswers()`.
 */

import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveJourneysConfig } from '../src/journeys/config.ts';
import { generateJourneys } from '../src/journeys/generate.ts';
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
