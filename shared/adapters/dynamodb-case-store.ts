import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { CaseEvent, CaseState, CaseStatus } from '../domain/case.ts';
import { type HeldEmail, messageKey } from '../domain/email.ts';
import { ConflictError, TaskNotOpenError } from '../domain/errors.ts';
import { REMOVED } from '../domain/records.ts';
import { type CaseFacts, caseFacts, factMonths, sameFacts } from '../domain/reporting/facts.ts';
import {
  type AppliedProfile,
  type AppliedProfileVersion,
  type CaseLookups,
  type CaseRepository,
  type HeldEmailHandling,
  handlingKey,
  handlingWork,
  type InboundEmailRecord,
  type IntakeRecord,
  type LetterClaim,
  type LetterClaimRequest,
  type ReportMonth,
  type SentMessage,
  type TaskAssignment,
  type TaskRecord,
} from '../ports/case-repository.ts';
import type {
  AnnualDraft,
  ApprovedReport,
  Improvement,
  ReportingRepository,
} from '../ports/reporting-repository.ts';
import { toLondon } from '../time/london.ts';
import { TTL_ATTRIBUTE } from './table-design.ts';

const caseKey = (caseId: string) => `CASE#${caseId}`;
/** The sort key of a case's pointer to the task its workflow waits on (markOpenTask). */
const OPEN_TASK = 'OPENTASK';
/** Retention's index partition (gsi2): closed cases not yet anonymised, by closure time. */
const CLOSED_LIST = 'CLOSED';
/** The held email list's index partition (gsi1): an entry only while a message is held. */
const HELD_LIST = 'HELD#EMAIL';

/** An inbound email record as stored, without its keys and index attributes. */
function inboundRecord(item: Record<string, unknown>): InboundEmailRecord {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _list,
    gsi1sk: _at,
    handlingKey: _claim,
    handlingWork: _work,
    handlingAt: _since,
    ...record
  } = item;
  return record as unknown as InboundEmailRecord;
}
/** The queue index's partition for done tasks whose callback Step Functions has not yet accepted. */
const OWED_CALLBACKS = 'CALLBACKS#OWED';
/** How long a sent alert's or digest's record is kept to recognise a retried send. */
const SENT_MESSAGE_DAYS = 30;
/** The one item holding the profile last applied to open cases' due dates. */
const APPLIED_PROFILE_KEY = { pk: 'PROFILE#APPLIED', sk: 'PROFILE' };
const eventKey = (seq: number) => `EVT#${String(seq).padStart(10, '0')}`;

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string }).name === 'ConditionalCheckFailedException'
  );
}

