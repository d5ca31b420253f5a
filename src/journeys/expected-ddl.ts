/**
 * The expected tables' DDL and the column structures of every journeys file, as ClickHouse's
 * `file()`/`s3()` read them.
 */

import { EXPECTED_SCHEMA, type ExpectedTable } from './oracle.ts';

/** `name Type, …` of an expected table (the structure argument of `file()` as well). */
export function expectedStructure(table: ExpectedTable): string {
  return Object.entries(EXPECTED_SCHEMA[table])
    .map(([column, type]) => `${column} ${type}`)
    .join(', ');
}

/**
 * `CREATE TABLE` of an expected table in database `db` (a validated identifier).
 * @example
 * await client.command({ query: expectedTableDdl('journeys', 'expected_engagement') });
 */
export function expectedTableDdl(db: string, table: ExpectedTable): string {
  return `CREATE TABLE IF NOT EXISTS ${db}.${table} (${expectedStructure(table)}) ENGINE = MergeTree ORDER BY (course_key, actor_id)`;
}

/** Structures of the other files, as upstream's manual load recipe gives them (reference §6). */
export const FILE_STRUCTURES = {
  xapi: 'event_id UUID, emission_time DateTime64(6), event String',
  courses:
    'org String, course_key String, display_name String, course_start String, course_end String, enrollment_start String, enrollment_end String, self_paced Bool, course_data_json String, created String, modified String, dump_id UUID, time_last_dumped String',
  blocks:
    'org String, course_key String, location String, display_name String, xblock_data_json String, order Int32, edited_on String, dump_id UUID, time_last_dumped String',
  external_ids:
    'external_user_id UUID, external_id_type String, username String, user_id Int32, dump_id UUID, time_last_dumped String',
} as const;
