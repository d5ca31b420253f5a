import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { getAspects } from 'xapi-db-load/jest';

let aspects;
beforeAll(async () => {
  aspects = await getAspects();
});
afterAll(() => aspects?.close());

test('a test file may write to its own copy', async () => {
  const table = `${aspects.connection.databases.eventSink}.external_id`;
  await aspects.client.command({
    query: `INSERT INTO ${table} (external_user_id, external_id_type, username, user_id, dump_id, time_last_dumped)
            VALUES (generateUUIDv4(), 'lti', 'someone', 999999, generateUUIDv4(), '2023-01-01 00:00:00')`,
  });
  const rs = await aspects.client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' });
  expect(Number((await rs.json())[0]?.n)).toBe(51);
});
