import { inject } from 'vitest';
import { type SeededAspects, test } from 'xapi-db-load/vitest';

async function scalar(client: SeededAspects['client'], query: string): Promise<number> {
  const rs = await client.query({ query, format: 'JSONEachRow' });
  const rows = (await rs.json()) as { n: string }[];
  return Number(rows[0]?.n);
}

test('the tiny preset is loaded and verified', ({ aspects, expect }) => {
  expect(aspects.counts).toEqual({
    xapi_events_all: 8100,
    course_overviews: 12,
    course_blocks: 444,
    user_profile: 100,
    external_id: 50,
    tag: 29,
    taxonomy: 1,
    object_tag: 465,
  });
  expect(aspects.datasetHash).toBe(inject('xapiDbLoad').datasetHash);
});

test('report tables answer with the dataset numbers', async ({ aspects, expect }) => {
  const { xapi, reporting } = aspects.connection.databases;
  expect(await scalar(aspects.client, `SELECT count() AS n FROM ${reporting}.dim_most_recent_enrollment FINAL`)).toBe(
    73,
  );
  expect(await scalar(aspects.client, `SELECT uniqExact(course_key) AS n FROM ${xapi}.enrollment_events`)).toBe(4);
});
