/** Public surface of the config module. */

export { DATA_FORMAT_VERSION, type DatasetHash, datasetHash, datasetHashInput } from './dataset-hash.ts';
export { ENV_OVERRIDES, type Env } from './env.ts';
export {
  ACCEPTED_KEYS,
  KEY_DOCS,
  type KeyDoc,
  LEGACY_ALIASES,
  type LegacyAlias,
} from './keys.ts';
export { type ConfigOptions, loadConfig, type ResolveOptions, resolveConfig } from './load.ts';
export {
  BACKENDS,
  type Backend,
  type Config,
  type CourseMakeup,
  type CourseSizeCount,
  type EpochDay,
  SECRET_KEYS,
} from './types.ts';
export { formatEpochDay } from './values.ts';
