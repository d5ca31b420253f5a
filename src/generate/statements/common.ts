/**
 * Pieces shared by the statement templates: constants of the original tool's statements and
 * the recurring sub-objects (actor, course parent, verb). Key order inside each piece is the
 * order the original emits; templates pick the variant their type uses.
 */

import { pyFloat, raw, str, type TemplateValue } from '../template.ts';

export const XAPI_VERSION = '1.0.3';
export const DEMO_COURSE_NAME = 'Demonstration Course';
export const COURSE_ACTIVITY_TYPE = 'http://adlnet.gov/expapi/activities/course';
export const EVENT_VERSION_EXT =
  'https://github.com/openedx/event-routing-backends/blob/master/docs/xapi-extensions/eventVersion.rst';
export const TRANSFORMER_VERSION_EXT = 'https://w3id.org/xapi/openedx/extension/transformer-version';
export const SESSION_ID_EXT = 'https://w3id.org/xapi/openedx/extensions/session-id';
export const TRANSFORMER_VERSION = 'event-routing-backends@7.0.1';
/** Grade-calculated templates carry an older transformer version. */
export const GRADE_TRANSFORMER_VERSION = 'event-routing-backends@5.6.0';
export const SESSION_ID = 'e4858858443cd99828206e294587dac5';
export const FORUM_SESSION_ID = '054c9ddcb76d2096f862e66bda3bc308';
export const VIDEO_LENGTH_SECONDS = 195;

/** `{"objectType": "Agent", "account": {...}}` — video, problem-check, enrollment, forum templates. */
export const ACTOR_TYPE_FIRST: TemplateValue = {
  objectType: 'Agent',
  account: { homePage: str('homePage'), name: str('actor') },
};

/** `{"account": {...}, "objectType": "Agent"}` — hint/answer, navigation, grade, passed templates. */
export const ACTOR_ACCOUNT_FIRST: TemplateValue = {
  account: { homePage: str('homePage'), name: str('actor') },
  objectType: 'Agent',
};

/** `context.contextActivities` with the course as parent. */
export const COURSE_PARENT: TemplateValue = {
  parent: [
    {
      id: str('courseUrl'),
      objectType: 'Activity',
      definition: { name: { 'en-US': DEMO_COURSE_NAME }, type: COURSE_ACTIVITY_TYPE },
    },
  ],
};

/** `{"display": {"en": …}, "id": …}` — the usual verb key order. */
export function verb(id: string, display: string): TemplateValue {
  return { display: { en: display }, id };
}

/** `{"id": …, "display": {"en": …}}` — the grade templates' verb key order. */
export function verbIdFirst(id: string, display: string): TemplateValue {
  return { id, display: { en: display } };
}

/** The extension key ERB uses for enrollment mode and forum object type. */
export const ACROSSX_TYPE_EXT = 'https://w3id.org/xapi/acrossx/extensions/type';

/** `context.extensions` of the templates that carry transformer version + session id (7.0.1). */
export const TRANSFORMER_SESSION_EXTENSIONS: TemplateValue = {
  [TRANSFORMER_VERSION_EXT]: TRANSFORMER_VERSION,
  [SESSION_ID_EXT]: SESSION_ID,
};

/**
 * `result.score`: `{"scaled": …, "raw": …, "min": 0.0, "max": …}`. `min` is a constant float;
 * the others are filled by `drawScore` (slots `scaled`, `scoreRaw`, `scoreMax`).
 */
export const SCORE: TemplateValue = {
  scaled: raw('scaled'),
  raw: raw('scoreRaw'),
  min: pyFloat(0),
  max: raw('scoreMax'),
};
