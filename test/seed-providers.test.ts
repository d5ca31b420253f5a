/** Provider choice, config inputs and presets of `seedAspects`, without loading anything. */
import { describe, expect, it } from 'vitest';
import { datasetHash } from '../src/config/index.ts';
import { chooseProvider, urlTargetFromString } from '../src/testing/providers.ts';
import { PRESETS, resolveSeedConfig } from '../src/testing/seed.ts';
import { makeTestConfig } from './support/config.ts';

const config = makeTestConfig();
const noDocker = async () => ({ ok: false as const, reason: 'Could not find a working container runtime strategy' });
const docker = async () => ({ ok: true as const });

describe('chooseProvider', () => {
  it.each([
    {
      what: 'auto without Docker picks embedded and says why',
      options: { provider: 'auto' as const, env: {}, probeDocker: noDocker },
      name: 'embedded',
      reason:
        'provider auto → embedded (chdb): Docker is not available: Could not find a working container runtime strategy',
    },
    {
      what: 'auto with Docker picks a container',
      options: { provider: 'auto' as const, env: {}, probeDocker: docker },
      name: 'container',
      reason: 'provider auto → container: a Docker engine answers',
    },
    {
      what: 'auto with XAPI_DB_LOAD_CLICKHOUSE_URL picks that server',
      options: { env: { XAPI_DB_LOAD_CLICKHOUSE_URL: 'http://u:secret@ch.example:8123' }, probeDocker: docker },
      name: 'external',
      reason: 'provider auto → external: XAPI_DB_LOAD_CLICKHOUSE_URL is set (http://ch.example)',
    },
    {
      what: 'XAPI_DB_LOAD_PROVIDER chooses when the caller does not',
      options: { env: { XAPI_DB_LOAD_PROVIDER: 'embedded' }, probeDocker: docker },
      name: 'embedded',
      reason: 'provider embedded: ClickHouse in this process (chdb)',
    },
  ])('$what', async ({ options, name, reason }) => {
    const choice = await chooseProvider(config, options);
    expect(choice.name).toBe(name);
    expect(choice.reason).toBe(reason);
    expect(choice.reason).not.toContain('secret');
  });

  it('external reads user, password and port from the URL', async () => {
    const choice = await chooseProvider(config, { provider: 'external', url: 'https://ann:p%40ss@ch.example:8443' });
    expect(choice.target).toEqual({
      kind: 'url',
      host: 'https://ch.example',
      port: 8443,
      username: 'ann',
      password: 'p@ss',
      database: 'xapi',
    });
  });

  it.each([
    {
      what: 'an unknown provider',
      run: () => chooseProvider(config, { provider: 'docker' as never, env: {} }),
      message: 'provider: got "docker"; expected one of auto, embedded, container, external',
    },
    {
      what: 'a non-http URL',
      run: async () => urlTargetFromString('tcp://x:9000', 'xapi'),
      message: 'XAPI_DB_LOAD_CLICKHOUSE_URL: got scheme "tcp:"; expected http: or https:',
    },
  ])('rejects $what', async ({ run, message }) => {
    await expect(run()).rejects.toThrow(message);
  });
});

describe('resolveSeedConfig', () => {
  it.each(PRESETS)('preset %s loads from configs/presets', async (preset) => {
    const resolved = await resolveSeedConfig(preset);
    expect(resolved.configFile).toMatch(new RegExp(`configs/presets/${preset}\\.yaml$`));
  });

  it('presets are ordered by size: tiny ≈ 8k, small ≈ 100k, medium ≈ 1M statements', async () => {
    const random = await Promise.all(
      PRESETS.map(async (p) => {
        const c = await resolveSeedConfig(p);
        return c.numXapiBatches * c.batchSize;
      }),
    );
    expect(random).toEqual([8_000, 100_000, 1_000_000]);
  });

  it('a YAML path, an object and a resolved Config name the same dataset', async () => {
    const fromPath = await resolveSeedConfig(new URL('../configs/presets/tiny.yaml', import.meta.url).pathname);
    const fromPreset = await resolveSeedConfig('tiny');
    const fromConfig = await resolveSeedConfig(fromPreset);
    expect(datasetHash(fromPath)).toEqual(datasetHash(fromPreset));
    expect(fromConfig).toBe(fromPreset);
  });

  it('reports every invalid key of an object config at once', async () => {
    await expect(resolveSeedConfig({ num_xapi_batches: 'ten', batch_size: -1 })).rejects.toThrow(
      /Invalid configuration in seedAspects config/,
    );
  });
});
