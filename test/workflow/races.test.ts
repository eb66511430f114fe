import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionHandler } from '#functions/api/resident.ts';
import { caseActionHandler } from '#functions/api/staff-actions.ts';
import { apiEvent, lambdaContext, parse, staffClaims } from '../handlers/setup.ts';
import { Harness, types } from './harness.ts';

/**
 * Races run many times, in process, against dynalite with the real handlers (and the real ASL through the
 * harness), checking the invariants after every round.
 */
let harness: Harness;
beforeAll(async () => {
  harness = await Harness.start();
});
afterAll(async () => {
  await harness.stop();
});

const jitter = (ms = 10) => new Promise((resolve) => setTimeout(resolve, Math.random() * ms));
const linkToken = (caseLink: string) => new URL(caseLink).searchParams.get('token') ?? '';

function staffNote(caseId: string, text: string) {
  return caseActionHandler(
    apiEvent({
      pathParameters: { caseId },
      json: { action: 'note', text },
      claims: staffClaims('handler', 'hannah.handler@landlord.example'),
    }),
    lambdaContext,
  ).then(parse);
}

function residentMessage(caseId: string, token: string, text: string) {
  return actionHandler(
    apiEvent({ pathParameters: { caseId }, json: { token, action: 'add-information', text } }),
    lambdaContext,
  ).then(parse);
}

describe('concurrent writes to one case', () => {
  it('records every note written by 20 staff at once, or answers 409 "try again"; never 422', async () => {
    const { caseId } = await harness.submit();
    const statuses: number[] = [];
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => staffNote(caseId, `Round ${round}, note ${i}`)),
      );
      for (const answer of answers) {
        statuses.push(answer.statusCode);
        if (answer.statusCode !== 200) {
          expect(answer).toMatchObject({
            statusCode: 409,
            body: { message: expect.stringMatching(/try again/) },
          });
        }
      }
    }
    const notes = (await harness.events(caseId)).filter((event) => event.type === 'note-added');
    expect(notes).toHaveLength(statuses.filter((status) => status === 200).length);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(30);
    const times = (await harness.events(caseId)).map((event) => event.at);
    expect(times).toEqual([...times].sort());
  });

  it('records a staff note and a resident message sent at the same moment, 30 times over', async () => {
    const { caseId, caseLink } = await harness.submit();
    const token = linkToken(caseLink);
    for (let round = 0; round < 30; round++) {
      // Each side starts up to 10 ms late, so the two take different times and either may lose the write.
      const answers = await Promise.all([
        jitter().then(() => staffNote(caseId, `Staff note ${round}`)),
        jitter().then(() => residentMessage(caseId, token, `Resident message ${round}`)),
      ]);
      expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200]);
    }
    const recorded = types(await harness.events(caseId));
    expect(recorded.filter((type) => type === 'note-added')).toHaveLength(30);
    expect(recorded.filter((type) => type === 'related-issue-added')).toHaveLength(30);
  });
});
