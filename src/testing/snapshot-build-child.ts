/**
 * Child process of the global setups: builds (or checks) the loaded-database snapshot of a config
 * in a process of its own, so the test runner's main process never binds the embedded engine and
 * test files start with a hit instead of waiting on one another's build.
 * argv: <config JSON> <cache dir>. Log lines go to stderr.
 */

import { seedAspects } from './seed.ts';

const [configJson, cacheDir] = process.argv.slice(2);
const aspects = await seedAspects(JSON.parse(configJson as string), {
  provider: 'embedded',
  cache: { dir: cacheDir as string, env: {} },
  log: (line) => process.stderr.write(`${line}\n`),
});
await aspects.close();
process.stdout.write(`${JSON.stringify({ snapshot: aspects.snapshot })}\n`);