export function createDocumentClient(client = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export class DynamoDbCaseStore implements CaseRepository {
  constructor(
    private readonly tableName: string,
    private readonly documents: DynamoDBDocumentClient = createDocumentClient(),
    /**
     * How long after a month's facts last changed before a tally of it may be cached: the facts are read from a
     * global index, which DynamoDB updates a moment after the write (tests of the cache pass 0).
     */
    private readonly tallySettleMs = 5000,
  ) {}

  async findIntake(key: string): Promise<IntakeRecord | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `INTAKE#${key}`, sk: 'INTAKE' },
        ConsistentRead: true,
      }),
    );
    return result.Item && toIntake(result.Item);
  }

  async claimIntakeKey(key: string, record: IntakeRecord): Promise<IntakeRecord> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `INTAKE#${key}`, sk: 'INTAKE', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `INTAKE#${key}`, sk: 'INTAKE' },
          ConsistentRead: true,
        }),
      );
      if (!existing.Item) {
        throw new ConflictError(`Intake key ${key} is being claimed by another request; try again`);
      }
      return toIntake(existing.Item);
    }
  }

  async takeIntakeReference(
    key: string,
    hold: { caseId: string; claimedAt: string },
    year: number,
  ): Promise<string | undefined> {
    const claim = await this.findIntake(key);
    if (!claim) throw new ConflictError(`Intake key ${key} has no claim to attach a reference to`);
    if (claim.reference) return claim.reference;
    // A holder that stopped part-way may have bound its candidate to the case already: that one comes first.
    let candidate = claim.candidate;
    let after = 0;
    for (let probe = 1; probe <= MAX_REFERENCE_PROBES; probe++) {
      if (!candidate) {
        candidate = formatReference(year, Math.max(after, await this.referenceHint(year)) + 1);
        // Recorded on the claim before it is bound, so whoever holds the claim next tries it first.
        if (!(await this.markIntakeCandidate(key, hold.claimedAt, candidate))) {
          return (await this.findIntake(key))?.reference;
        }
      }
      if (await this.bindReference(candidate, hold.caseId)) {
        await this.raiseReferenceHint(candidate);
        return this.attachIntakeReference(key, candidate);
      }
      const taken = referenceParts(candidate);
      after = taken.year === year ? taken.number : 0;
      candidate = undefined;
    }
    throw new ConflictError('Many complaints are being recorded at once; try again in a moment');
  }

  /** The highest number the counter knows was taken in the year; it may lag (raising it is best effort). */
  private async referenceHint(year: number): Promise<number> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `COUNTER#REF#${year}`, sk: 'COUNTER' },
        ConsistentRead: true,
      }),
    );
    return Number(result.Item?.value ?? 0);
  }

  private async raiseReferenceHint(reference: string): Promise<void> {
    const { year, number } = referenceParts(reference);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `COUNTER#REF#${year}`, sk: 'COUNTER' },
          UpdateExpression: 'SET #value = :value',
          ConditionExpression: 'attribute_not_exists(#value) OR #value < :value',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':value': number },
        }),
      );
    } catch {
      // Already higher, or the write failed: the number is bound either way, and a lagging hint only costs the
      // next intake an extra probe.
    }
  }

  private async markIntakeCandidate(key: string, claimedAt: string, candidate: string): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `INTAKE#${key}`, sk: 'INTAKE' },
          UpdateExpression: 'SET #candidate = :candidate',
          ConditionExpression: '#claimedAt = :claimedAt AND attribute_not_exists(#reference)',
          ExpressionAttributeNames: {
            '#candidate': 'candidate',
            '#claimedAt': 'claimedAt',
            '#reference': 'reference',
          },
          ExpressionAttributeValues: { ':candidate': candidate, ':claimedAt': claimedAt },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** Takes the number: true if its lookup item is now (or already was) this case's. */
  private async bindReference(reference: string, caseId: string): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `REF#${reference}`, sk: 'REF', caseId },
          ConditionExpression: 'attribute_not_exists(pk) OR caseId = :caseId',
          ExpressionAttributeValues: { ':caseId': caseId },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  private async attachIntakeReference(key: string, reference: string): Promise<string> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `INTAKE#${key}`, sk: 'INTAKE' },
          UpdateExpression: 'SET #reference = :reference',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#reference)',
          ExpressionAttributeNames: { '#reference': 'reference' },
          ExpressionAttributeValues: { ':reference': reference },
        }),
      );
      return reference;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const stored = (await this.findIntake(key))?.reference;
      if (!stored) throw new ConflictError(`Intake key ${key} has no claim to attach a reference to`);
      return stored;
    }
  }

  async releaseIntakeClaim(key: string, hold: { caseId: string; claimedAt: string }): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `INTAKE#${key}`, sk: 'INTAKE' },
          UpdateExpression: 'REMOVE #claimedAt',
          ConditionExpression:
            '#caseId = :caseId AND #claimedAt = :claimedAt AND attribute_not_exists(#reference)',
          ExpressionAttributeNames: {
            '#caseId': 'caseId',
            '#claimedAt': 'claimedAt',
            '#reference': 'reference',
          },
          ExpressionAttributeValues: { ':caseId': hold.caseId, ':claimedAt': hold.claimedAt },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async takeOverIntakeClaim(key: string, claimedAt: string | undefined, now: string): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `INTAKE#${key}`, sk: 'INTAKE' },
          UpdateExpression: 'SET #claimedAt = :now',
          ConditionExpression: claimedAt
            ? 'attribute_not_exists(#reference) AND #claimedAt = :claimedAt'
            : 'attribute_exists(pk) AND attribute_not_exists(#reference) AND attribute_not_exists(#claimedAt)',
          ExpressionAttributeNames: { '#reference': 'reference', '#claimedAt': 'claimedAt' },
          ExpressionAttributeValues: claimedAt ? { ':now': now, ':claimedAt': claimedAt } : { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  async appendEvent(caseId: string, seq: number, event: CaseEvent): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: caseKey(caseId), sk: eventKey(seq), seq, type: event.type, at: event.at, event },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new ConflictError(
        `Someone else updated case ${caseId} at the same moment (event ${seq} is taken); reload it and try again`,
        { caseId, seq },
      );
    }
  }

  async loadEvents(caseId: string): Promise<CaseEvent[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :evt)',
      ExpressionAttributeValues: { ':pk': caseKey(caseId), ':evt': 'EVT#' },
      ConsistentRead: true,
    });
    return items.map((item) => item.event as CaseEvent);
  }

  async saveProjection(state: CaseState, lookups: CaseLookups, savedBase?: CaseState): Promise<void> {
    // Facts first, then the projection: a stored projection's facts are then stored too, which is what lets a
    // save built on it skip facts that did not change (a letter, a note). A write that stops between the two
    // leaves the projection behind its log, and the next writer re-folds the log and writes both.
    if (!savedBase || !sameFacts(savedBase, state)) {
      const facts = factItems(state);
      await Promise.all(facts.map((item) => this.putIfNewer(item)));
      // After the facts, so a tally read before they landed is never cached as current; a retry bumps again.
      await Promise.all(
        facts.map((item) => this.bumpReportMonth(String(item.gsi3pk).slice(FACTS_PREFIX.length))),
      );
    }
    const month = toLondon(state.receivedAt).date.slice(0, 7);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: caseKey(state.caseId),
            sk: 'PROJECTION',
            seq: state.seq,
            caseId: state.caseId,
            reference: state.reference,
            status: state.status,
            state,
            gsi1pk: `STATUS#${state.status}`,
            gsi1sk: `${state.receivedAt}#${state.caseId}`,
            gsi3pk: `RECEIVED#${month}`,
            gsi3sk: `${state.receivedAt}#${state.caseId}`,
            // Retention's list: a closed case stays on it until anonymised (a held one, every day it is held).
            ...(state.status === 'closed' && state.closedAt && !state.anonymised
              ? { gsi2pk: CLOSED_LIST, gsi2sk: `${state.closedAt}#${state.caseId}` }
              : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR seq < :seq',
          ExpressionAttributeValues: { ':seq': state.seq },
        }),
      );
    } catch (error) {
      // A projection as new is already stored: ours must not overwrite it. The lookups below are still written:
      // a retry after a write that stopped part-way must finish them.
      if (!isConditionFailure(error)) throw error;
    }
    // Contacts and names are the complainant's, set when the case is opened; correspondents join it later.
    await this.putLookups(state, {
      contacts: state.seq === 1 ? lookups.contacts : [],
      names: state.seq === 1 ? lookups.names : [],
      correspondents: lookups.correspondents,
    });
  }

  async addLookups(state: CaseState, lookups: CaseLookups): Promise<void> {
    await this.putLookups(state, lookups);
  }

  private async putLookups(state: CaseState, lookups: CaseLookups): Promise<void> {
    const keys = [
      ...lookups.contacts.map((hash) => `CONTACT#${hash}`),
      ...lookups.names.map((hash) => `NAME#${hash}`),
      ...(lookups.correspondents ?? []).map((hash) => `CONTACT#${hash}`),
    ];
    // A lookup item is the same whenever it is written (a retry rewrites it unchanged): one batched request.
    await batchPutItems(
      this.documents,
      this.tableName,
      keys.map((key) => ({
        pk: caseKey(state.caseId),
        sk: key,
        caseId: state.caseId,
        gsi2pk: key,
        gsi2sk: `${state.receivedAt}#${state.caseId}`,
      })),
    );
  }

  async removeLookups(caseId: string): Promise<number> {
    const items = (
      await Promise.all(
        ['CONTACT#', 'NAME#'].map((prefix) =>
          this.queryAll({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': caseKey(caseId), ':prefix': prefix },
            ProjectionExpression: 'pk, sk',
            ConsistentRead: true,
          }),
        ),
      )
    ).flat();
    await batchWrite(
      this.documents,
      this.tableName,
      items.map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } })),
    );
    return items.length;
  }

  async rewriteEvents(caseId: string, events: readonly CaseEvent[]): Promise<void> {
    // Conditional on the item being there: a rewrite never adds an event the log did not have.
    for (let i = 0; i < events.length; i += 25) {
      await Promise.all(
        events.slice(i, i + 25).map((event, offset) => {
          const seq = i + offset + 1;
          return this.documents.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { pk: caseKey(caseId), sk: eventKey(seq), seq, type: event.type, at: event.at, event },
              ConditionExpression: 'attribute_exists(sk)',
            }),
          );
        }),
      );
    }
  }

  async listClosedBefore(before: string): Promise<CaseState[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :closed AND gsi2sk < :before',
      ExpressionAttributeValues: { ':closed': CLOSED_LIST, ':before': before },
    });
    // The index lags a moment: each projection is read again (consistent) and checked.
    const states = await this.projections(items.map(caseIdOf), true);
    return states
      .filter((state) => state.status === 'closed' && !state.anonymised && (state.closedAt ?? '') < before)
      .sort((a, b) => (a.closedAt ?? '').localeCompare(b.closedAt ?? ''));
  }

  async getProjection(caseId: string): Promise<CaseState | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: caseKey(caseId), sk: 'PROJECTION' },
        ConsistentRead: true,
      }),
    );
    return result.Item?.state as CaseState | undefined;
  }

  async markOpenTask(caseId: string, taskId: string): Promise<void> {
    // Its own small item rather than an attribute of the projection: a write to the projection is charged on the
    // whole case (several KB, every wait), this one on one write unit.
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: caseKey(caseId), sk: OPEN_TASK, taskId } }),
    );
  }

  async openTaskOf(caseId: string): Promise<string | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: caseKey(caseId), sk: OPEN_TASK },
        ConsistentRead: true,
      }),
    );
    return result.Item?.taskId as string | undefined;
  }

  async getProjections(caseIds: readonly string[]): Promise<CaseState[]> {
    // BatchGetItem refuses a request that names the same key twice.
    return this.projections([...new Set(caseIds)], true);
  }

  async saveReference(reference: string, caseId: string): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: `REF#${reference}`, sk: 'REF', caseId } }),
    );
  }

  async findCaseIdByReference(reference: string): Promise<string | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `REF#${reference}`, sk: 'REF' } }),
    );
    return result.Item?.caseId as string | undefined;
  }

  // Message-IDs come from senders: hashed, they are always a valid key of a fixed size.
  async claimInboundEmail(record: InboundEmailRecord): Promise<InboundEmailRecord> {
    const Key = { pk: `INBOUND#${messageKey(record.messageId)}`, sk: 'INBOUND' };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...Key, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }),
      );
      return inboundRecord(existing.Item ?? {});
    }
  }

  async recordInboundOutcome(
    messageId: string,
    outcome: NonNullable<InboundEmailRecord['outcome']>,
    detail: string,
    caseId?: string,
  ): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `INBOUND#${messageKey(messageId)}`, sk: 'INBOUND' },
        // Any outcome takes a held message off the held list (the index entry goes; the record stays).
        UpdateExpression: caseId
          ? 'SET outcome = :outcome, detail = :detail, caseId = :caseId REMOVE gsi1pk, gsi1sk'
          : 'SET outcome = :outcome, detail = :detail REMOVE gsi1pk, gsi1sk',
        ExpressionAttributeValues: {
          ':outcome': outcome,
          ':detail': detail,
          ...(caseId ? { ':caseId': caseId } : {}),
        },
      }),
    );
  }

  async holdInboundEmail(held: HeldEmail, detail: string): Promise<void> {
    const key = messageKey(held.messageId);
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `INBOUND#${key}`, sk: 'INBOUND' },
        UpdateExpression:
          'SET outcome = :held, detail = :detail, held = :message, gsi1pk = :list, gsi1sk = :at',
        ExpressionAttributeValues: {
          ':held': 'held',
          ':detail': detail,
          ':message': held,
          ':list': HELD_LIST,
          ':at': `${held.receivedAt}#${key}`,
        },
      }),
    );
  }

  async listHeldEmails(limit = 50): Promise<InboundEmailRecord[]> {
    const listed = await this.queryAll(
      {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': HELD_LIST },
        ScanIndexForward: false,
      },
      Math.min(limit, 100),
    );
    if (listed.length === 0) return [];
    // The index holds only the keys (table-design.ts): the records are read in one consistent batch.
    const records: InboundEmailRecord[] = [];
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [this.tableName]: { Keys: listed.map(({ pk, sk }) => ({ pk, sk })), ConsistentRead: true },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await this.documents.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[this.tableName] ?? []) records.push(inboundRecord(item));
      request = result.UnprocessedKeys as typeof request;
    }
    // Handled since the index was read: left out, as the index would soon drop it.
    return records
      .filter((record) => record.outcome === 'held')
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  }

  async getInboundEmail(key: string): Promise<InboundEmailRecord | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `INBOUND#${key}`, sk: 'INBOUND' },
        ConsistentRead: true,
      }),
    );
    return result.Item ? inboundRecord(result.Item) : undefined;
  }

  async claimHeldEmail(key: string, handling: HeldEmailHandling, staleBefore: string): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `INBOUND#${key}`, sk: 'INBOUND' },
          UpdateExpression:
            'SET handling = :handling, handlingKey = :claim, handlingWork = :work, handlingAt = :at',
          // Only a held message, and only once: a second claim succeeds as the same claim repeated, or as the
          // same work taken over from a holder silent since before the lease (claims without a time never lapse).
          ConditionExpression:
            'outcome = :held AND (attribute_not_exists(handlingKey) OR handlingKey = :claim OR (handlingWork = :work AND handlingAt < :stale))',
          ExpressionAttributeValues: {
            ':handling': handling,
            ':held': 'held',
            ':claim': handlingKey(handling),
            ':work': handlingWork(handling),
            ':at': handling.at,
            ':stale': staleBefore,
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    return true;
  }

  async recordInboundAccess(
    key: string,
    access: { by: string; byEmail?: string; at: string },
  ): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `INBOUND#${key}`, sk: 'INBOUND' },
        UpdateExpression: 'SET accesses = list_append(if_not_exists(accesses, :none), :access)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':none': [], ':access': [access] },
      }),
    );
  }

  async rememberLetterMessageId(messageId: string, caseId: string): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `OUTBOUND#${messageKey(messageId)}`, sk: 'OUTBOUND', caseId },
      }),
    );
  }

  async scrubInboundEmail(key: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `INBOUND#${key}`, sk: 'INBOUND' },
          // The held list's index entry goes with the held message (a message never attached or opened).
          UpdateExpression:
            'SET messageId = :removed, rawKey = :removed, detail = :removed REMOVE held, gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':removed': REMOVED },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async forgetLetterMessageId(messageId: string): Promise<void> {
    await this.documents.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: `OUTBOUND#${messageKey(messageId)}`, sk: 'OUTBOUND' },
      }),
    );
  }

  async findCaseIdByLetterMessageId(messageId: string): Promise<string | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `OUTBOUND#${messageKey(messageId)}`, sk: 'OUTBOUND' },
      }),
    );
    return result.Item?.caseId as string | undefined;
  }

  async listByStatus(status: CaseStatus, limit = 500): Promise<CaseState[]> {
    const items = await this.queryAll(
      {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `STATUS#${status}` },
      },
      limit,
    );
    // The index holds only keys for projections (table-design.ts): the states are read in one batch, and one
    // that moved on since the index was written is left out, as the index would soon drop it.
    return (await this.projections(items.map(caseIdOf))).filter((state) => state.status === status);
  }

  async listByContact(contactHash: string): Promise<CaseState[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': `CONTACT#${contactHash}` },
    });
    return this.projections(items.map((item) => item.caseId as string));
  }

  async listByName(nameHash: string, limit = 100): Promise<CaseState[]> {
    // Newest first: a common name finds many cases, and the recent ones are the likely ones.
    const items = await this.queryAll(
      {
        TableName: this.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': `NAME#${nameHash}` },
        ScanIndexForward: false,
      },
      limit,
    );
    return this.projections(items.map((item) => item.caseId as string));
  }

  async listReceivedInMonth(month: string): Promise<CaseState[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk',
      ExpressionAttributeValues: { ':pk': `RECEIVED#${month}` },
    });
    return this.projections(items.map(caseIdOf));
  }

  async listReportFacts(months: readonly string[]): Promise<CaseFacts[]> {
    const latest = new Map<string, { seq: number; facts: string }>();
    // One query per month, a few at a time: a year is 12 partitions of the index read side by side.
    const queue = [...new Set(months)];
    const worker = async () => {
      for (let month = queue.shift(); month !== undefined; month = queue.shift()) {
        const items = await this.queryAll({
          TableName: this.tableName,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': `${FACTS_PREFIX}${month}` },
          ProjectionExpression: 'caseId, seq, facts',
        });
        for (const item of items) {
          const caseId = item.caseId as string;
          const seq = item.seq as number;
          const seen = latest.get(caseId);
          if (!seen || seen.seq < seq) latest.set(caseId, { seq, facts: item.facts as string });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
    return [...latest.values()].map((entry) => JSON.parse(entry.facts) as CaseFacts);
  }

  async reportMonths(months: readonly string[]): Promise<Map<string, ReportMonth>> {
    const found = new Map<string, ReportMonth>();
    const unique = [...new Set(months)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique
        .slice(i, i + 100)
        .map((month) => ({ pk: reportMonthKey(month), sk: REPORT_MONTH_SK }));
      while (keys && keys.length > 0) {
        const result = await this.documents.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const month = String(item.pk).slice(REPORT_MONTH_PREFIX.length);
          found.set(month, {
            changes: (item.changes as number | undefined) ?? 0,
            ...(typeof item.tally === 'string'
              ? {
                  tally: {
                    changes: item.tallyChanges as number,
                    key: item.tallyKey as string,
                    json: item.tally,
                  },
                }
              : {}),
          });
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  async saveReportTally(
    month: string,
    changes: number,
    tally: { key: string; json: string },
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: reportMonthKey(month), sk: REPORT_MONTH_SK },
          UpdateExpression: 'SET tally = :tally, tallyChanges = :changes, tallyKey = :key',
          ConditionExpression:
            changes === 0 ? 'attribute_not_exists(changes)' : 'changes = :changes AND changedAt < :settled',
          ExpressionAttributeValues: {
            ':tally': tally.json,
            ':changes': changes,
            ':key': tally.key,
            ...(changes === 0 ? {} : { ':settled': new Date(Date.now() - this.tallySettleMs).toISOString() }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Counts a change to a month's facts: a tally cached before it is no longer current. */
  private async bumpReportMonth(month: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: reportMonthKey(month), sk: REPORT_MONTH_SK },
        UpdateExpression: 'ADD changes :one SET changedAt = :now',
        // Wall-clock time, as DynamoDB's index lag is: the settling delay in saveReportTally is measured by it.
        ExpressionAttributeValues: { ':one': 1, ':now': new Date().toISOString() },
      }),
    );
  }

  /** Writes an item unless a newer one (by `seq`) is stored under its key. */
  private async putIfNewer(item: Record<string, unknown> & { seq: number }): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR seq < :seq',
          ExpressionAttributeValues: { ':seq': item.seq },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async putTask(task: TaskRecord): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `TASK#${task.taskId}`, sk: 'TASK', ...taskKeys(task) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `TASK#${taskId}`, sk: 'TASK' },
        ConsistentRead: true,
      }),
    );
    return result.Item ? toTask(result.Item) : undefined;
  }

  async closeTask(
    taskId: string,
    status: Exclude<TaskRecord['status'], 'open'>,
    at: string,
    by: string,
  ): Promise<TaskRecord> {
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `TASK#${taskId}`, sk: 'TASK' },
          // Leaving the queue index is what takes the task off every staff queue.
          UpdateExpression: 'SET #status = :status, closedAt = :at, closedBy = :by REMOVE gsi1pk, gsi1sk',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':at': at, ':by': by, ':open': 'open' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toTask(result.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const task = await this.getTask(taskId);
      throw new TaskNotOpenError(
        task
          ? `Task ${taskId} is no longer open: it was ${task.status} at ${task.closedAt ?? 'an earlier time'}`
          : `There is no task ${taskId}`,
        { taskId, status: task?.status },
      );
    }
  }

  async reopenTask(task: TaskRecord): Promise<void> {
    const { closedAt: _closedAt, closedBy: _closedBy, ...open } = task;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `TASK#${task.taskId}`, sk: 'TASK', ...taskKeys({ ...open, status: 'open' }) },
          // Only a task this request closed goes back; a superseded or timed-out one stays closed.
          ConditionExpression: '#status = :done',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':done': 'done' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async assignTask(taskId: string, assignment: TaskAssignment): Promise<void> {
    const { assignedSeq, ...who } = assignment;
    const set = Object.keys(who) as Array<keyof typeof who>;
    const remove = (['assignee', 'assigneeEmail'] as const).filter((name) => who[name] === undefined);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `TASK#${taskId}`, sk: 'TASK' },
          UpdateExpression: `SET ${['assignedSeq', ...set].map((name) => `${name} = :${name}`).join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression:
            '#status = :open AND (attribute_not_exists(assignedSeq) OR assignedSeq < :assignedSeq)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':open': 'open',
            ':assignedSeq': assignedSeq,
            ...Object.fromEntries(set.map((name) => [`:${name}`, who[name]])),
          },
        }),
      );
    } catch (error) {
      // Closed meanwhile, or already given this state's assignment or a later one: nothing to change.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async markTaskAnnounced(taskId: string, at: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `TASK#${taskId}`, sk: 'TASK' },
        UpdateExpression: 'SET announcedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async tasksForCase(caseId: string): Promise<TaskRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': `CASETASKS#${caseId}` },
    });
    // Index reads lag their items by a moment: a task the index shows open is re-read from its item (the
    // truth), and so is the newest if the index shows it done, since a done task is reopened when the action
    // that claimed it is refused, and that is the task the case is waiting on. Older tasks were closed before a
    // newer one was registered (superseded and timed-out are final), so their index entries are read as they
    // are: a case's history of tasks costs one query, not one read per task.
    const newest = items.at(-1);
    return Promise.all(
      items.map(async (item) =>
        item.status === 'open' || (item === newest && item.status === 'done')
          ? ((await this.getTask(item.taskId as string)) ?? toTask(item))
          : toTask(item),
      ),
    );
  }

  async queue(role: TaskRecord['role'], limit = 200): Promise<TaskRecord[]> {
    const items = await this.queryAll(
      {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `QUEUE#${role}` },
      },
      limit,
    );
    return items.map(toTask).filter((task) => task.status === 'open');
  }

  async markCallbackOwed(
    taskId: string,
    since: string,
    options: { whileOpen?: boolean } = {},
  ): Promise<void> {
    const task = await this.getTask(taskId);
    if (!task) return;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `TASK#${taskId}`, sk: 'TASK' },
          // The queue index's spare partition lists owed callbacks, by case: a sweep finds them without a scan.
          // An open task marked so leaves the staff queue too: the event that ended its step is recorded.
          UpdateExpression: 'SET callbackOwedSince = :since, gsi1pk = :owed, gsi1sk = :sk',
          ConditionExpression: options.whileOpen ? '#status IN (:done, :open)' : '#status = :done',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':since': since,
            ':owed': OWED_CALLBACKS,
            ':sk': `${task.caseId}#${taskId}`,
            ':done': 'done',
            ...(options.whileOpen ? { ':open': 'open' } : {}),
          },
        }),
      );
    } catch (error) {
      // Reopened meanwhile (its action was refused): there is no callback to owe.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async settleCallback(taskId: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `TASK#${taskId}`, sk: 'TASK' },
          UpdateExpression: 'REMOVE callbackOwedSince, gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_exists(callbackOwedSince)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async owedCallbacks(caseId?: string): Promise<TaskRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: caseId ? 'gsi1pk = :pk AND begins_with(gsi1sk, :case)' : 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': OWED_CALLBACKS, ...(caseId ? { ':case': `${caseId}#` } : {}) },
    });
    // The index lags its items: each is re-read, and only a task still owing its callback is returned.
    const tasks = await Promise.all(items.map((item) => this.getTask(item.taskId as string)));
    return tasks.filter(
      (task): task is TaskRecord =>
        task?.callbackOwedSince !== undefined && (caseId === undefined || task.caseId === caseId),
    );
  }

  async findSentMessage(key: string): Promise<SentMessage | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `SENT#${key}`, sk: 'SENT' },
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return undefined;
    const { messageId, at, taskIds } = result.Item as SentMessage;
    return { key, messageId, at, ...(taskIds ? { taskIds } : {}) };
  }

  async recordSentMessage(message: SentMessage): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `SENT#${message.key}`,
          sk: 'SENT',
          ...message,
          // Only a retry needs to find it (minutes, or the scheduler's retries of a digest): DynamoDB may expire it.
          [TTL_ATTRIBUTE]: Math.floor(Date.parse(message.at) / 1000) + SENT_MESSAGE_DAYS * 86_400,
        },
      }),
    );
  }

  async claimLetter(caseId: string, key: string, claim: LetterClaimRequest): Promise<LetterClaim> {
    try {
      const { Attributes: before } = await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `LETTER#${caseId}#${key}`,
            sk: 'CLAIM',
            ...claim,
            // Needed only while runs may still reach the letter owed (minutes): DynamoDB may expire it.
            [TTL_ATTRIBUTE]: Math.floor(Date.parse(claim.at) / 1000) + SENT_MESSAGE_DAYS * 86_400,
          },
          ConditionExpression:
            claim.by === 'step'
              ? 'attribute_not_exists(pk) OR #until <= :at OR #by = :step'
              : 'attribute_not_exists(pk) OR #until <= :at',
          ExpressionAttributeNames: { '#until': 'until', ...(claim.by === 'step' ? { '#by': 'by' } : {}) },
          ExpressionAttributeValues: { ':at': claim.at, ...(claim.by === 'step' ? { ':step': 'step' } : {}) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return before ? 'taken-over' : 'claimed';
    } catch (error) {
      if (isConditionFailure(error)) return 'held';
      throw error;
    }
  }

  async releaseLetter(caseId: string, key: string, claim: LetterClaimRequest): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `LETTER#${caseId}#${key}`, sk: 'CLAIM' },
          ConditionExpression: '#at = :at AND #by = :by',
          ExpressionAttributeNames: { '#at': 'at', '#by': 'by' },
          ExpressionAttributeValues: { ':at': claim.at, ':by': claim.by },
        }),
      );
    } catch (error) {
      // Taken over since: the claim is another run's now.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async getAppliedProfile(): Promise<AppliedProfile | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: APPLIED_PROFILE_KEY, ConsistentRead: true }),
    );
    if (!result.Item) return undefined;
    const { fingerprint, profile, appliedAt, deployPending, previous } = result.Item as {
      [key in Exclude<keyof AppliedProfile, 'deployPending' | 'previous'>]: string;
    } & {
      deployPending?: { fingerprint: string; since: string; profile?: string };
      previous?: { fingerprint: string; profile: string };
    };
    return {
      fingerprint,
      profile: JSON.parse(profile),
      appliedAt,
      ...(deployPending
        ? {
            deployPending: {
              ...deployPending,
              ...(deployPending.profile ? { profile: JSON.parse(deployPending.profile) } : {}),
            },
          }
        : {}),
      ...(previous ? { previous: { ...previous, profile: JSON.parse(previous.profile) } } : {}),
    };
  }

  async saveAppliedProfile(
    applied: AppliedProfile,
    previous: AppliedProfileVersion | undefined,
  ): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          // The profile as JSON text: stored exactly as parsed, so its fingerprint can be checked again.
          Item: {
            ...APPLIED_PROFILE_KEY,
            ...applied,
            profile: JSON.stringify(applied.profile),
            ...(applied.deployPending?.profile
              ? {
                  deployPending: {
                    ...applied.deployPending,
                    profile: JSON.stringify(applied.deployPending.profile),
                  },
                }
              : {}),
            ...(applied.previous
              ? { previous: { ...applied.previous, profile: JSON.stringify(applied.previous.profile) } }
              : {}),
          },
          ...(previous
            ? {
                // The deploy mark too: a daily run that read the profile before a deploy's record pass marked it
                // must not store over the mark (ADR 0016).
                ConditionExpression: previous.deployPending
                  ? 'fingerprint = :previous AND deployPending.since = :since'
                  : 'fingerprint = :previous AND attribute_not_exists(deployPending)',
                ExpressionAttributeValues: {
                  ':previous': previous.fingerprint,
                  ...(previous.deployPending ? { ':since': previous.deployPending.since } : {}),
                },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new ConflictError('Another run stored the applied provider profile meanwhile; read it again');
    }
  }

  private async projections(caseIds: readonly string[], consistent = false): Promise<CaseState[]> {
    const states: CaseState[] = [];
    for (let i = 0; i < caseIds.length; i += 100) {
      const keys = caseIds.slice(i, i + 100).map((id) => ({ pk: caseKey(id), sk: 'PROJECTION' }));
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }> | undefined =
        {
          [this.tableName]: { Keys: keys, ...(consistent ? { ConsistentRead: true } : {}) },
        };
      while (request && Object.keys(request).length > 0) {
        const result = await this.documents.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of result.Responses?.[this.tableName] ?? []) states.push(item.state as CaseState);
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return states.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  private async queryAll(input: QueryCommandInput, limit = Number.POSITIVE_INFINITY) {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.documents.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(result.Items ?? []));
      start = result.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items.slice(0, limit);
  }
}

