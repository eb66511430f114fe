import { expect } from 'vitest';
import type { CaseEvent } from '#shared/domain/case.ts';
import { heldCopyKey } from '#shared/domain/records.ts';
import { nameHashes } from '#shared/domain/secrets.ts';
import { caseLookups, loadCase } from '#shared/usecases/case-log.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import type { MemoryAttachmentStore } from './fakes/attachments.ts';
import { handler, received } from './fixtures.ts';

/**
 * Races made deterministic (a legal hold against what anonymises a case; an assignment against a task being
 * registered): instead of starting both and hoping the timing falls each way, one side is paused at a chosen
 * call while the other runs to completion, so each order (and each read-before-write interleaving) is exercised
 * every run.
 */

type Method<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];
type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/**
 * `target` with `method` wrapped: at its first call `when` picks, `other` runs to completion before the call
 * goes on. `settled()` is what `other` came to (undefined while it has not run), so a test asserts it ran.
 */
export function interleave<T extends object, K extends Method<T>, R>(
  target: T,
  method: K,
  other: () => Promise<R>,
  when: (...args: ArgsOf<T[K]>) => boolean = () => true,
): { wrapped: T; settled: () => PromiseSettledResult<R> | undefined } {
  let settled: PromiseSettledResult<R> | undefined;
  const original = target[method] as (...args: unknown[]) => Promise<unknown>;
  const wrapped = new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (property === method) {
        return async (...args: unknown[]) => {
          if (!settled && when(...(args as ArgsOf<T[K]>))) [settled] = await Promise.allSettled([other()]);
          return original.apply(object, args);
        };
      }
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
  return { wrapped, settled: () => settled };
}

/**
 * `target` with every async method wrapped: at the `nth` call of any of them, `other` runs to completion before
 * that call goes on. `calls()` names the methods called so far, so a test pausing one side at each of its calls
 * in turn knows when it has run out of calls and which call a failing order paused at.
 */
export function interleaveAtCall<T extends object, R>(
  target: T,
  nth: number,
  other: () => Promise<R>,
): { wrapped: T; settled: () => PromiseSettledResult<R> | undefined; calls: () => string[] } {
  let settled: PromiseSettledResult<R> | undefined;
  const calls: string[] = [];
  const wrapped = new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls.push(String(property));
        if (calls.length === nth) [settled] = await Promise.allSettled([other()]);
        return value.apply(object, args);
      };
    },
  });
  return { wrapped, settled: () => settled, calls: () => [...calls] };
}

/** What a promise came to, as a value a test can match (the race's two sides are each one of these). */
export async function outcome<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  const [settled] = await Promise.allSettled([promise]);
  if (!settled) throw new Error('Promise.allSettled of one promise settled none');
  return settled;
}

/** The files of a {@link seedClosedEmailCase} case. */
export const photoKey = (caseId: string) => `${caseId}/mould.jpg`;
export const rawKey = (caseId: string) => `inbound/${caseId}.eml`;

/**
 * A closed case (a service request) that arrived by email from Ada Resident with a photo: its events,
 * projection and search entries stored as its writes would have, the photo in `attachments` and the raw
 * message in `inboundEmail` (what a legal hold copies to `held/` and an anonymisation deletes).
 */
export async function seedClosedEmailCase(
  deps: AppDependencies & { inboundEmail: MemoryAttachmentStore },
  caseId: string,
): Promise<void> {
  const opened = received('2026-03-02T09:00:00Z');
  if (opened.type !== 'received') throw new Error('received() made no received event');
  const photo = { name: 'mould.jpg', contentType: 'image/jpeg', size: 3, key: photoKey(caseId), sha256: 'x' };
  const pass = { spf: 'pass', dkim: 'pass', dmarc: 'pass', spam: 'pass', virus: 'pass' };
  const events: CaseEvent[] = [
    {
      ...opened,
      channel: 'email',
      complaint: { ...opened.complaint, attachments: [photo] },
      email: {
        messageId: `${caseId}@resident.example`,
        rawKey: rawKey(caseId),
        from: { address: 'ada@example.com', name: 'Ada Resident' },
        subject: 'Mould in the bathroom',
        verdicts: pass,
        flags: [],
        refusedAttachments: [],
      },
    },
    { type: 'triaged', at: '2026-03-02T10:00:00Z', by: handler, outcome: 'service-request', notes: 'Booked' },
  ];
  for (const [index, event] of events.entries()) await deps.repository.appendEvent(caseId, index + 1, event);
  const { state } = await loadCase(deps, caseId);
  await deps.repository.saveProjection(state, caseLookups(deps, state));
  await deps.repository.addLookups(state, caseLookups(deps, state));
  await deps.attachments.put(photoKey(caseId), new Uint8Array([1, 2, 3]), 'image/jpeg');
  await deps.inboundEmail.put(
    rawKey(caseId),
    new TextEncoder().encode('From: ada@example.com'),
    'message/rfc822',
  );
}

const findsByName = async (deps: AppDependencies, caseId: string) =>
  (await deps.repository.listByName(nameHashes(deps.secrets.contactHashKey, 'Ada Resident')[0] ?? '')).some(
    (state) => state.caseId === caseId,
  );

/** The hold won: held with its reason, nothing anonymised, the photo, the raw email and its held copy kept. */
export async function expectHeldAndKept(
  deps: AppDependencies & { inboundEmail: MemoryAttachmentStore },
  caseId: string,
  reason: string,
): Promise<CaseEvent[]> {
  const { state, events } = await loadCase(deps, caseId);
  expect(state.legalHold?.reason).toBe(reason);
  expect(state.anonymised).toBeUndefined();
  expect(events.map((event) => event.type)).not.toContain('anonymised');
  expect(state.complainant.name).toBe('Ada Resident');
  expect((await deps.repository.getProjection(caseId))?.complainant.name).toBe('Ada Resident');
  expect(await findsByName(deps, caseId)).toBe(true);
  expect(await deps.attachments.get(photoKey(caseId))).toBeDefined();
  const raw = await deps.inboundEmail.get(rawKey(caseId));
  expect(raw).toBeDefined();
  expect(await deps.inboundEmail.get(heldCopyKey(rawKey(caseId)))).toEqual(raw);
  return events;
}

/**
 * The anonymisation won: no hold in the log (or, `released`, one released before it), nothing personal in the
 * events or the projection, search does not find the case, and no file of it is left: the photo, the raw
 * emails, and no `held/` copy either.
 */
export async function expectAnonymisedAndGone(
  deps: AppDependencies & { inboundEmail: MemoryAttachmentStore },
  caseId: string,
  { released = false }: { released?: boolean } = {},
): Promise<void> {
  const { state, events } = await loadCase(deps, caseId);
  expect(state.anonymised).toBeDefined();
  expect(state.legalHold).toBeUndefined();
  const types = events.map((event) => event.type);
  if (released) expect(types.lastIndexOf('legal-hold-released')).toBeLessThan(types.indexOf('anonymised'));
  else expect(types).not.toContain('legal-hold-set');
  expect(JSON.stringify([events, await deps.repository.getProjection(caseId)])).not.toMatch(
    /Ada Resident|ada@example\.com|boiler|Mould in the bathroom|mould\.jpg/i,
  );
  expect(await findsByName(deps, caseId)).toBe(false);
  expect(await deps.attachments.get(photoKey(caseId))).toBeUndefined();
  expect([...deps.inboundEmail.files.keys()].filter((key) => key.includes(caseId))).toEqual([]);
}
