import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { getAspects } from 'xapi-db-load/jest';

let aspects;
beforeAll(async () => {
  // Embedded: loads the cached dataset into this test file's own engine. Servers: connects.
  aspects = await getAspects();
});
afterAll(() => aspects?.close());

async function scalar(query) {
  const rs = await aspects.client.query({ query, format: 'JSONEachRow' });
  return Number((await rs.json())[0]?.n);
}

test('the tiny preset is loaded and verified', () => {
  expect(aspects.counts.xapi_events_all).toBe(8100);
  expect(aspects.counts.course_overviews).toBe(12);
  expect(aspects.datasetHash).toMatch(/^[0-9a-f]{64}$/);
});

test('report tables answer with the dataset numbers', async () => {
  const { xapi, reporting } = aspects.connection.databases;
  expect(await scalar(`SELECT count() AS n FROM ${reporting}.dim_most_recent_enrollment FINAL`)).toBe(73);
  expect(await scalar(`SELECT uniqExact(course_key) AS n FROM ${xapi}.enrollment_events`)).toBe(4);
});
