/** Video statements: loaded, played, paused, stopped, seeked, completed, transcript on/off. */

import { pick, randRange } from '../rng.ts';
import { compileTemplate, formatPyFloat, pyFloat, raw, str, type TemplateValue } from '../template.ts';
import {
  ACTOR_TYPE_FIRST,
  COURSE_PARENT,
  EVENT_VERSION_EXT,
  VIDEO_LENGTH_SECONDS,
  verb,
  XAPI_VERSION,
} from './common.ts';
import { type EventContext, fill, type StatementBuilder } from './context.ts';

const VIDEO_TYPE = 'https://w3id.org/xapi/video/activity-type/video';
const VIDEO_LENGTH_EXT = 'https://w3id.org/xapi/video/extensions/length';
const TIME_EXT = 'https://w3id.org/xapi/video/extensions/time';
const TIME_FROM_EXT = 'https://w3id.org/xapi/video/extensions/time-from';
const TIME_TO_EXT = 'https://w3id.org/xapi/video/extensions/time-to';
const CC_ENABLED_EXT = 'https://w3id.org/xapi/video/extensions/cc-enabled';

function videoStatement(verbId: string, verbDisplay: string, result: TemplateValue): TemplateValue {
  return {
    id: str('id'),
    actor: ACTOR_TYPE_FIRST,
    context: {
      contextActivities: COURSE_PARENT,
      extensions: { [EVENT_VERSION_EXT]: '1.0', [VIDEO_LENGTH_EXT]: pyFloat(VIDEO_LENGTH_SECONDS) },
    },
    object: { definition: { type: VIDEO_TYPE }, id: str('objectId'), objectType: 'Activity' },
    result,
    timestamp: str('timestamp'),
    verb: verb(verbId, verbDisplay),
    version: XAPI_VERSION,
  };
}

const loaded = compileTemplate(
  videoStatement('http://adlnet.gov/expapi/verbs/initialized', 'initialized', { extensions: {} }),
);
const completed = compileTemplate(
  videoStatement('http://adlnet.gov/expapi/verbs/completed', 'completed', { extensions: {} }),
);
const played = compileTemplate(
  videoStatement('https://w3id.org/xapi/video/verbs/played', 'played', { extensions: { [TIME_EXT]: raw('time') } }),
);
const paused = compileTemplate(
  videoStatement('https://w3id.org/xapi/video/verbs/paused', 'paused', { extensions: { [TIME_EXT]: raw('time') } }),
);
const stopped = compileTemplate(
  videoStatement('http://adlnet.gov/expapi/verbs/terminated', 'terminated', {
    extensions: { [TIME_EXT]: raw('time') },
  }),
);
const seeked = compileTemplate(
  videoStatement('https://w3id.org/xapi/video/verbs/seeked', 'seeked', {
    extensions: { [TIME_FROM_EXT]: raw('timeFrom'), [TIME_TO_EXT]: raw('timeTo') },
  }),
);
const transcriptEnabled = compileTemplate(
  videoStatement('http://adlnet.gov/expapi/verbs/interacted', 'interacted', {
    extensions: { [TIME_EXT]: raw('time'), [CC_ENABLED_EXT]: true },
  }),
);
const transcriptDisabled = compileTemplate(
  videoStatement('http://adlnet.gov/expapi/verbs/interacted', 'interacted', {
    extensions: { [TIME_EXT]: raw('time'), [CC_ENABLED_EXT]: false },
  }),
);

/** A playhead position: a whole second in [0, 195), printed as a Python float (`20.0`). */
function videoTime(rng: Parameters<StatementBuilder>[0]): string {
  return formatPyFloat(randRange(rng, 0, VIDEO_LENGTH_SECONDS));
}

function common(rng: Parameters<StatementBuilder>[0], ctx: EventContext) {
  return {
    id: ctx.eventId,
    homePage: ctx.world.config.lmsUrl,
    actor: ctx.actorId,
    courseUrl: ctx.course.courseUrl,
    objectId: pick(rng, ctx.course.videos),
    timestamp: ctx.timestamp,
  };
}

export const videoBuilders = {
  LoadedVideo: (rng, ctx) => fill(loaded, common(rng, ctx)),
  CompletedVideo: (rng, ctx) => fill(completed, common(rng, ctx)),
  PlayedVideo: (rng, ctx) => fill(played, { ...common(rng, ctx), time: videoTime(rng) }),
  PausedVideo: (rng, ctx) => fill(paused, { ...common(rng, ctx), time: videoTime(rng) }),
  StoppedVideo: (rng, ctx) => fill(stopped, { ...common(rng, ctx), time: videoTime(rng) }),
  PositionChangedVideo: (rng, ctx) =>
    fill(seeked, { ...common(rng, ctx), timeFrom: videoTime(rng), timeTo: videoTime(rng) }),
  TranscriptEnabled: (rng, ctx) => fill(transcriptEnabled, { ...common(rng, ctx), time: videoTime(rng) }),
  TranscriptDisabled: (rng, ctx) => fill(transcriptDisabled, { ...common(rng, ctx), time: videoTime(rng) }),
} satisfies Record<string, StatementBuilder>;
