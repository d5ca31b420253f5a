/**
 * Entry of the Action's main step (bundled to `dist/index.js`). The cache is the GitHub cache
 * service, or a local directory when `XAPI_DB_LOAD_ACTIONS_CACHE_DIR` is set.
 */

import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { localActionsCache } from './cache.ts';
import { LOCAL_ACTIONS_CACHE_ENV } from './constants.ts';
import { run } from './main.ts';

const localDir = process.env[LOCAL_ACTIONS_CACHE_ENV];
await run({ core, cache: localDir ? localActionsCache(localDir) : cache });