const FACTS_PREFIX = 'FACTS#';
const REPORT_MONTH_PREFIX = 'REPORTMONTH#';
const REPORT_MONTH_SK = 'TALLY';
/** A month's change count and cached report tally: one item per London month, read by key. */
const reportMonthKey = (month: string) => `${REPORT_MONTH_PREFIX}${month}`;

/**
 * A case's reporting facts, once under each London month they date anything in (gsi3 `FACTS#<YYYY-MM>`): a
 * report reads the months of its period and keeps each case's newest facts. Stored as JSON text, which reads
 * back far faster than a nested map.
 */
export function factItems(state: CaseState): Array<Record<string, unknown> & { seq: number }> {
  const facts = caseFacts(state);
  const json = JSON.stringify(facts);
  return factMonths(facts).map((month) => ({
    pk: caseKey(state.caseId),
    sk: `${FACTS_PREFIX}${month}`,
    caseId: state.caseId,
    seq: state.seq,
    facts: json,
    gsi3pk: `${FACTS_PREFIX}${month}`,
    gsi3sk: state.caseId,
  }));
}

/**
 * Writes items 25 to a request, retrying what DynamoDB leaves unprocessed (after a growing pause: it leaves
 * items when throttled). Unconditional: for items that are the same at every write (a case's lookup items) or
 * for loading a table (the reporting benchmark), never for a case's events or projection.
 */
