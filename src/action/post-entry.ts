/** Entry of the Action's post step (bundled to `dist/post.js`). */

import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { localActionsCache } from './cache.ts';
import { LOCAL_ACTIONS_CACHE_ENV } from './constants.ts';
import { post } from './post.ts';

const localDir = process.env[LOCAL_ACTIONS_CACHE_ENV];
await post({ core, cache: localDir ? localActionsCache(localDir) : cache });
