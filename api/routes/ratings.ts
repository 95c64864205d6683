import { z } from 'zod';
import { roles } from '../../domain/access';
import { opaqueId } from '../../domain/session';
import type { SessionStore } from '../../stores/sessions';
import { tenantOf } from '../auth/authenticate';
import type { endpoints } from '../http/endpoint';
import { isoTime, limitQuery } from '../http/schemas';
import { ratingView, toRatingViews } from '../views';

export interface RatingDeps {
  sessions: SessionStore;
}

const date = isoTime.transform((s) => new Date(s));

/** `/api/v1/ratings`: what shoppers said of their sessions, read from the session projection. */
export function ratingRoutes(api: ReturnType<typeof endpoints>, deps: RatingDeps) {
  api.add({
    method: 'get',
    path: '/api/v1/ratings',
    tag: 'sessions',
    summary: 'Rated sessions, newest first',
    roles: roles.readers,
    query: z.strictObject({
      agentId: opaqueId.optional(),
      groupId: opaqueId.optional(),
      from: date.optional(),
      to: date.optional(),
      limit: limitQuery,
    }),
    responses: {
      200: {
        description: 'Ratings',
        schema: z.object({ items: z.array(ratingView) }),
      },
    },
    async handle({ query, principal }) {
      const { limit, ...filter } = query;
      const docs = await deps.sessions.search(
        tenantOf(principal),
        { ...filter, rated: true },
        limit,
      );
      const items = docs.flatMap(toRatingViews);
      return { status: 200, body: { items } };
    },
  });
}
