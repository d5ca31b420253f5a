// Bundles the GitHub Action into dist/: one file per entry (main, post, and the generation
// worker the runner starts by URL), plus the SQL files the bundled code reads next to itself.
// chdb, testcontainers and the AWS SDK stay out: they are loaded lazily at run time
// (src/action/chdb.ts installs chdb on the runner when needed).
//
// Usage: node scripts/bundle.mjs [outdir]   (default: dist)
import { cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = resolve(root, process.argv[2] ?? 'dist');
// Built next to the target, then moved in file by file with rename(): a reader of dist/ (a test,
// a concurrent `npm pack`) never sees a missing or half-written file.
mkdirSync(dirname(target), { recursive: true });
const outdir = mkdtempSync(join(dirname(target), '.bundle-'));

try {
  await build({
    absWorkingDir: root,
    entryPoints: {
      index: 'src/action/index.ts',
      post: 'src/action/post-entry.ts',
      'generate-worker': 'src/run/generate-worker.ts',
    },
    outdir,
    bundle: true,
    splitting: false,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: false,
    legalComments: 'eof',
    logLevel: 'warning',
    external: ['chdb', 'chdb/*', 'testcontainers', '@testcontainers/*', '@aws-sdk/*'],
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __xdlCreateRequire } from 'node:module';\nconst require = __xdlCreateRequire(import.meta.url);",
    },
  });

  // Both SQL sets are read from `new URL('./sql/', import.meta.url)`: their file names differ
  // (schema `01-…`, reports `r01-…`) and each reader lists its own files.
  for (const dir of ['src/clickhouse/sql', 'src/reports/sql']) {
    for (const file of readdirSync(resolve(root, dir))) {
      // `recursive` for the per-release schema folders (`sql/v8.0.0/…`).
      cpSync(resolve(root, dir, file), resolve(outdir, 'sql', file), { recursive: true });
    }
  }

  const listFiles = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
    );
  const built = new Set(listFiles(outdir).map((f) => relative(outdir, f)));
  for (const file of built) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    renameSync(join(outdir, file), join(target, file));
  }
  for (const file of listFiles(target)) {
    if (!built.has(relative(target, file))) rmSync(file);
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
