import { test } from 'xapi-db-load/vitest';

// Every test file gets its own copy of the databases (embedded: its own engine), so writes here
// never leak into reports.test.ts.
test('a test file may write to its copy', async ({ aspects, expect }) => {
  const table = `${aspects.connection.databases.eventSink}.external_id`;
  await aspects.client.command({
    query: `INSERT INTO ${table} (external_user_id, external_id_type, username, user_id, dump_id, time_last_dumped)
            VALUES (generateUUIDv4(), 'lti', 'someone', 999999, generateUUIDv4(), '2023-01-01 00:00:00')`,
  });
  const rs = await aspects.client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' });
  expect(Number(((await rs.json()) as { n: string }[])[0]?.n)).toBe(51);
});
