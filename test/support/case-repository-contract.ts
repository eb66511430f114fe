import { describe, expect, it } from 'vitest';
import { applyCaseEvent, type CaseEvent, type CaseState } from '#shared/domain/case.ts';
import { type HeldEmail, messageKey } from '#shared/domain/email.ts';
import { ConflictError, TaskNotOpenError } from '#shared/domain/errors.ts';
import type { CaseRepository, TaskRecord } from '#shared/ports/case-repository.ts';
import { baselineContext, handler, received } from './fixtures.ts';

const context = baselineContext();

/** A case's first projection, received at `at`. */
export function aCase(
  caseId: string,
  at = '2026-03-02T10:00:00.000Z',
  reference = `REF-${caseId}`,
): CaseState {
  return { ...applyCaseEvent(undefined, received(at), context, caseId), reference };
}

const note = (text: string, at = '2026-03-03T10:00:00.000Z'): CaseEvent => ({
  type: 'note-added',
  at,
  by: handler,
  text,
});

export function aTask(taskId: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  return {
    taskId,
    caseId: 'case-1',
    reference: 'CMP-2026-000001',
    step: 'triage',
    role: 'handler',
    token: `token-${taskId}`,
    status: 'open',
    createdAt: '2026-03-02T10:00:00.000Z',
    ...overrides,
  };
}

const noLookups = { contacts: [], names: [] };

/** A message held for staff: a stranger quoting a case's reference. */
function heldEmail(messageId: string, receivedAt: string): HeldEmail {
  return {
    messageId,
    receivedAt,
    rawKey: `raw-${messageId}`,
    from: { address: 'mallory@elsewhere.example', name: 'Mallory' },
    subject: 'Re: CMP-2026-000001',
    text: 'What is happening with this?',
    reasons: ['It quotes reference CMP-2026-000001, but the sender is not a contact of that case'],
    verdicts: { spf: 'pass', dkim: 'pass', dmarc: 'pass', spam: 'pass', virus: 'pass' },
    flags: [],
    attachments: [],
    refusedAttachments: [],
  };
}

/**
 * What every CaseRepository does, whatever stores it: run against the DynamoDB adapter on dynalite and
 * against the in-memory fake the use-case tests use, so the fake cannot drift from the real thing.
 * `fresh` returns an empty repository for each test.
 */
