/**
 * The eight output tables: their file names, target databases and column orders. Files carry
 * no header, so the column order here is the contract with ClickHouse (`SELECT *` loads map
 * positionally) and with the original tool's files.
 */

export const TABLE_KEYS = [
  'courseOverviews',
  'courseBlocks',
  'objectTags',
  'taxonomies',
  'tags',
  'externalIds',
  'userProfiles',
  'xapi',
] as const;

export type TableKey = (typeof TABLE_KEYS)[number];

export interface Column {
  readonly name: string;
  /** ClickHouse type, as the Aspects schema declares it. */
  readonly type: string;
}

export interface TableLayout {
  readonly key: TableKey;
  /** Gzipped CSV file name (the original's names). */
  readonly csvFile: string;
  /** Which database the table lives in: the xAPI database (`db_name`) or the event sink. */
  readonly database: 'xapi' | 'eventSink';
  /** Table name inside that database. */
  readonly table: string;
  readonly columns: readonly Column[];
}

const s = (name: string): Column => ({ name, type: 'String' });
const i32 = (name: string): Column => ({ name, type: 'Int32' });
const dump: readonly Column[] = [{ name: 'dump_id', type: 'UUID' }, s('time_last_dumped')];

export const TABLES: Readonly<Record<TableKey, TableLayout>> = {
  courseOverviews: {
    key: 'courseOverviews',
    csvFile: 'courses.csv.gz',
    database: 'eventSink',
    table: 'course_overviews',
    columns: [
      s('org'),
      s('course_key'),
      s('display_name'),
      s('course_start'),
      s('course_end'),
      s('enrollment_start'),
      s('enrollment_end'),
      { name: 'self_paced', type: 'Bool' },
      s('course_data_json'),
      s('created'),
      s('modified'),
      ...dump,
    ],
  },
  courseBlocks: {
    key: 'courseBlocks',
    csvFile: 'blocks.csv.gz',
    database: 'eventSink',
    table: 'course_blocks',
    columns: [
      s('org'),
      s('course_key'),
      s('location'),
      s('display_name'),
      s('xblock_data_json'),
      i32('order'),
      s('edited_on'),
      ...dump,
    ],
  },
  objectTags: {
    key: 'objectTags',
    csvFile: 'object_tags.csv.gz',
    database: 'eventSink',
    table: 'object_tag',
    columns: [
      i32('id'),
      s('object_id'),
      i32('taxonomy'),
      i32('tag'),
      s('_value'),
      s('_export_id'),
      s('lineage'),
      ...dump,
    ],
  },
  taxonomies: {
    key: 'taxonomies',
    csvFile: 'taxonomies.csv.gz',
    database: 'eventSink',
    table: 'taxonomy',
    columns: [i32('id'), s('name'), ...dump],
  },
  tags: {
    key: 'tags',
    csvFile: 'tags.csv.gz',
    database: 'eventSink',
    table: 'tag',
    columns: [i32('id'), i32('taxonomy'), i32('parent'), s('value'), s('external_id'), s('lineage'), ...dump],
  },
  externalIds: {
    key: 'externalIds',
    csvFile: 'external_ids.csv.gz',
    database: 'eventSink',
    table: 'external_id',
    columns: [
      { name: 'external_user_id', type: 'UUID' },
      s('external_id_type'),
      s('username'),
      i32('user_id'),
      ...dump,
    ],
  },
  userProfiles: {
    key: 'userProfiles',
    csvFile: 'user_profiles.csv.gz',
    database: 'eventSink',
    table: 'user_profile',
    columns: [
      i32('id'),
      i32('user_id'),
      s('name'),
      s('username'),
      s('email'),
      s('meta'),
      s('courseware'),
      s('language'),
      s('location'),
      s('year_of_birth'),
      s('gender'),
      s('level_of_education'),
      s('mailing_address'),
      s('city'),
      s('country'),
      s('state'),
      s('goals'),
      s('bio'),
      s('profile_image_uploaded_at'),
      s('phone_number'),
      ...dump,
    ],
  },
  xapi: {
    key: 'xapi',
    csvFile: 'xapi.csv.gz',
    database: 'xapi',
    table: 'xapi_events_all',
    columns: [{ name: 'event_id', type: 'UUID' }, { name: 'emission_time', type: 'DateTime64(6)' }, s('event')],
  },
};

/**
 * File name of a table's CSV for shard `index` of `count`: the event-sink files keep their
 * names (only shard 0 writes them); the xAPI file becomes `xapi.shard-2-of-4.csv.gz`, so shards
 * can share one destination. `index` may be a ClickHouse glob such as `{0..3}`.
 */
export function shardCsvFile(table: TableKey, index: number | string, count: number): string {
  return table === 'xapi' && count > 1 ? `xapi.shard-${index}-of-${count}.csv.gz` : TABLES[table].csvFile;
}

/** Event-sink tables first, xAPI last: the load order that gives correct Aspects reports. */
export const LOAD_ORDER: readonly TableKey[] = TABLE_KEYS;
