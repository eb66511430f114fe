import { ValidationError } from '#shared/domain/errors.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { type ApiEvent, httpRoute, json, staffIdentity } from '../lib/middleware.ts';

function idempotencyKey(event: ApiEvent): string {
  const key = event.headers['idempotency-key'];
  if (!key || !/^[A-Za-z0-9_-]{8,100}$/.test(key)) {
    throw new ValidationError(
      'Send an Idempotency-Key header (8-100 letters, digits, - or _), the same on every retry of this complaint',
    );
  }
  return key;
}

/** POST /complaints: a resident's complaint from the web form. */
export const residentHandler = httpRoute(async ({ deps, event, body }) => {
  const result = await submitComplaint(
    deps,
    { ...(body as object), channel: 'web' } as never,
    idempotencyKey(event),
    {
      kind: 'resident',
      id: 'web-form',
    },
  );
  return json(result.created ? 201 : 200, result);
});

/** POST /staff/complaints: staff log a complaint made by phone, letter, in person or social media. */
export const staffHandler = httpRoute(async ({ deps, event, body }) => {
  const staff = staffIdentity(event);
  const result = await submitComplaint(deps, body as never, idempotencyKey(event), staff);
  return json(result.created ? 201 : 200, result);
});
