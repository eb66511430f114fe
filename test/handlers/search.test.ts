import { describe, expect, it, vi } from 'vitest';
import { searchHandler } from '#functions/api/staff-queries.ts';
import { dependencies } from '#functions/lib/config.ts';
import { nameWords } from '#shared/domain/secrets.ts';
import { type IntakeInput, submitComplaint } from '#shared/usecases/intake.ts';
import { apiEvent, lambdaContext, parse, staffClaims, useLocalAws } from './setup.ts';

const aws = useLocalAws();
let keys = 0;

async function complain(complainant: IntakeInput['complainant'], at: string) {
  vi.setSystemTime(new Date(at));
  return submitComplaint(
    await dependencies(),
    { complainant, complaint: { whatHappened: 'The boiler is broken', outcomeWanted: 'Fix it' } },
    `search-key-${String(++keys).padStart(4, '0')}`,
    { kind: 'resident', id: 'web-form' },
  );
}

async function search(q: string | undefined, role: string | null = 'handler') {
  return parse(
    await searchHandler(
      apiEvent({
        routeKey: 'GET /staff/cases',
        queryStringParameters: q === undefined ? undefined : { q },
        ...(role ? { claims: staffClaims(role) } : {}),
      }),
      lambdaContext,
    ),
  );
}

const references = (body: Record<string, unknown>) =>
  (body.cases as Array<{ reference: string }>).map((found) => found.reference);

/** Three residents: two called Ada, one with an accent and an apostrophe and a phone number. */
async function threeCases() {
  const sian = await complain(
    {
      name: 'Siân O’Neill',
      email: 'Sian.ONeill@Resident.example',
      phone: '01632 960 001',
      preferredContact: 'phone',
    },
    '2026-03-02T10:00:00Z',
  );
  const adaResident = await complain(
    { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
    '2026-03-03T10:00:00Z',
  );
  const adaJaneSmith = await complain(
    { name: 'Ada Jane Smith', email: 'ada.smith@resident.example', preferredContact: 'email' },
    '2026-03-04T10:00:00Z',
  );
  return { sian, adaResident, adaJaneSmith };
}

describe('GET /staff/cases?q= (find a case)', () => {
  it('finds a case by reference, email, phone, whole name or one word of it, newest first', async () => {
    const { sian, adaResident, adaJaneSmith } = await threeCases();

    const byReference = await search(sian.reference);
    expect(byReference.statusCode).toBe(200);
    expect(byReference.body).toEqual({
      matchedOn: 'reference',
      cases: [
        {
          caseId: sian.caseId,
          reference: sian.reference,
          name: 'Siân O’Neill',
          status: 'awaiting-triage',
          stage: 0,
          receivedAt: '2026-03-02T10:00:00.000Z',
        },
      ],
    });
    // Typed without dashes or the leading zeros, in lower case.
    expect(references((await search('cmp-2026-2')).body)).toEqual([adaResident.reference]);
    expect(references((await search('CMP2026000003')).body)).toEqual([adaJaneSmith.reference]);

    const byEmail = await search('  sian.oneill@resident.EXAMPLE ');
    expect(byEmail.body.matchedOn).toBe('email');
    expect(references(byEmail.body)).toEqual([sian.reference]);
    const byPhone = await search('+44 1632 960001');
    expect(byPhone.body.matchedOn).toBe('phone');
    expect(references(byPhone.body)).toEqual([sian.reference]);

    for (const name of ['Sian ONeill', "siân o'neill", 'SIAN', 'oneill']) {
      const byName = await search(name);
      expect(byName.body.matchedOn, name).toBe('name');
      expect(references(byName.body), name).toEqual([sian.reference]);
    }
    expect(references((await search('ada')).body)).toEqual([adaJaneSmith.reference, adaResident.reference]);
    // Words in another order, or a middle name left out: the cases with every word.
    expect(references((await search('Smith, Ada')).body)).toEqual([adaJaneSmith.reference]);
    expect(references((await search('Resident Ada')).body)).toEqual([adaResident.reference]);
    // Whole words only: a fragment is not a lookup key.
    expect(references((await search('Smi')).body)).toEqual([]);
    expect(references((await search('CMP-2026-000099')).body)).toEqual([]);
    expect(references((await search('nobody@resident.example')).body)).toEqual([]);
  });

  it('answers from lookup items (no Scan) whose keys hold no name, email or phone in plain text', async () => {
    await threeCases();
    const dynamo = aws().dynamo;
    dynamo.resetCalls();
    await search('Ada');
    await search('ada@resident.example');
    expect(dynamo.callsTo('Scan')).toHaveLength(0);
    const indexes = dynamo.callsTo('Query').map((call) => call.input.IndexName);
    expect(indexes.every((index) => index === 'gsi2')).toBe(true);
    const keyValues = (await aws().table.items()).flatMap((item) =>
      ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'].map((key) =>
        String(item[key] ?? '').toLowerCase(),
      ),
    );
    const nameItems = keyValues.filter((key) => key.startsWith('name#'));
    // Whole name and each word, for each case: 3 + 2 + 4.
    expect(nameItems.length).toBe(2 * (3 + 3 + 4));
    for (const plain of ['sian', 'oneill', 'ada', 'smith', 'resident.example', '960']) {
      expect(keyValues.some((key) => key.includes(plain))).toBe(false);
    }
  });

  it('says what is wrong with a search it cannot make, and is for staff only', async () => {
    const empty = await search('   ');
    expect(empty.statusCode).toBe(422);
    expect(empty.body.message).toMatch(
      /Enter a reference, the resident’s name, email address or phone number/,
    );
    const missing = await search(undefined);
    expect(missing.statusCode).toBe(422);
    expect(missing.body.message).toMatch(/\?q=/);
    const punctuation = await search('!!!');
    expect(punctuation.statusCode).toBe(422);
    expect(punctuation.body.message).toMatch(/a reference like CMP-2026-000123/);
    expect((await search('a'.repeat(201))).statusCode).toBe(422);
    const paragraph = await search('ada jane mary lou ann smith jones');
    expect(paragraph.statusCode).toBe(422);
    expect(paragraph.body.message).toMatch(/a name of 5 words or fewer/);
    expect((await search('Ada', null)).statusCode).toBe(403);
  });
});

describe('nameWords', () => {
  it('ignores accents, case and punctuation, and splits on spaces and hyphens', () => {
    expect(nameWords('  Siân  O’Neill-Jones ')).toEqual(['sian', 'oneill', 'jones']);
    expect(nameWords("Dr. Ada O'Brien")).toEqual(['dr', 'ada', 'obrien']);
    expect(nameWords('—')).toEqual([]);
  });
});
