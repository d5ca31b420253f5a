/**
 * `npm run bench`, Ralph section: statements/s posted through the real Ralph LRS (PyPI
 * `ralph-malph`, filesystem backend, on 127.0.0.1) by the ralph backend, for several numbers of
 * requests in flight (`num_workers`). Runs only when `scripts/ralph/install.sh` installed the venv.
 *
 * Each run gets a fresh, empty Ralph: its fs backend reads its whole file on every POST to find
 * existing ids, so a store that grows between runs would make later runs look slower.
 */

import { createRalphStatementSink } from '../src/backends/ralph.ts';
import { runLoadDb } from '../src/run/runner.ts';
import { makeTestConfig } from '../test/support/config.ts';
import { ralphInstalled, ralphSkipReason, startRalph } from '../test/support/ralph-server.ts';
import { median } from './median.ts';

export interface RalphBenchOptions {
  /** Random statements per run (the 5 initial enrollments of the small test world come on top). */
  readonly statements: number;
  readonly batchSize: number;
  readonly inFlight: readonly number[];
  /** Runs per in-flight setting, interleaved; the median is reported. */
  readonly repeats: number;
}

export async function benchRalph(options: RalphBenchOptions): Promise<void> {
  console.log('\nRalph LRS (ralph backend → real Ralph 4.1.0, fs backend, 127.0.0.1)');
  if (!ralphInstalled) {
    console.log(`  skipped: ${ralphSkipReason}`);
    return;
  }
  const auth = { username: 'bench', password: 'bench-password' };
  const rates = new Map<number, number[]>(options.inFlight.map((n) => [n, []]));
  let statementsPerRun = 0;
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    for (const inFlight of options.inFlight) {
      const ralph = await startRalph(auth);
      try {
        const config = makeTestConfig({
          backend: 'ralph',
          lrsUrl: ralph.statementsUrl,
          lrsUsername: auth.username,
          lrsPassword: auth.password,
          numWorkers: inFlight,
          batchSize: options.batchSize,
          numXapiBatches: Math.ceil(options.statements / options.batchSize),
        });
        const started = performance.now();
        const result = await runLoadDb(config, { sink: createRalphStatementSink(config) });
        const seconds = (performance.now() - started) / 1000;
        statementsPerRun = result.statements;
        rates.get(inFlight)?.push(result.statements / seconds);
        process.stderr.write(
          `  repeat ${repeat + 1}/${options.repeats}, ${inFlight} in flight: ${Math.round(result.statements / seconds)}/s\n`,
        );
      } finally {
        await ralph.stop();
      }
    }
  }
  const rows = [...rates].map(([inFlight, xs]) => [
    `${inFlight} request(s) in flight`,
    `${Math.round(median(xs)).toLocaleString('en-US')} statements/s`,
    `median of ${xs.length}, ${statementsPerRun.toLocaleString('en-US')} statements in batches of ${options.batchSize}`,
  ]);
  const w0 = Math.max(...rows.map((r) => (r[0] as string).length));
  const w1 = Math.max(...rows.map((r) => (r[1] as string).length));
  for (const [a, b, c] of rows) console.log(`${(a as string).padEnd(w0)}  ${(b as string).padStart(w1)}  ${c}`);
  console.log(
    'Ralph is one Python process: it validates every statement and, with the fs backend, re-reads its store on each POST,\n' +
      'so it, not this client, sets the pace; more requests in flight only help when Ralph has cores to spare.',
  );
}
