import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, DynamoDbCaseStore } from '#shared/adapters/dynamodb-case-store.ts';
import type { AppDependencies } from '#shared/usecases/dependencies.ts';
import { type IntakeResult, submitComplaint } from '#shared/usecases/intake.ts';
import { LOCAL_TABLE } from '../../infra/local/system.ts';
import { DynamoWatch, LOCAL_AWS } from '../support/dynamodb.ts';
import { complaint, Harness } from '../workflow/harness.ts';

/**
 * Reference numbers under concurrency and faults, against dynalite: the intake's store talks to the table
 * through a DynamoDBClient whose middleware fails, loses the answer to, or holds back one chosen write, or
 * stops answering altogether from that write on (the process stopped).
 */
let harness: Harness;
beforeAll(async () => {
  harness = await Harness.start();
});
afterAll(async () => {
  await harness.stop();
});

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const LEASE_PASSED_MS = 61_000;

type Fault =
  | { kind: 'throttled' | 'answer-lost' | 'process-stopped' }
  | { kind: 'stalled'; reached: () => void; resume: Promise<void> };

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/**
 * The intake's dependencies with a store whose client injects one fault at the nth write: a throttle through
 * the shared DynamoWatch (nothing reaches the table), and here what it does not do: a write that reaches the
 * table but whose answer is lost, the process stopping (nothing answers from then on), a write held back.
 */
function withFault(at: number | undefined, fault?: Fault) {
  const client = new DynamoDBClient({ endpoint: harness.system.dynamoEndpoint, ...LOCAL_AWS });
  const watch = new DynamoWatch().attach(client);
  if (at && fault?.kind === 'throttled') {
    const error = () =>
      new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
    watch.failNthWrite({ nth: at, error });
  }
  let written = 0;
  let stopped = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (stopped) throw new Error('the process stopped');
      if (!WRITES.has(String(context.commandName).replace(/Command$/, ''))) return next(args);
      if (++written !== at || !fault) return next(args);
      switch (fault.kind) {
        case 'answer-lost':
          await next(args);
          throw Object.assign(new Error('Socket timed out after the write'), { name: 'TimeoutError' });
        case 'process-stopped':
          stopped = true;
          throw new Error('the process stopped');
        case 'stalled':
          fault.reached();
          await fault.resume;
          return next(args);
        default:
          return next(args);
      }
    },
    { step: 'initialize', name: 'injectIntakeFault' },
  );
  const deps: AppDependencies = {
    ...harness.deps,
    repository: new DynamoDbCaseStore(LOCAL_TABLE, createDocumentClient(client)),
  };
  /** Each write so far: its operation and the kind of item (the key's prefix). */
  const writes = () =>
    watch.calls
      .filter((call) => WRITES.has(call.operation))
      .map((call) => {
        const { Key, Item } = call.input as { Key?: { pk?: string }; Item?: { pk?: string } };
        return `${call.operation} ${String(Key?.pk ?? Item?.pk ?? '').replace(/#.*/, '')}`;
      });
  return { deps, writes };
}

const resident = { kind: 'resident', id: 'web-form' } as const;
const intake = (deps: AppDependencies, key: string) => submitComplaint(deps, complaint, key, resident);
const number = (reference: string) => Number(reference.slice(-6));
let keys = 0;
const newKey = (label: string) => `claim-${label}-${++keys}-${Math.random().toString(36).slice(2)}`;

/** One case for the key, holding the reference, which leads to it. */
async function expectOneCase(key: string, result: IntakeResult) {
  const { repository } = harness.deps;
  expect(await repository.findIntake(key)).toMatchObject({
    caseId: result.caseId,
    reference: result.reference,
  });
  expect(await repository.findCaseIdByReference(result.reference)).toBe(result.caseId);
  const events = await repository.loadEvents(result.caseId);
  expect(events.filter((event) => event.type === 'received')).toEqual([
    expect.objectContaining({ reference: result.reference }),
  ]);
}

/** Every number from first to last leads to a case that was received with it: no gap, no duplicate. */
async function expectNoGaps(first: number, last: number) {
  const year = new Date().getUTCFullYear();
  for (let n = first; n <= last; n++) {
    const reference = `CMP-${year}-${String(n).padStart(6, '0')}`;
    const caseId = await harness.deps.repository.findCaseIdByReference(reference);
    expect(caseId, `${reference} leads to a case`).toBeDefined();
    const [received] = await harness.deps.repository.loadEvents(caseId ?? '');
    expect(received, `${reference}'s case was received with it`).toMatchObject({ reference });
  }
}

