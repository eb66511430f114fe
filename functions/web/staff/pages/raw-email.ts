import { ValidationError } from '#shared/domain/errors.ts';
import { downloadRawEmail } from '#shared/usecases/raw-email.ts';
import { download } from '../../http.ts';
import { staffPage } from '../../staff-route.ts';
import { caseIdOf } from './common.ts';

/**
 * GET /staff/case/{caseId}/emails/{index}: a raw email of the case as the sender's server sent it, always as a
 * download (message/rfc822, never rendered), and recorded on the case timeline as an access.
 */
export const downloadEmail = staffPage(async (ctx) => {
  const index = ctx.event.pathParameters?.index ?? '';
  if (!/^\d{1,3}$/.test(index)) throw new ValidationError('The email number must be a whole number');
  const { bytes, fileName } = await downloadRawEmail(ctx.deps, caseIdOf(ctx), Number(index), ctx.staff);
  return download(bytes, fileName, 'message/rfc822');
});
