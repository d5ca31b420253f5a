// Copies non-TypeScript files the compiled library reads at run time (schema SQL) into lib/.
import { cpSync } from 'node:fs';

cpSync(new URL('../src/clickhouse/sql/', import.meta.url), new URL('../lib/clickhouse/sql/', import.meta.url), {
  recursive: true,
});
cpSync(new URL('../src/reports/sql/', import.meta.url), new URL('../lib/reports/sql/', import.meta.url), {
  recursive: true,
});