export async function batchPutItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  await batchWrite(
    documents,
    tableName,
    items.map((Item) => ({ PutRequest: { Item } })),
  );
}

type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

/** Puts or deletes, 25 to a request, retrying what DynamoDB leaves unprocessed (as batchPutItems says). */
async function batchWrite(
  documents: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let request: Record<string, WriteRequest[]> | undefined = {
      [tableName]: requests.slice(i, i + 25),
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result = await documents.send(new BatchWriteCommand({ RequestItems: request }));
      request = result.UnprocessedItems as typeof request;
    }
  }
}

/** A case item's id, from its key (`CASE#<id>`), which every index carries. */
function caseIdOf(item: Record<string, unknown>): string {
  return String(item.pk).slice('CASE#'.length);
}

/** A task item's attributes with its index keys: the queue (while open) and the case's task list. */
function taskKeys(task: TaskRecord): Record<string, unknown> {
  return {
    ...task,
    gsi1pk: `QUEUE#${task.role}`,
    gsi1sk: `${task.dueAt ?? '9999'}#${task.taskId}`,
    gsi2pk: `CASETASKS#${task.caseId}`,
    gsi2sk: `${task.createdAt}#${task.taskId}`,
  };
}

function toIntake(item: Record<string, unknown>): IntakeRecord {
  const { caseId, reference, candidate, requestHash, claimedAt } = item as unknown as IntakeRecord;
  return { caseId, reference, candidate, requestHash, claimedAt };
}

