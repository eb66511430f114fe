import * as z from 'zod';
import { STAFF_ROLES } from '#shared/domain/case.ts';
import { DEADLINE_FILTERS, QUEUE_STAGES } from '#shared/domain/work-queue.ts';

/** GET /staff/queue's query string: the console's work-queue filters. */
export const QueueQuery = z.object({
  role: z.enum([...STAFF_ROLES, 'resident', 'all']).optional(),
  stage: z.enum(QUEUE_STAGES).optional(),
  status: z.enum(DEADLINE_FILTERS).optional(),
  assignee: z.string().min(1).max(200).optional(),
});

/** GET /staff/cases's query string. */
export const SearchQuery = z.object({
  q: z.string({ error: 'Add ?q= with a reference, name, email or phone number' }),
});

/** GET /staff/reports's query string: dates are checked as a period by the use case (400 when wrong). */
export const ReportQuery = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  format: z.enum(['json', 'csv', 'html'], { error: 'format must be json, csv or html' }).default('json'),
  explain: z.string().min(1).max(200).optional(),
});
