/** Schema names are made in one place, from the config: every caller gets db_reporting_name. */

import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH } from '../src/cli/options.ts';
import { schemaNamesFromConfig } from '../src/clickhouse/schema.ts';
import { loadConfig } from '../src/config/index.ts';
import { reportScript } from '../src/reports/command.ts';

describe('schema names', () => {
  it('take every database name from the config, db_reporting_name included', async () => {
    const config = {
      ...(await loadConfig(DEFAULT_CONFIG_PATH, { env: {} })),
      dbName: 'x1',
      dbEventSinkName: 'es1',
      dbReportingName: 'rep1',
    };
    expect(schemaNamesFromConfig(config)).toMatchObject({ xapiDb: 'x1', eventSinkDb: 'es1', reportingDb: 'rep1' });
  });

  it('report --print-sql reads the configured reporting database (it used to print "reporting")', async () => {
    const config = { ...(await loadConfig(DEFAULT_CONFIG_PATH, { env: {} })), dbReportingName: 'rep1' };
    const sql = await reportScript(config, {});
    expect(sql).toContain('FROM rep1.');
    expect(sql).not.toContain('FROM reporting.');
  });
});
