// The `tiny` preset: ~8,100 xAPI statements, 4 courses, 50 learners. Without Docker (or
// XAPI_DB_LOAD_CLICKHOUSE_URL) it uses the embedded engine, and says so.
import { defineAspectsSetup } from 'xapi-db-load/vitest/setup';

export default defineAspectsSetup('tiny');
