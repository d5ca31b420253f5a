/** Test-framework integration: `seedAspects`, providers, the container stack. */

export { AspectsStack, MINIO_IMAGE, type ServerClientOptions, StartedAspectsStack } from './aspects-stack.ts';
export {
  type ChooseProviderOptions,
  CLICKHOUSE_URL_ENV,
  chooseProvider,
  type DockerProbe,
  PROVIDER_ENV,
  PROVIDERS,
  type ProviderChoice,
  type ProviderName,
  probeDocker,
  type ResolvedProviderName,
} from './providers.ts';
export {
  type AspectsConnection,
  type AspectsDatabases,
  type EmbeddedConnection,
  PRESETS,
  PRESETS_DIR,
  type PresetName,
  resolveSeedConfig,
  type SeedAspectsOptions,
  type SeedConfigInput,
  type SeededAspects,
  type ServerConnection,
  seedAspects,
} from './seed.ts';
export {
  ASPECTS_VERSION_ENV,
  type GlobalSeed,
  type GlobalSeedOptions,
  globalSeed,
  type ProvidedAspects,
  SEED_ENV,
  type SeedFromProvidedOptions,
  seedFromProvided,
} from './shared-setup.ts';
