/** Picks the sink for a config's backend. */

import type { Config } from '../config/types.ts';
import { ConfigError } from '../errors.ts';
import { localDestination } from '../storage/local.ts';
import { createCsvSink } from './csv.ts';
import type { Sink } from './sink.ts';

export function createSink(config: Config): Sink {
  switch (config.backend) {
    case 'csv': {
      const dest = config.csvOutputDestination as string;
      if (dest.startsWith('s3://')) {
        throw new ConfigError([
          {
            key: 'csv_output_destination',
            message: `csv_output_destination: got "${dest}"; s3:// destinations are not available yet, use a local directory`,
          },
        ]);
      }
      return createCsvSink(config, localDestination(dest));
    }
    default:
      throw new ConfigError([
        { key: 'backend', message: `backend: got "${config.backend}"; this backend is not available yet, use csv` },
      ]);
  }
}

export type { Sink, SinkSummary } from './sink.ts';