export function caseRepositoryContract(name: string, fresh: () => Promise<CaseRepository>): void {
  describe(`${name}: the CaseRepository contract`, () => {
    describe('references and intake idempotency claims', () => {
      const claim = { caseId: 'case-a', requestHash: 'hash-a', claimedAt: '2026-03-02T10:00:00.000Z' };
      const hold = (record: { caseId: string; claimedAt: string }) => ({
        caseId: record.caseId,
        claimedAt: record.claimedAt,
      });

      it('finds a case by its reference', async () => {
        const repository = await fresh();
        await repository.saveReference('CMP-2026-000007', 'case-7');
        expect(await repository.findCaseIdByReference('CMP-2026-000007')).toBe('case-7');
        expect(await repository.findCaseIdByReference('CMP-2026-000008')).toBeUndefined();
      });

      it('gives a key to its first claimant; a later claimant gets the stored claim back', async () => {
        const repository = await fresh();
        expect(await repository.findIntake('key-1')).toBeUndefined();
        expect(await repository.claimIntakeKey('key-1', claim)).toEqual(claim);
        const second = { caseId: 'case-b', requestHash: 'hash-b', claimedAt: '2026-03-02T10:00:01.000Z' };
        expect(await repository.claimIntakeKey('key-1', second)).toEqual(claim);
        expect(await repository.findIntake('key-1')).toMatchObject(claim);
      });

      it('takes the next number of the year for a held claim, once, bound to its case', async () => {
        const repository = await fresh();
        await repository.claimIntakeKey('key-1', claim);
        expect(await repository.takeIntakeReference('key-1', hold(claim), 2026)).toBe('CMP-2026-000001');
        expect(await repository.takeIntakeReference('key-1', hold(claim), 2026)).toBe('CMP-2026-000001');
        expect(await repository.findIntake('key-1')).toMatchObject({
          ...claim,
          reference: 'CMP-2026-000001',
        });
        expect(await repository.findCaseIdByReference('CMP-2026-000001')).toBe('case-a');

        const other = { ...claim, caseId: 'case-b' };
        await repository.claimIntakeKey('key-2', other);
        expect(await repository.takeIntakeReference('key-2', hold(other), 2026)).toBe('CMP-2026-000002');
        const nextYear = { ...claim, caseId: 'case-c' };
        await repository.claimIntakeKey('key-3', nextYear);
        expect(await repository.takeIntakeReference('key-3', hold(nextYear), 2027)).toBe('CMP-2027-000001');
        await expect(repository.takeIntakeReference('no-claim', hold(claim), 2026)).rejects.toThrow(
          ConflictError,
        );
      });

      it('passes over a number another case holds', async () => {
        const repository = await fresh();
        await repository.saveReference('CMP-2026-000001', 'case-elsewhere');
        await repository.claimIntakeKey('key-1', claim);
        expect(await repository.takeIntakeReference('key-1', hold(claim), 2026)).toBe('CMP-2026-000002');
        expect(await repository.findCaseIdByReference('CMP-2026-000001')).toBe('case-elsewhere');
      });

      it("reuses the number an earlier holder took for the claim's case, so none is lost", async () => {
        const repository = await fresh();
        await repository.claimIntakeKey('key-1', { ...claim, candidate: 'CMP-2026-000005' });
        await repository.saveReference('CMP-2026-000005', 'case-a');
        expect(await repository.takeIntakeReference('key-1', hold(claim), 2026)).toBe('CMP-2026-000005');
        const other = { ...claim, caseId: 'case-b' };
        await repository.claimIntakeKey('key-2', other);
        expect(await repository.takeIntakeReference('key-2', hold(other), 2026)).toBe('CMP-2026-000006');
      });

      it('takes no number for a claim it no longer holds', async () => {
        const repository = await fresh();
        await repository.claimIntakeKey('key-1', claim);
        const stale = { caseId: 'case-a', claimedAt: '2026-03-02T09:00:00.000Z' };
        expect(await repository.takeIntakeReference('key-1', stale, 2026)).toBeUndefined();
        expect((await repository.findIntake('key-1'))?.reference).toBeUndefined();
      });

      it('gives back only its own hold, before a reference, keeping the claim for a retry to take over', async () => {
        const repository = await fresh();
        await repository.claimIntakeKey('key-1', claim);
        await repository.releaseIntakeClaim('key-1', { caseId: 'case-other', claimedAt: claim.claimedAt });
        await repository.releaseIntakeClaim('key-1', {
          caseId: 'case-a',
          claimedAt: '2026-03-02T09:00:00.000Z',
        });
        expect(await repository.findIntake('key-1')).toMatchObject(claim);
        await repository.releaseIntakeClaim('key-1', hold(claim));
        const released = await repository.findIntake('key-1');
        expect(released).toMatchObject({ caseId: 'case-a', requestHash: 'hash-a' });
        expect(released?.claimedAt).toBeUndefined();
        expect(await repository.takeOverIntakeClaim('key-1', undefined, '2026-03-02T10:00:05.000Z')).toBe(
          true,
        );

        await repository.claimIntakeKey('key-2', claim);
        await repository.takeIntakeReference('key-2', hold(claim), 2026);
        await repository.releaseIntakeClaim('key-2', hold(claim));
        expect(await repository.findIntake('key-2')).toMatchObject({ claimedAt: claim.claimedAt });
        await repository.releaseIntakeClaim('never-claimed', hold(claim));
      });

      it('lets a stalled claim be taken over once, only if unchanged and still without a reference', async () => {
        const repository = await fresh();
        await repository.claimIntakeKey('key-1', claim);
        expect(await repository.takeOverIntakeClaim('key-1', '2026-03-02T09:00:00.000Z', 'later')).toBe(
          false,
        );
        const takenAt = '2026-03-02T10:02:00.000Z';
        expect(await repository.takeOverIntakeClaim('key-1', claim.claimedAt, takenAt)).toBe(true);
        // The first taker changed it: a second taker with the old time loses.
        expect(
          await repository.takeOverIntakeClaim('key-1', claim.claimedAt, '2026-03-02T10:02:01.000Z'),
        ).toBe(false);
        expect((await repository.findIntake('key-1'))?.claimedAt).toBe(takenAt);
        // The old holder no longer holds it; the new one does.
        expect(await repository.takeIntakeReference('key-1', hold(claim), 2026)).toBeUndefined();
        expect(
          await repository.takeIntakeReference('key-1', { caseId: 'case-a', claimedAt: takenAt }, 2026),
        ).toBe('CMP-2026-000001');
        expect(await repository.takeOverIntakeClaim('key-1', takenAt, '2026-03-02T10:04:00.000Z')).toBe(
          false,
        );
        expect(await repository.takeOverIntakeClaim('no-claim', undefined, '2026-03-02T10:04:00.000Z')).toBe(
          false,
        );
      });

      it('takes over a claim stored without a claim time only when asked with none', async () => {
        const repository = await fresh();
        const { claimedAt: _, ...untimed } = claim;
        await repository.claimIntakeKey('key-1', untimed);
        expect(
          await repository.takeOverIntakeClaim('key-1', claim.claimedAt, '2026-03-02T10:02:00.000Z'),
        ).toBe(false);
        expect(await repository.takeOverIntakeClaim('key-1', undefined, '2026-03-02T10:02:00.000Z')).toBe(
          true,
        );
        expect(await repository.takeOverIntakeClaim('key-1', undefined, '2026-03-02T10:03:00.000Z')).toBe(
          false,
        );
      });
    });

    describe('the event log', () => {
      it('loads events in sequence order, past nine and whatever order they were written in', async () => {
        const repository = await fresh();
        const order = [1, 2, 10, 3, 11, 4, 5, 6, 7, 8, 9, 12];
        for (const seq of order) await repository.appendEvent('case-1', seq, note(`note ${seq}`));
        const loaded = await repository.loadEvents('case-1');
        expect(loaded.map((event) => (event.type === 'note-added' ? event.text : ''))).toEqual(
          Array.from({ length: 12 }, (_, i) => `note ${i + 1}`),
        );
        expect(await repository.loadEvents('case-2')).toEqual([]);
      });

      it('refuses a taken sequence number with a ConflictError saying to reload, keeping the first event', async () => {
        const repository = await fresh();
        await repository.appendEvent('case-1', 1, note('first'));
        const second = repository.appendEvent('case-1', 1, note('second'));
        await expect(second).rejects.toThrow(ConflictError);
        await expect(second).rejects.toThrow(/event 1 is taken.*reload it and try again/);
        expect(await repository.loadEvents('case-1')).toEqual([note('first')]);
        // The same number on another case is free.
        await repository.appendEvent('case-2', 1, note('other case'));
      });
    });

    describe('retention: closed cases, lookups and rewritten events', () => {
      it('lists closed cases not yet anonymised that closed before an instant, oldest closure first', async () => {
        const repository = await fresh();
        const closed = (caseId: string, closedAt: string, extra: Partial<CaseState> = {}): CaseState => ({
          ...aCase(caseId),
          seq: 2,
          status: 'closed',
          closedAt,
          ...extra,
        });
        await repository.saveProjection(closed('late', '2026-05-01T10:00:00.000Z'), noLookups);
        await repository.saveProjection(closed('early', '2026-04-01T10:00:00.000Z'), noLookups);
        await repository.saveProjection(closed('after', '2026-07-01T10:00:00.000Z'), noLookups);
        await repository.saveProjection({ ...aCase('open'), seq: 2 }, noLookups);
        const gone = closed('gone', '2026-03-01T10:00:00.000Z', {
          anonymised: { at: '2033-01-01T00:00:00.000Z', trigger: 'retention' },
        });
        await repository.saveProjection(gone, noLookups);
        // Listed once closed, off the list once a later save anonymises it.
        await repository.saveProjection(closed('erased', '2026-03-02T10:00:00.000Z'), noLookups);
        await repository.saveProjection(
          closed('erased', '2026-03-02T10:00:00.000Z', {
            seq: 3,
            anonymised: { at: '2026-04-01T00:00:00.000Z', trigger: 'erasure' },
          }),
          noLookups,
        );
        const listed = await repository.listClosedBefore('2026-06-01T00:00:00.000Z');
        expect(listed.map((state) => state.caseId)).toEqual(['early', 'late']);
      });

      it('removes every lookup of a case, and adds lookups whenever asked', async () => {
        const repository = await fresh();
        const state = aCase('case-1');
        await repository.saveProjection(state, {
          contacts: ['c1'],
          names: ['n1', 'n2'],
          correspondents: ['c2'],
        });
        await repository.saveProjection(aCase('case-2'), { contacts: ['c1'], names: [] });
        expect(await repository.removeLookups('case-1')).toBe(4);
        expect((await repository.listByContact('c1')).map((found) => found.caseId)).toEqual(['case-2']);
        expect(await repository.listByName('n1')).toEqual([]);
        expect(await repository.listByContact('c2')).toEqual([]);
        await repository.addLookups({ ...state, seq: 5 }, { contacts: [], names: ['n3'] });
        expect((await repository.listByName('n3')).map((found) => found.caseId)).toEqual(['case-1']);
      });

      it('rewrites stored events in place, in order', async () => {
        const repository = await fresh();
        await repository.appendEvent('case-1', 1, note('one'));
        await repository.appendEvent('case-1', 2, note('two'));
        await repository.rewriteEvents('case-1', [note('[removed]'), note('[removed] too')]);
        expect(await repository.loadEvents('case-1')).toEqual([note('[removed]'), note('[removed] too')]);
      });
    });

    describe('projections', () => {
      it('keeps the newest projection: an older or equal sequence never overwrites it', async () => {
        const repository = await fresh();
        const first = aCase('case-1');
        await repository.saveProjection({ ...first, seq: 3, status: 'stage1-investigation' }, noLookups);
        await repository.saveProjection({ ...first, seq: 2, status: 'awaiting-triage' }, noLookups);
        await repository.saveProjection({ ...first, seq: 3, status: 'awaiting-triage' }, noLookups);
        expect(await repository.getProjection('case-1')).toMatchObject({
          seq: 3,
          status: 'stage1-investigation',
        });
        await repository.saveProjection({ ...first, seq: 4, status: 'closed' }, noLookups);
        expect(await repository.getProjection('case-1')).toMatchObject({ seq: 4, status: 'closed' });
        expect(await repository.listByStatus('stage1-investigation')).toEqual([]);
        expect((await repository.listByStatus('closed')).map((state) => state.caseId)).toEqual(['case-1']);
        expect(await repository.getProjection('case-2')).toBeUndefined();
      });

      it('remembers the task each case waits on, the last one marked, apart from its projection', async () => {
        const repository = await fresh();
        const first = aCase('case-1');
        await repository.saveProjection(first, noLookups);
        expect(await repository.openTaskOf('case-1')).toBeUndefined();

        await repository.markOpenTask('case-1', 'task-1');
        await repository.markOpenTask('case-2', 'task-9');
        expect(await repository.openTaskOf('case-1')).toBe('task-1');
        await repository.markOpenTask('case-1', 'task-2');
        // A later save of the case keeps the mark, and the mark is not part of the state.
        await repository.saveProjection({ ...first, seq: 2 }, noLookups);
        expect(await repository.openTaskOf('case-1')).toBe('task-2');
        expect(await repository.openTaskOf('case-2')).toBe('task-9');
        expect(await repository.getProjection('case-1')).toEqual({ ...first, seq: 2 });
        expect(await repository.loadEvents('case-1')).toEqual([]);
      });

      it('reads many projections at once, each once, leaving unknown ids out', async () => {
        const repository = await fresh();
        for (const id of ['case-1', 'case-2', 'case-3'])
          await repository.saveProjection(aCase(id), noLookups);
        const states = await repository.getProjections(['case-3', 'case-1', 'case-3', 'case-9']);
        expect(states.map((state) => state.caseId).sort()).toEqual(['case-1', 'case-3']);
        expect(await repository.getProjections([])).toEqual([]);
      });

      it('lists cases by status, oldest received first', async () => {
        const repository = await fresh();
        await repository.saveProjection(aCase('case-b', '2026-03-03T10:00:00.000Z'), noLookups);
        await repository.saveProjection(aCase('case-a', '2026-03-04T10:00:00.000Z'), noLookups);
        await repository.saveProjection(aCase('case-c', '2026-03-02T10:00:00.000Z'), noLookups);
        const listed = await repository.listByStatus(aCase('x').status);
        expect(listed.map((state) => state.caseId)).toEqual(['case-c', 'case-b', 'case-a']);
        expect((await repository.listByStatus(aCase('x').status, 2)).map((state) => state.caseId)).toEqual([
          'case-c',
          'case-b',
        ]);
      });

      it("finds cases by contact or name hash, oldest first; a name's limit keeps the newest", async () => {
        const repository = await fresh();
        const lookups = { contacts: ['contact-ada'], names: ['name-ada'] };
        await repository.saveProjection(aCase('case-old', '2026-03-02T10:00:00.000Z'), lookups);
        await repository.saveProjection(aCase('case-new', '2026-03-05T10:00:00.000Z'), lookups);
        await repository.saveProjection(aCase('case-mid', '2026-03-03T10:00:00.000Z'), lookups);
        // Lookups are written with the first projection only: later ones do not add keys.
        await repository.saveProjection(
          { ...aCase('case-old'), seq: 2 },
          { contacts: ['contact-late'], names: [] },
        );
        const ids = (states: CaseState[]) => states.map((state) => state.caseId);
        expect(ids(await repository.listByContact('contact-ada'))).toEqual([
          'case-old',
          'case-mid',
          'case-new',
        ]);
        expect(ids(await repository.listByName('name-ada'))).toEqual(['case-old', 'case-mid', 'case-new']);
        // A common name finds many cases: the recent ones are the likely ones.
        expect(ids(await repository.listByName('name-ada', 2))).toEqual(['case-mid', 'case-new']);
        expect(await repository.listByContact('contact-late')).toEqual([]);
        expect(await repository.listByName('name-nobody')).toEqual([]);
      });

      it('adds a correspondent written with a later save, and writes it again with the next (a stopped save is finished)', async () => {
        const repository = await fresh();
        await repository.saveProjection(aCase('case-ada'), { contacts: ['contact-ada'], names: [] });
        const withNeighbour = { contacts: ['contact-ada'], names: [], correspondents: ['contact-nia'] };
        await repository.saveProjection({ ...aCase('case-ada'), seq: 2 }, withNeighbour);
        // A stale save (seq 2 again) still writes the correspondent it carries.
        await repository.saveProjection(
          { ...aCase('case-ada'), seq: 2 },
          {
            ...withNeighbour,
            correspondents: ['contact-nia', 'contact-forwarder'],
          },
        );
        const ids = async (hash: string) =>
          (await repository.listByContact(hash)).map((state) => state.caseId);
        expect(await ids('contact-nia')).toEqual(['case-ada']);
        expect(await ids('contact-forwarder')).toEqual(['case-ada']);
        expect(await ids('contact-ada')).toEqual(['case-ada']);
      });

      it('lists the cases received in a London calendar month', async () => {
        const repository = await fresh();
        // 23:30 UTC on 31 March is 00:30 on 1 April in London (BST).
        await repository.saveProjection(aCase('case-april', '2026-03-31T23:30:00.000Z'), noLookups);
        await repository.saveProjection(aCase('case-march', '2026-03-31T22:30:00.000Z'), noLookups);
        const ids = async (month: string) =>
          (await repository.listReceivedInMonth(month)).map((state) => state.caseId);
        expect(await ids('2026-03')).toEqual(['case-march']);
        expect(await ids('2026-04')).toEqual(['case-april']);
        expect(await ids('2026-05')).toEqual([]);
      });
    });

    describe('reporting facts', () => {
      it("lists each case's newest facts once, for the London months they date anything in", async () => {
        const repository = await fresh();
        // 23:30 UTC on 31 March is 00:30 on 1 April in London (BST): received in April, triaged in May.
        const received = aCase('case-a', '2026-03-31T23:30:00.000Z', 'CMP-A');
        const triaged = applyCaseEvent(
          received,
          { type: 'triaged', at: '2026-05-05T10:00:00.000Z', by: handler, outcome: 'complaint' },
          context,
        );
        await repository.saveProjection(received, noLookups);
        await repository.saveProjection(triaged, noLookups);
        // A stale save (an older sequence number) changes nothing.
        await repository.saveProjection(received, noLookups);
        await repository.saveProjection(aCase('case-b', '2026-03-31T22:30:00.000Z', 'CMP-B'), noLookups);
        const facts = async (months: string[]) =>
          (await repository.listReportFacts(months))
            .map((entry) => `${entry.reference}@${entry.seq}:${entry.triage?.outcome ?? 'untriaged'}`)
            .sort();
        expect(await facts(['2026-03'])).toEqual(['CMP-B@1:untriaged']);
        expect(await facts(['2026-04'])).toEqual(['CMP-A@2:complaint']);
        expect(await facts(['2026-05'])).toEqual(['CMP-A@2:complaint']);
        expect(await facts(['2026-03', '2026-04', '2026-05'])).toEqual([
          'CMP-A@2:complaint',
          'CMP-B@1:untriaged',
        ]);
        expect(await facts(['2026-06'])).toEqual([]);
      });

      it("caches a month's tally only while nothing dated in the month has changed since it was read", async () => {
        const repository = await fresh();
        const tally = { key: 'k1', json: '{"n":0}' };
        expect(await repository.reportMonths(['2026-04'])).toEqual(new Map());
        expect(await repository.saveReportTally('2026-04', 0, tally)).toBe(true);
        expect(await repository.reportMonths(['2026-04', '2026-05'])).toEqual(
          new Map([['2026-04', { changes: 0, tally: { changes: 0, ...tally } }]]),
        );
        // A case received in April (London) and triaged in May changes both months, once per save.
        const received = aCase('case-a', '2026-03-31T23:30:00.000Z', 'CMP-A');
        await repository.saveProjection(received, noLookups);
        await repository.saveProjection(
          applyCaseEvent(
            received,
            { type: 'triaged', at: '2026-05-05T10:00:00.000Z', by: handler, outcome: 'complaint' },
            context,
          ),
          noLookups,
        );
        const months = await repository.reportMonths(['2026-04', '2026-05', '2026-06']);
        expect(months.get('2026-04')).toEqual({ changes: 2, tally: { changes: 0, ...tally } });
        expect(months.get('2026-05')?.changes).toBe(1);
        expect(months.has('2026-06')).toBe(false);
        // A tally built from what was read before the changes is not cached; one read after them is.
        expect(await repository.saveReportTally('2026-04', 0, { key: 'k1', json: '{"n":1}' })).toBe(false);
        expect(await repository.saveReportTally('2026-04', 2, { key: 'k1', json: '{"n":2}' })).toBe(true);
        expect((await repository.reportMonths(['2026-04'])).get('2026-04')).toEqual({
          changes: 2,
          tally: { changes: 2, key: 'k1', json: '{"n":2}' },
        });
      });
    });

    describe('callback tasks', () => {
      it('stores a task once: a second put with its id leaves the first as it was', async () => {
        const repository = await fresh();
        await repository.putTask(aTask('task-1'));
        await expect(repository.putTask(aTask('task-1', { token: 'another-token' }))).rejects.toThrow();
        expect(await repository.getTask('task-1')).toEqual(aTask('task-1'));
        expect(await repository.getTask('task-2')).toBeUndefined();
      });

      it('closes an open task once; closing it again or an unknown one is TaskNotOpenError saying why', async () => {
        const repository = await fresh();
        await repository.putTask(aTask('task-1'));
        const closed = await repository.closeTask('task-1', 'done', '2026-03-03T09:00:00.000Z', 'hannah');
        expect(closed).toEqual({
          ...aTask('task-1'),
          status: 'done',
          closedAt: '2026-03-03T09:00:00.000Z',
          closedBy: 'hannah',
        });
        const again = repository.closeTask('task-1', 'superseded', '2026-03-03T09:01:00.000Z', 'system');
        await expect(again).rejects.toThrow(TaskNotOpenError);
        await expect(again).rejects.toThrow(
          'Task task-1 is no longer open: it was done at 2026-03-03T09:00:00.000Z',
        );
        await expect(repository.closeTask('task-9', 'done', 'now', 'hannah')).rejects.toThrow(
          'There is no task task-9',
        );
        expect((await repository.getTask('task-1'))?.status).toBe('done');
      });

      it('puts back only a task closed as done, open again and back in its queue', async () => {
        const repository = await fresh();
        await repository.putTask(aTask('task-done'));
        await repository.putTask(aTask('task-superseded'));
        const done = await repository.closeTask('task-done', 'done', '2026-03-03T09:00:00.000Z', 'hannah');
        const superseded = await repository.closeTask('task-superseded', 'superseded', 'then', 'system');
        expect(await repository.queue('handler')).toEqual([]);
        await repository.reopenTask(done);
        await repository.reopenTask(superseded);
        expect(await repository.getTask('task-done')).toEqual(aTask('task-done'));
        expect((await repository.getTask('task-superseded'))?.status).toBe('superseded');
        expect((await repository.queue('handler')).map((task) => task.taskId)).toEqual(['task-done']);
      });

      it("queues a role's open tasks, earliest due first and undated last", async () => {
        const repository = await fresh();
        await repository.putTask(aTask('task-late', { dueAt: '2026-03-09T23:59:59.999Z' }));
        await repository.putTask(aTask('task-undated'));
        await repository.putTask(aTask('task-soon', { dueAt: '2026-03-04T23:59:59.999Z' }));
        await repository.putTask(
          aTask('task-reviewer', { role: 'reviewer', dueAt: '2026-03-03T00:00:00.000Z' }),
        );
        await repository.putTask(aTask('task-closed', { dueAt: '2026-03-02T12:00:00.000Z' }));
        await repository.closeTask('task-closed', 'timed-out', '2026-03-03T00:00:00.000Z', 'system');
        const ids = async (role: TaskRecord['role'], limit?: number) =>
          (await repository.queue(role, limit)).map((task) => task.taskId);
        expect(await ids('handler')).toEqual(['task-soon', 'task-late', 'task-undated']);
        expect(await ids('handler', 1)).toEqual(['task-soon']);
        expect(await ids('reviewer')).toEqual(['task-reviewer']);
        expect(await ids('manager')).toEqual([]);
      });

      it("keeps an open task's assignee from the newest state of its case, and queues it with the task", async () => {
        const repository = await fresh();
        const hannah = { assignee: 'sub-hannah', assigneeEmail: 'hannah@landlord.example' };
        await repository.putTask(aTask('task-1', { assignedSeq: 3, ...hannah }));
        await repository.putTask(aTask('task-closed'));
        await repository.closeTask('task-closed', 'done', '2026-03-03T09:00:00.000Z', 'hannah');
        await repository.putTask(aTask('task-old'));

        await repository.assignTask('task-1', { assignedSeq: 5, assignee: 'sub-harry' });
        // From an older (or the same) state than the one it holds: a writer that finished late changes nothing.
        await repository.assignTask('task-1', { assignedSeq: 4, ...hannah });
        await repository.assignTask('task-1', { assignedSeq: 5, ...hannah });
        // A closed task keeps what it had; a task stored without an assignment takes one.
        await repository.assignTask('task-closed', { assignedSeq: 5, ...hannah });
        await repository.assignTask('task-old', { assignedSeq: 2 });

        const expected = { ...aTask('task-1'), assignedSeq: 5, assignee: 'sub-harry' };
        expect(await repository.getTask('task-1')).toEqual(expected);
        expect(await repository.getTask('task-closed')).not.toHaveProperty('assignee');
        expect(await repository.getTask('task-old')).toEqual({ ...aTask('task-old'), assignedSeq: 2 });
        // The queue reads the task from its index: the assignment must be in it.
        expect(await repository.queue('handler')).toEqual([
          expected,
          { ...aTask('task-old'), assignedSeq: 2 },
        ]);
        await repository.assignTask('task-1', { assignedSeq: 6 });
        expect(await repository.getTask('task-1')).toEqual({ ...aTask('task-1'), assignedSeq: 6 });
      });

      it("lists a case's tasks, open and closed, as they are now", async () => {
        const repository = await fresh();
        await repository.putTask(aTask('task-1', { createdAt: '2026-03-02T10:00:00.000Z' }));
        await repository.putTask(aTask('task-2', { createdAt: '2026-03-03T10:00:00.000Z' }));
        await repository.putTask(aTask('task-other', { caseId: 'case-2' }));
        await repository.closeTask('task-1', 'done', '2026-03-03T09:00:00.000Z', 'hannah');
        const tasks = await repository.tasksForCase('case-1');
        expect(tasks.map((task) => [task.taskId, task.status])).toEqual([
          ['task-1', 'done'],
          ['task-2', 'open'],
        ]);
        expect(tasks[0]).toEqual({
          ...aTask('task-1'),
          status: 'done',
          closedAt: '2026-03-03T09:00:00.000Z',
          closedBy: 'hannah',
        });
      });

      it('lists a done task whose callback is owed until it is settled; an open task owes none', async () => {
        const repository = await fresh();
        await repository.putTask(aTask('task-1'));
        await repository.putTask(aTask('task-2', { caseId: 'case-2' }));
        await repository.putTask(aTask('task-open'));
        await repository.closeTask('task-1', 'done', '2026-03-03T09:00:00.000Z', 'hannah');
        await repository.closeTask('task-2', 'done', '2026-03-03T09:00:00.000Z', 'hannah');
        await repository.markCallbackOwed('task-1', '2026-03-03T09:00:01.000Z');
        await repository.markCallbackOwed('task-2', '2026-03-03T09:00:02.000Z');
        await repository.markCallbackOwed('task-open', '2026-03-03T09:00:03.000Z');
        await repository.markCallbackOwed('task-unknown', '2026-03-03T09:00:03.000Z');
        const ids = (tasks: TaskRecord[]) => tasks.map((task) => task.taskId).sort();
        expect(ids(await repository.owedCallbacks())).toEqual(['task-1', 'task-2']);
        expect(await repository.owedCallbacks('case-1')).toEqual([
          expect.objectContaining({ taskId: 'task-1', callbackOwedSince: '2026-03-03T09:00:01.000Z' }),
        ]);
        await repository.settleCallback('task-1');
        await repository.settleCallback('task-open');
        expect(ids(await repository.owedCallbacks())).toEqual(['task-2']);
        expect(await repository.getTask('task-1')).not.toHaveProperty('callbackOwedSince');
        // A done task owing its callback is not back in the staff queue.
        expect((await repository.queue('handler')).map((task) => task.taskId)).toEqual(['task-open']);
      });

      it('marks a task announced; an unknown task is refused', async () => {
        const repository = await fresh();
        await repository.putTask(aTask('task-1'));
        await repository.markTaskAnnounced('task-1', '2026-03-03T08:00:00.000Z');
        expect((await repository.getTask('task-1'))?.announcedAt).toBe('2026-03-03T08:00:00.000Z');
        expect((await repository.queue('handler'))[0]?.announcedAt).toBe('2026-03-03T08:00:00.000Z');
        await expect(repository.markTaskAnnounced('task-9', '2026-03-03T08:00:00.000Z')).rejects.toThrow();
        expect(await repository.getTask('task-9')).toBeUndefined();
      });
    });

    describe('sent staff messages', () => {
      it('finds a message recorded under its key, with the tasks a digest listed', async () => {
        const repository = await fresh();
        expect(await repository.findSentMessage('digest#handler#2026-03-03')).toBeUndefined();
        const digest = {
          key: 'digest#handler#2026-03-03',
          messageId: 'ses-1',
          at: '2026-03-03T08:00:00.000Z',
          taskIds: ['task-1', 'task-2'],
        };
        await repository.recordSentMessage(digest);
        await repository.recordSentMessage({
          key: 'alert-1',
          messageId: 'ses-2',
          at: '2026-03-03T08:01:00.000Z',
        });
        expect(await repository.findSentMessage('digest#handler#2026-03-03')).toEqual(digest);
        expect(await repository.findSentMessage('alert-1')).toEqual({
          key: 'alert-1',
          messageId: 'ses-2',
          at: '2026-03-03T08:01:00.000Z',
        });
      });
    });

    describe('claims on resident letters', () => {
      const claim = (at: string, until: string, by: 'step' | 'run') => ({ at, until, by }) as const;

      it('one run wins a claim; another waits until it expires, then takes it over', async () => {
        const repository = await fresh();
        const run = claim('2026-03-05T08:00:00.000Z', '2026-03-05T08:15:00.000Z', 'run');
        expect(await repository.claimLetter('case-1', 'due-date-moved#9', run)).toBe('claimed');
        expect(await repository.claimLetter('case-1', 'due-date-moved#9', run)).toBe('held');
        const step = claim('2026-03-05T08:14:59.000Z', '2026-03-05T08:15:59.000Z', 'step');
        expect(await repository.claimLetter('case-1', 'due-date-moved#9', step)).toBe('held');
        // Another letter, or the same letter of another case, is another claim.
        expect(await repository.claimLetter('case-1', 'acknowledgement#4', run)).toBe('claimed');
        expect(await repository.claimLetter('case-2', 'due-date-moved#9', run)).toBe('claimed');
        const later = claim('2026-03-05T08:15:00.000Z', '2026-03-05T08:30:00.000Z', 'run');
        expect(await repository.claimLetter('case-1', 'due-date-moved#9', later)).toBe('taken-over');
        expect(await repository.claimLetter('case-1', 'due-date-moved#9', step)).toBe('held');
      });

      it("a workflow step takes over a step's claim at once (its own attempt, stopped), not a run's", async () => {
        const repository = await fresh();
        const step = claim('2026-03-05T08:00:00.000Z', '2026-03-05T08:01:00.000Z', 'step');
        expect(await repository.claimLetter('case-1', 'acknowledgement#4', step)).toBe('claimed');
        expect(await repository.claimLetter('case-1', 'acknowledgement#4', step)).toBe('taken-over');
        const run = claim('2026-03-05T08:00:10.000Z', '2026-03-05T08:15:10.000Z', 'run');
        expect(await repository.claimLetter('case-1', 'acknowledgement#4', run)).toBe('held');
        expect(await repository.claimLetter('case-1', 'due-date-moved#9', run)).toBe('claimed');
        expect(await repository.claimLetter('case-1', 'due-date-moved#9', step)).toBe('held');
      });

      it('a claim given back (its send failed) is free at once; only the claim that holds it is given back', async () => {
        const repository = await fresh();
        const first = claim('2026-03-05T08:00:00.000Z', '2026-03-05T08:15:00.000Z', 'run');
        const second = claim('2026-03-05T08:00:01.000Z', '2026-03-05T08:15:01.000Z', 'run');
        expect(await repository.claimLetter('case-1', 'due-date-moved#9', first)).toBe('claimed');
        await repository.releaseLetter('case-1', 'due-date-moved#9', second);
        expect(await repository.claimLetter('case-1', 'due-date-moved#9', second)).toBe('held');
        await repository.releaseLetter('case-1', 'due-date-moved#9', first);
        expect(await repository.claimLetter('case-1', 'due-date-moved#9', second)).toBe('claimed');
      });
    });

    describe('the applied provider profile', () => {
      it('stores the first only where none is, then only over the fingerprint it was read with', async () => {
        const repository = await fresh();
        expect(await repository.getAppliedProfile()).toBeUndefined();
        const first = {
          fingerprint: 'fp-1',
          profile: context.profile,
          appliedAt: '2026-03-02T10:00:00.000Z',
        };
        await repository.saveAppliedProfile(first, undefined);
        expect(await repository.getAppliedProfile()).toEqual(first);
        const changed = {
          fingerprint: 'fp-2',
          profile: { ...context.profile, reminderLeadWorkingDays: 1 },
          appliedAt: '2026-03-03T10:00:00.000Z',
        };
        await expect(repository.saveAppliedProfile(changed, undefined)).rejects.toThrow(ConflictError);
        await expect(repository.saveAppliedProfile(changed, { fingerprint: 'fp-0' })).rejects.toThrow(
          ConflictError,
        );
        expect(await repository.getAppliedProfile()).toEqual(first);
        await repository.saveAppliedProfile(changed, first);
        expect(await repository.getAppliedProfile()).toEqual(changed);
      });

      it("refuses a save read before a deploy's mark: a daily run must not store over a deploy under way", async () => {
        const repository = await fresh();
        const stored = {
          fingerprint: 'fp-1',
          profile: context.profile,
          appliedAt: '2026-03-02T10:00:00.000Z',
        };
        await repository.saveAppliedProfile(stored, undefined);
        const readByTheDailyRun = await repository.getAppliedProfile();
        const marked = {
          ...stored,
          // The deploy's profile, as the record pass keeps it for a rollback.
          deployPending: { fingerprint: 'fp-2', since: '2026-03-04T07:50:00.000Z', profile: context.profile },
        };
        await repository.saveAppliedProfile(marked, stored);
        expect(await repository.getAppliedProfile()).toEqual(marked);
        const changed = {
          fingerprint: 'fp-2',
          profile: context.profile,
          appliedAt: '2026-03-04T08:00:00.000Z',
        };
        await expect(repository.saveAppliedProfile(changed, readByTheDailyRun)).rejects.toThrow(
          ConflictError,
        );
        expect(await repository.getAppliedProfile()).toEqual(marked);
        // The apply pass read the mark: its store replaces the item, mark and all, and keeps the profile it
        // replaced (a rollback after it compares back to that one).
        const applied = { ...changed, previous: { fingerprint: 'fp-1', profile: context.profile } };
        await repository.saveAppliedProfile(applied, marked);
        expect(await repository.getAppliedProfile()).toEqual(applied);
      });
    });

    describe('inbound email', () => {
      it('claims a Message-ID once: a second claim gets the first record, with its outcome once recorded', async () => {
        const repository = await fresh();
        const first = {
          messageId: 'm1@resident.example',
          rawKey: 'raw-1',
          receivedAt: '2026-03-02T10:00:00.000Z',
        };
        expect(await repository.claimInboundEmail(first)).toEqual(first);
        expect(await repository.claimInboundEmail({ ...first, rawKey: 'raw-2' })).toEqual(first);
        await repository.recordInboundOutcome(
          first.messageId,
          'threaded',
          'Threaded by reply-address',
          'case-1',
        );
        expect(await repository.claimInboundEmail({ ...first, rawKey: 'raw-3' })).toEqual({
          ...first,
          outcome: 'threaded',
          detail: 'Threaded by reply-address',
          caseId: 'case-1',
        });
      });

      it('lists held messages newest first until handled; one claim on each wins, only the same claim repeats, and a lapsed claim is taken over for the same work only', async () => {
        const repository = await fresh();
        const hold = async (messageId: string, receivedAt: string) => {
          await repository.claimInboundEmail({ messageId, rawKey: `raw-${messageId}`, receivedAt });
          await repository.holdInboundEmail(
            heldEmail(messageId, receivedAt),
            'Held: it quotes CMP-2026-000001',
          );
        };
        await hold('old@stranger.example', '2026-03-02T10:00:00.000Z');
        await hold('new@stranger.example', '2026-03-03T10:00:00.000Z');
        const listed = await repository.listHeldEmails();
        expect(listed.map((record) => record.messageId)).toEqual([
          'new@stranger.example',
          'old@stranger.example',
        ]);
        expect(listed[0]).toMatchObject({
          outcome: 'held',
          held: heldEmail('new@stranger.example', '2026-03-03T10:00:00.000Z'),
        });

        const key = messageKey('old@stranger.example');
        expect((await repository.getInboundEmail(key))?.held?.subject).toBe('Re: CMP-2026-000001');
        const hannah = {
          by: 'hannah',
          action: 'attach',
          caseId: 'case-1',
          at: '2026-03-04T10:00:00.000Z',
        } as const;
        // No claim has lapsed yet: every claim below is after this.
        const unlapsed = '2026-03-04T09:00:00.000Z';
        const claims = await Promise.all([
          repository.claimHeldEmail(key, hannah, unlapsed),
          repository.claimHeldEmail(
            key,
            { by: 'harry', action: 'open', at: '2026-03-04T10:00:00.000Z' },
            unlapsed,
          ),
        ]);
        expect(claims.filter(Boolean)).toHaveLength(1);
        const winner = (await repository.getInboundEmail(key))?.handling;
        // The winner may repeat its own claim (a retry); nobody else can take it, even for the same action.
        expect(
          await repository.claimHeldEmail(
            key,
            { ...(winner ?? hannah), at: '2026-03-04T10:01:00.000Z' },
            unlapsed,
          ),
        ).toBe(true);
        expect(await repository.claimHeldEmail(key, { ...(winner ?? hannah), by: 'rita' }, unlapsed)).toBe(
          false,
        );
        // Once the claim has lapsed (made before staleBefore), another may take it over for the same work
        // only: the same action on the same case, never other work.
        const lapsed = '2026-03-04T10:05:00.000Z';
        const taker = { ...(winner ?? hannah), by: 'mo', at: '2026-03-04T10:06:00.000Z' };
        const otherWork =
          taker.action === 'open'
            ? { ...taker, action: 'attach' as const, caseId: 'case-1' }
            : { ...taker, caseId: 'case-2' };
        expect(await repository.claimHeldEmail(key, otherWork, lapsed)).toBe(false);
        expect(await repository.claimHeldEmail(key, taker, lapsed)).toBe(true);
        expect((await repository.getInboundEmail(key))?.handling).toEqual(taker);
        // Mo's claim is fresh: the one before him cannot take it back within its lease.
        expect(
          await repository.claimHeldEmail(
            key,
            { ...(winner ?? hannah), at: '2026-03-04T10:07:00.000Z' },
            lapsed,
          ),
        ).toBe(false);

        await repository.recordInboundOutcome(
          'old@stranger.example',
          'threaded',
          'Attached by hannah',
          'case-1',
        );
        expect((await repository.listHeldEmails()).map((record) => record.messageId)).toEqual([
          'new@stranger.example',
        ]);
        expect(
          await repository.claimHeldEmail(
            key,
            { ...(winner ?? hannah), at: '2026-03-04T10:08:00.000Z' },
            unlapsed,
          ),
        ).toBe(false);
        expect(await repository.getInboundEmail(messageKey('nobody@example'))).toBeUndefined();
        await repository.recordInboundAccess(key, { by: 'hannah', at: '2026-03-04T10:03:00.000Z' });
        await repository.recordInboundAccess(key, { by: 'harry', at: '2026-03-04T10:04:00.000Z' });
        expect((await repository.getInboundEmail(key))?.accesses?.map((access) => access.by)).toEqual([
          'hannah',
          'harry',
        ]);
      });

      it("finds a case by a letter's message id, and nothing by an id never sent or forgotten", async () => {
        const repository = await fresh();
        await repository.rememberLetterMessageId('0100018e-abc', 'case-1');
        expect(await repository.findCaseIdByLetterMessageId('0100018e-abc')).toBe('case-1');
        expect(await repository.findCaseIdByLetterMessageId('0100018e-other')).toBeUndefined();
        await repository.forgetLetterMessageId('0100018e-abc');
        await repository.forgetLetterMessageId('0100018e-abc');
        expect(await repository.findCaseIdByLetterMessageId('0100018e-abc')).toBeUndefined();
      });

      it('scrubs a held message: its words go, off the held list, and a second delivery is still a duplicate', async () => {
        const repository = await fresh();
        const messageId = 'old@stranger.example';
        const first = { messageId, rawKey: 'raw-1', receivedAt: '2026-03-02T10:00:00.000Z' };
        await repository.claimInboundEmail(first);
        await repository.holdInboundEmail(heldEmail(messageId, first.receivedAt), 'Held: from stranger');
        const key = messageKey(messageId);
        await repository.scrubInboundEmail(key);
        await repository.scrubInboundEmail(key);
        await repository.scrubInboundEmail(messageKey('never@received.example'));
        const scrubbed = await repository.getInboundEmail(key);
        expect(scrubbed).toEqual({
          messageId: '[removed]',
          rawKey: '[removed]',
          receivedAt: first.receivedAt,
          outcome: 'held',
          detail: '[removed]',
        });
        expect(await repository.listHeldEmails()).toEqual([]);
        expect(await repository.claimInboundEmail({ ...first, rawKey: 'raw-2' })).toEqual(scrubbed);
        expect(await repository.getInboundEmail(messageKey('never@received.example'))).toBeUndefined();
      });
    });
  });
}
