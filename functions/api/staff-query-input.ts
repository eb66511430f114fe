import * as z from 'zod/mini';
import '#shared/zod-messages.ts';
import { STAFF_ROLES } from '#shared/domain/case.ts';
import { DEADLINE_FILTERS, QUEUE_STAGES } from '#shared/domain/work-queue.ts';
import { lazy } from '#shared/lazy.ts';

/** GET /staff/queue's query string: the console's work-queue filters. */
export const QueueQuery = lazy(() =>
  z.object({
    role: z.optional(z.enum([...STAFF_ROLES, 'resident', 'all'])),
    stage: z.optional(z.enum(QUEUE_STAGES)),
    status: z.optional(z.enum(DEADLINE_FILTERS)),
    assignee: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  }),
);

/** GET /staff/cases's query string. */
export const SearchQuery = lazy(() =>
  z.object({
    q: z.string({ error: 'Add ?q= with a reference, name, email or phone number' }),
  }),
);

/** GET /staff/reports's query string: dates are checked as a period by the use case (400 when wrong). */
export const ReportQuery = lazy(() =>
  z.object({
    from: z.optional(z.string().check(z.maxLength(40))),
    to: z.optional(z.string().check(z.maxLength(40))),
    format: z._default(
      z.enum(['json', 'csv', 'html'], { error: 'format must be json, csv or html' }),
      'json',
    ),
    explain: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  }),
);
