/** Child of bench/journeys.ts: one journeys run, then its numbers as JSON on stdout. */

import { readConfigDocument } from '../src/config/load.ts';
import { resolveJourneysConfig } from '../src/journeys/config.ts';
import { generateJourneys } from '../src/journeys/generate.ts';

const options = JSON.parse(process.argv[2] as string) as {
  configFile: string;
  workers: number;
  sortEvents: boolean;
  outputDir: string;
};
const document = (await readConfigDocument(options.configFile)) as Map<string, unknown>;
const journeys = new Map(document.get('journeys') as Map<string, unknown>);
journeys.set('num_workers', options.workers);
journeys.set('sort_events', options.sortEvents);
document.set('journeys', journeys);
const config = resolveJourneysConfig(document, {
  overrides: { outputDir: options.outputDir, now: '2026-10-08 12:00:00' },
});
const summary = await generateJourneys(config);
process.stdout.write(
  JSON.stringify({
    events: summary.numXapiEvents,
    enrollments: summary.numEnrollments,
    seconds: summary.elapsedMs / 1000,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    // Process-wide (worker threads included): events per CPU-second survives a busy machine.
    cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  }),
);
