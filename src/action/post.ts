/**
 * The Action's post step (`post-if: success()`): saves a newly generated dataset to the cache
 * (after the job's steps succeeded, as actions/cache does) and removes a ClickHouse container
 * that was kept for later steps.
 */

import { describeError } from '../errors.ts';
import type { ActionsCacheApi } from './cache.ts';
import { State } from './constants.ts';
import { removeContainer } from './container.ts';
import type { CoreApi } from './main.ts';

export interface PostDependencies {
  readonly core: Pick<CoreApi, 'getState' | 'info' | 'warning'>;
  readonly cache: ActionsCacheApi;
}

/**
 * Runs the post step. A failed save or cleanup is a warning: the checks already passed.
 *
 * @example
 * await post({ core, cache });
 */
export async function post(deps: PostDependencies): Promise<void> {
  const { core } = deps;
  const containerId = core.getState(State.ContainerId);
  if (containerId !== '') {
    try {
      await removeContainer(containerId);
      core.info(`Removed ClickHouse container ${containerId.slice(0, 12)}`);
    } catch (error) {
      core.warning(`Could not remove ClickHouse container ${containerId}: ${describeError(error)}`);
    }
  }
  if (core.getState(State.CacheSave) !== 'true') return;
  const key = core.getState(State.CacheKey);
  const path = core.getState(State.CachePath);
  try {
    const id = await deps.cache.saveCache([path], key);
    core.info(id === -1 ? `Cache entry ${key} already exists; not saved` : `Saved dataset to the cache as ${key}`);
  } catch (error) {
    core.warning(`Could not save the dataset to the cache as ${key}: ${describeError(error)}`);
  }
}