/** Probes past numbers others have taken before an intake gives up with "try again". */
const MAX_REFERENCE_PROBES = 50;

const formatReference = (year: number, number: number) => `CMP-${year}-${String(number).padStart(6, '0')}`;

function referenceParts(reference: string): { year: number; number: number } {
  const [, year, number] = reference.split('-');
  return { year: Number(year), number: Number(number) };
}

function toTask(item: Record<string, unknown>): TaskRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...task } = item;
  return task as unknown as TaskRecord;
}

const IMPROVEMENTS = 'IMPROVEMENTS';
const annualKey = (year: string) => `ANNUAL#${year}`;
const reportVersionKey = (version: number) => `VERSION#${String(version).padStart(6, '0')}`;

/**
 * The improvements register and the annual reports, on the same table. Every write is conditional: an
 * improvement or a draft only over the version it was made from, an approved report only where none is.
 */
export class DynamoDbReportingStore implements ReportingRepository {
  constructor(
    private readonly tableName: string,
    private readonly documents: DynamoDBDocumentClient = createDocumentClient(),
  ) {}

  private async conditionalPut(
    item: Record<string, unknown>,
    condition: string,
    values?: object,
    conflict?: string,
  ) {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new ConflictError(conflict ?? 'It was changed meanwhile; reload and try again');
      throw error;
    }
  }

  async addImprovement(improvement: Improvement): Promise<void> {
    await this.conditionalPut(
      { pk: IMPROVEMENTS, sk: `IMP#${improvement.improvementId}`, ...improvement },
      'attribute_not_exists(sk)',
      undefined,
      `Improvement ${improvement.improvementId} already exists`,
    );
  }

  async updateImprovement(improvement: Improvement): Promise<void> {
    await this.conditionalPut(
      { pk: IMPROVEMENTS, sk: `IMP#${improvement.improvementId}`, ...improvement },
      'version = :previous',
      { ':previous': improvement.version - 1 },
      `Improvement ${improvement.improvementId} was changed by someone else meanwhile; reload it and try again`,
    );
  }

  async listImprovements(): Promise<Improvement[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': IMPROVEMENTS, ':prefix': 'IMP#' },
      ConsistentRead: true,
    });
    return items.map(({ pk: _pk, sk: _sk, ...rest }) => rest as unknown as Improvement);
  }

  async getAnnualDraft(year: string): Promise<AnnualDraft | undefined> {
    const result = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: annualKey(year), sk: 'DRAFT' },
        ConsistentRead: true,
      }),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, ...draft } = result.Item;
    return draft as AnnualDraft;
  }

  async saveAnnualDraft(draft: AnnualDraft): Promise<void> {
    await this.conditionalPut(
      { pk: annualKey(draft.year), sk: 'DRAFT', ...draft },
      draft.version === 1 ? 'attribute_not_exists(sk)' : 'version = :previous',
      draft.version === 1 ? undefined : { ':previous': draft.version - 1 },
      `The ${draft.year} report was saved by someone else meanwhile; reload it and make your change again`,
    );
  }

  async listApprovedReports(year: string): Promise<ApprovedReport[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': annualKey(year), ':prefix': 'VERSION#' },
      ConsistentRead: true,
    });
    return items.map(({ pk: _pk, sk: _sk, ...rest }) => rest as unknown as ApprovedReport);
  }

  async putApprovedReport(report: ApprovedReport): Promise<void> {
    await this.conditionalPut(
      { pk: annualKey(report.year), sk: reportVersionKey(report.version), ...report },
      'attribute_not_exists(sk)',
      undefined,
      `Version ${report.version} of the ${report.year} report was approved by someone else meanwhile; reload to see it`,
    );
  }

  private async queryAll(input: QueryCommandInput): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...((page.Items ?? []) as Record<string, unknown>[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
