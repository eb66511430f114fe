import { describe, expect, it } from 'vitest';
import { type CaseEvent, type CaseState, foldCase } from '#shared/domain/case.ts';
import { anonymiseEvent, REMOVED, retentionStep } from '#shared/domain/records.ts';
import { caseFacts } from '#shared/domain/reporting/facts.ts';
import { nameHashes } from '#shared/domain/secrets.ts';
import { recordCaseAction } from '#shared/usecases/actions.ts';
import { caseLookups, loadCase } from '#shared/usecases/case-log.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { staffReport } from '#shared/usecases/report.ts';
import { runRetention } from '#shared/usecases/retention.ts';
import { fakeDependencies } from '../support/fakes/dependencies.ts';
import { baselineContext, baselineProfile, handler } from '../support/fixtures.ts';
import { period, populations } from '../support/report-population.ts';

const ctx = baselineContext();
const manager = { kind: 'staff', id: 'manager-9', role: 'manager' } as const;

/**
 * Closing events for two of the population's open cases, so the cases retention reaches carry compensation,
 * extensions, breaches, actions and a referral (the figures it must leave as they were).
 */
const CLOSINGS: Record<string, CaseEvent> = {
  'CMP-A': { type: 'closed', at: '2026-10-01T10:00:00+01:00', by: handler, reason: 'final-response-issued' },
  'CMP-H': {
    type: 'closed',
    at: '2026-06-01T10:00:00+01:00',
    by: handler,
    reason: 'resolved-at-stage-1',
    residentSatisfied: 'Said so by email',
  },
};

/** The report population stored as cases (events, projections, lookups), with a file and a letter on one. */
async function seed(deps: AppDependencies, files: ReturnType<typeof fakeDependencies>) {
  for (const [reference, stored] of Object.entries(populations)) {
    const caseId = reference.toLowerCase();
    const closing = CLOSINGS[reference];
    const original = closing ? [...stored, closing] : stored;
    const events = original.map((event): CaseEvent => {
      if (event.type !== 'received' || reference !== 'CMP-B') return event;
      return {
        ...event,
        complaint: {
          ...event.complaint,
          attachments: [
            { name: 'fence.jpg', contentType: 'image/jpeg', size: 3, key: 'b/fence.jpg', sha256: 'x' },
          ],
        },
      };
    });
    for (const [index, event] of events.entries())
      await deps.repository.appendEvent(caseId, index + 1, event);
    const state = foldCase(caseId, events, ctx);
    await deps.repository.saveProjection(state, caseLookups(deps, state));
    // Saved at its last seq, so its name and contacts are written as the first save would have.
    await deps.repository.addLookups(state, caseLookups(deps, state));
  }
  await files.attachments.put('b/fence.jpg', new Uint8Array([1, 2, 3]), 'image/jpeg');
  await files.letters.put('cmp-b/ack-1.txt', 'Dear Ada Resident');
}

const CLOSED = ['cmp-a', 'cmp-b', 'cmp-c', 'cmp-d', 'cmp-e', 'cmp-h'];

