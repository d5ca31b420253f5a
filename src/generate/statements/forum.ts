/** Forum statements: a thread posted. */

import { pick } from '../rng.ts';
import { compileTemplate, str } from '../template.ts';
import {
  ACROSSX_TYPE_EXT,
  ACTOR_TYPE_FIRST,
  COURSE_PARENT,
  FORUM_SESSION_ID,
  SESSION_ID_EXT,
  TRANSFORMER_VERSION,
  TRANSFORMER_VERSION_EXT,
  verb,
  XAPI_VERSION,
} from './common.ts';
import { fill, type StatementBuilder } from './context.ts';

const postCreated = compileTemplate({
  id: str('id'),
  actor: ACTOR_TYPE_FIRST,
  context: {
    contextActivities: COURSE_PARENT,
    extensions: {
      [TRANSFORMER_VERSION_EXT]: TRANSFORMER_VERSION,
      // The forum template has its own constant session id.
      [SESSION_ID_EXT]: FORUM_SESSION_ID,
      [ACROSSX_TYPE_EXT]: 'discussion',
    },
  },
  object: {
    definition: { type: 'http://id.tincanapi.com/activitytype/discussion' },
    id: str('objectId'),
    objectType: 'Activity',
  },
  timestamp: str('timestamp'),
  verb: verb('https://w3id.org/xapi/acrossx/verbs/posted', 'posted'),
  version: XAPI_VERSION,
});

export const forumBuilders = {
  PostCreated: (rng, ctx) =>
    fill(postCreated, {
      id: ctx.eventId,
      homePage: ctx.world.config.lmsUrl,
      actor: ctx.actorId,
      courseUrl: ctx.course.courseUrl,
      objectId: pick(rng, ctx.course.forumPosts),
      timestamp: ctx.timestamp,
    }),
} satisfies Record<string, StatementBuilder>;
