import { createHash } from 'node:crypto';
import { NotFoundError } from '#shared/domain/errors.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import { download } from '../../http.ts';
import { staffPage } from '../../staff-route.ts';
import { caseIdOf } from './common.ts';

/** A resident's file on a case, downloaded by staff. */

/**
 * GET /staff/case/{caseId}/attachments/{index}: one of the resident's files, as a download (never shown
 * inline: it is whatever the resident sent, checked only for its type), after checking it is the file
 * that was received.
 */
export const downloadAttachment = staffPage(async (ctx) => {
  const caseId = caseIdOf(ctx);
  const index = ctx.event.pathParameters?.index ?? '';
  const { state } = await loadCase(ctx.deps, caseId);
  const record = /^\d{1,3}$/.test(index) ? state.complaint.attachments?.[Number(index)] : undefined;
  if (!record) throw new NotFoundError('There is no such file on this case');
  const stored = await ctx.deps.attachments.get(record.key);
  if (!stored) throw new NotFoundError('The file is missing from the attachment store');
  if (createHash('sha256').update(stored.bytes).digest('hex') !== record.sha256) {
    throw new Error(`Attachment ${index} of case ${caseId} does not match the SHA-256 recorded for it`);
  }
  return download(stored.bytes, record.name, record.contentType);
});