describe('concurrent intakes', () => {
  it('make one case per key and take consecutive numbers, many keys at once, each sent many times', async () => {
    const first = number((await intake(harness.deps, newKey('before'))).reference);
    let last = first;
    for (let round = 0; round < 3; round++) {
      const roundKeys = Array.from({ length: 3 }, (_, i) => newKey(`race-${round}-${i}`));
      const answers = await Promise.all(
        roundKeys.flatMap((key) =>
          Array.from({ length: 8 }, () => intake(harness.deps, key).then((result) => ({ key, result }))),
        ),
      );
      for (const key of roundKeys) {
        const mine = answers.filter((answer) => answer.key === key).map((answer) => answer.result);
        expect(new Set(mine.map((result) => result.caseId)).size).toBe(1);
        expect(new Set(mine.map((result) => result.reference)).size).toBe(1);
        expect(mine.filter((result) => result.created)).toHaveLength(1);
        await expectOneCase(key, mine[0] as IntakeResult);
      }
      const numbers = [...new Set(answers.map((answer) => number(answer.result.reference)))].sort(
        (a, b) => a - b,
      );
      expect(numbers).toEqual([last + 1, last + 2, last + 3]);
      last += 3;
    }
    expect(number((await intake(harness.deps, newKey('after'))).reference)).toBe(last + 1);
    await expectNoGaps(first, last + 1);
    await harness.system.settle();
  }, 120_000);
});

describe('an intake whose writes fail one at a time', () => {
  // A clean intake's writes, in order: the first five take the reference.
  let writes: string[] = [];
  beforeAll(async () => {
    const clean = withFault(undefined);
    await intake(clean.deps, newKey('clean'));
    writes = clean.writes();
    await harness.system.settle();
  });

  it('takes the reference in five writes: claim, candidate, bind, counter, attach', () => {
    expect(writes.slice(0, 5)).toEqual([
      'PutItem INTAKE',
      'UpdateItem INTAKE',
      'PutItem REF',
      'UpdateItem COUNTER',
      'UpdateItem INTAKE',
    ]);
  });

  for (const kind of ['throttled', 'answer-lost', 'process-stopped'] as const) {
    it(`loses no number and makes one case when any write is ${kind}, then the client retries`, async () => {
      let last = number((await intake(harness.deps, newKey('start'))).reference);
      const first = last;
      for (let at = 1; at <= writes.length; at++) {
        // A healthy intake in between catches up the counter (a failed raise leaves it one behind, which costs
        // the next intake one more probe and would shift the writes of this one).
        expect(number((await intake(harness.deps, newKey('between'))).reference)).toBe(++last);
        const key = newKey(`${kind}-${at}`);
        const faulty = withFault(at, { kind });
        const firstTry = await intake(faulty.deps, key).catch((error: Error) => error);
        expect(faulty.writes()[at - 1], `write ${at}`).toBe(writes[at - 1]);
        // A stopped process gives nothing back: the retry waits out the claim's lease.
        if (kind === 'process-stopped') await harness.advance(LEASE_PASSED_MS);
        const retry = await intake(harness.deps, key);
        if (!(firstTry instanceof Error)) expect(firstTry).toMatchObject({ caseId: retry.caseId });
        expect(number(retry.reference), `fault at write ${at} (${writes[at - 1]})`).toBe(last + 1);
        await expectOneCase(key, retry);
        last += 1;
      }
      expect(number((await intake(harness.deps, newKey('end'))).reference)).toBe(last + 1);
      await expectNoGaps(first, last + 1);
      await harness.system.settle();
    }, 120_000);
  }
});

describe('a holder stalled past the lease', () => {
  async function stallAt(at: number, key: string) {
    const reached = deferred();
    const resume = deferred();
    const stalled = withFault(at, { kind: 'stalled', reached: reached.resolve, resume: resume.promise });
    const answer = intake(stalled.deps, key);
    await reached.promise;
    return { answer, resume: resume.resolve };
  }

  it('is taken over by a retry, and both answer with one case and one number, whichever write it stalled on', async () => {
    let last = number((await intake(harness.deps, newKey('start'))).reference);
    for (let at = 2; at <= 5; at++) {
      const key = newKey(`stalled-${at}`);
      const holder = await stallAt(at, key);
      await harness.advance(LEASE_PASSED_MS);
      const retry = await intake(harness.deps, key);
      holder.resume();
      const late = await holder.answer;
      expect(late).toMatchObject({ caseId: retry.caseId, reference: retry.reference });
      expect(number(retry.reference), `stalled at write ${at}`).toBe(last + 1);
      await expectOneCase(key, retry);
      last += 1;
    }
    expect(number((await intake(harness.deps, newKey('end'))).reference)).toBe(last + 1);
    await harness.system.settle();
  }, 120_000);

  it('moves on when another complaint took its candidate meanwhile, and that number is not lost either', async () => {
    const before = number((await intake(harness.deps, newKey('start'))).reference);
    const key = newKey('stalled-overtaken');
    // Stalled before binding its candidate (the third write): another complaint takes that number.
    const holder = await stallAt(3, key);
    const other = await intake(harness.deps, newKey('other'));
    expect(number(other.reference)).toBe(before + 1);
    await harness.advance(LEASE_PASSED_MS);
    const retry = await intake(harness.deps, key);
    holder.resume();
    expect(await holder.answer).toMatchObject({ caseId: retry.caseId, reference: retry.reference });
    expect(number(retry.reference)).toBe(before + 2);
    await expectOneCase(key, retry);
    await expectNoGaps(before, before + 2);
    await harness.system.settle();
  }, 60_000);
});
