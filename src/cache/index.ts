/** The dataset cache: generated CSV datasets kept on disk, keyed by the dataset hash. */

export {
  type CachedDataset,
  type CachedDatasetOptions,
  cachedDataset,
  type DatasetGenerator,
  generateCsvDataset,
} from './cached-dataset.ts';
export {
  type CacheEntry,
  type DatasetCacheStore,
  type DatasetProducer,
  type GetOrCreateResult,
  LocalDatasetCache,
  type LocalDatasetCacheOptions,
} from './dataset-cache.ts';
export { CACHE_DIR_ENV, type CacheDirOptions, findNodeModules, osCacheDir, resolveCacheDir } from './location.ts';
export {
  buildManifest,
  type CacheManifest,
  DATASET_FILES,
  MANIFEST_FILE,
  MANIFEST_VERSION,
  type ManifestFile,
  type ManifestInput,
  manifestBytes,
  readManifest,
  type VerifyLevel,
  verifyFiles,
} from './manifest.ts';