describe('the retention job', () => {
  it('anonymises exactly the closed cases past retention, not held, open or recent ones, and the figures stay the same', async () => {
    const faked = fakeDependencies();
    const { deps, clock, repository } = faked;
    await seed(deps, faked);
    // CMP-E is held; CMP-B closed on 25 November 2026, so on 24 November 2032 it is still inside six years.
    clock.set('2032-11-24T12:00:00Z');
    await recordCaseAction(deps, 'cmp-e', manager, { action: 'legal-hold', reason: 'Court claim K00LS123' });
    const before = (await staffReport(deps, 'manager', period)).figures;

    const dryRun = await runRetention(deps, { dryRun: true });
    expect(dryRun.items.map((item) => [item.reference, item.step.action])).toEqual([
      ['CMP-H', 'anonymise'],
      ['CMP-C', 'anonymise'],
      ['CMP-D', 'anonymise'],
      ['CMP-E', 'held'],
      ['CMP-A', 'anonymise'],
    ]);
    expect(JSON.stringify([...repository.events.values()])).not.toContain(REMOVED);

    const run = await runRetention(deps, { dryRun: false });
    expect(run.items.filter((item) => item.failed)).toEqual([]);
    const states = new Map(
      await Promise.all(
        [...CLOSED, 'cmp-f'].map(async (id) => [id, (await loadCase(deps, id)).state] as const),
      ),
    );
    const anonymised = [...states].filter(([, state]) => state.anonymised).map(([id]) => id);
    expect(anonymised).toEqual(['cmp-a', 'cmp-c', 'cmp-d', 'cmp-h']);
    expect(states.get('cmp-f')?.anonymised).toBeUndefined();
    expect(states.get('cmp-e')?.complainant.name).toBe('Ada Resident');

    // A day later CMP-B is due too; the held case still is not.
    clock.set('2032-11-26T12:00:00Z');
    await runRetention(deps, { dryRun: false });
    expect((await loadCase(deps, 'cmp-b')).state.anonymised?.trigger).toBe('retention');
    expect((await loadCase(deps, 'cmp-e')).state.anonymised).toBeUndefined();
    expect((await loadCase(deps, 'cmp-f')).state.complainant.name).toBe('Ada Resident');

    // Personal data gone from the stored events and projections, the file and letter deleted, search blind.
    for (const id of ['cmp-a', 'cmp-b', 'cmp-c', 'cmp-d', 'cmp-h']) {
      const stored = JSON.stringify([repository.events.get(id), repository.projections.get(id)]);
      expect(stored).not.toMatch(
        /Ada Resident|ada@example\.com|fence is broken|Sorted out|Repair booked|surveyor|Said so by email/,
      );
      const { events } = await loadCase(deps, id);
      expect(events.at(-1)).toMatchObject({ type: 'anonymised', by: { kind: 'system' } });
    }
    expect((await loadCase(deps, 'cmp-b')).events.at(-1)).toMatchObject({
      counts: { attachments: 1, letters: 0, rawEmails: 0, lookups: 4 },
    });
    expect(await faked.attachments.get('b/fence.jpg')).toBeUndefined();
    expect(faked.letters.letters.has('cmp-b/ack-1.txt')).toBe(false);
    const [byName] = nameHashes(deps.secrets.contactHashKey, 'Ada Resident');
    const found = (await repository.listByName(byName ?? '')).map((state) => state.caseId).sort();
    expect(found).toEqual(['cmp-e', 'cmp-f', 'cmp-g']);

    // Every figure of the year is what it was.
    expect((await staffReport(deps, 'manager', period)).figures).toEqual(before);
    // And nothing more can be recorded on an anonymised case.
    await expect(
      recordCaseAction(deps, 'cmp-b', manager, { action: 'legal-hold', reason: 'Too late' }),
    ).rejects.toMatchObject({ code: 'ANONYMISED' });
    // Nothing left to do: the next run reads only the held case.
    expect((await runRetention(deps, { dryRun: true })).items.map((item) => item.reference)).toEqual([
      'CMP-E',
    ]);
  });

  it('deletes a kind kept for less time than the case on its own, and anonymises the case later', async () => {
    const retention = { case: 6, attachments: 2, letters: 6, rawEmail: 6 };
    const faked = fakeDependencies({
      context: { ...ctx, profile: { ...baselineProfile(), retention } },
    });
    await seed(faked.deps, faked);
    faked.clock.set('2029-01-01T00:00:00Z');
    const run = await runRetention(faked.deps, { dryRun: false });
    expect(run.items.map((item) => [item.reference, item.step])).toContainEqual([
      'CMP-B',
      { action: 'delete', kinds: ['attachments'] },
    ]);
    const { state, events } = await loadCase(faked.deps, 'cmp-b');
    expect(state.anonymised).toBeUndefined();
    expect(state.recordsDeleted).toEqual(['attachments']);
    expect(events.at(-1)).toMatchObject({ type: 'records-deleted', counts: { attachments: 1 } });
    expect(await faked.attachments.get('b/fence.jpg')).toBeUndefined();
    expect(faked.letters.letters.has('cmp-b/ack-1.txt')).toBe(true);
    expect((await runRetention(faked.deps, { dryRun: true })).items).toEqual([]);
  });
});

describe('anonymising an event log', () => {
  it('keeps every fact the figures use, and is the same done twice', () => {
    for (const [reference, events] of Object.entries(populations)) {
      const scrubbed = events.map(anonymiseEvent);
      expect(scrubbed.map(anonymiseEvent)).toEqual(scrubbed);
      const original = foldCase(reference, events, ctx);
      const folded = foldCase(reference, scrubbed, ctx);
      expect(caseFacts(folded)).toEqual(caseFacts(original));
      expect(JSON.stringify(scrubbed)).not.toMatch(/Ada Resident|ada@example\.com|The fence is broken/);
    }
  });

  it('plans nothing for an open case, and holds a held one', () => {
    const open = foldCase('a', populations['CMP-A'] ?? [], ctx);
    const now = new Date('2040-01-01T00:00:00Z');
    expect(retentionStep(open, ctx.profile.retention, now)).toEqual({ action: 'none' });
    const closed = foldCase('d', populations['CMP-D'] ?? [], ctx);
    const held: CaseState = { ...closed, legalHold: { reason: 'Claim', at: closed.updatedAt, by: 'm' } };
    expect(retentionStep(held, ctx.profile.retention, now)).toEqual({ action: 'held', reason: 'Claim' });
    expect(retentionStep(closed, ctx.profile.retention, now)).toMatchObject({ action: 'anonymise' });
  });
});
