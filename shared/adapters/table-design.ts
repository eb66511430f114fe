import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single-table design, shared by the CDK stack and the local runtime so both build the same table.
 *
 * | item              | pk                   | sk            | gsi1 (pk / sk)                     | gsi2 (pk / sk)               | gsi3 (pk / sk)                 |
 * |-------------------|----------------------|---------------|------------------------------------|------------------------------|--------------------------------|
 * | case event        | CASE#<id>            | EVT#<seq:10>  |                                    |                              |                                |
 * | case projection   | CASE#<id>            | PROJECTION    | STATUS#<status> / <receivedAt>#<id>| CLOSED / <closedAt>#<id> (closed, not anonymised) | RECEIVED#<YYYY-MM> / <at>#<id> |
 * | reporting facts   | CASE#<id>            | FACTS#<YYYY-MM>|                                   |                              | FACTS#<YYYY-MM> / <id>         |
 * | resident contact  | CASE#<id>            | CONTACT#<hmac>|                                    | CONTACT#<hmac> / <at>#<id>   |                                |
 * | resident name     | CASE#<id>            | NAME#<hmac>   |                                    | NAME#<hmac> / <at>#<id>      |                                |
 * | open task mark    | CASE#<id>            | OPENTASK      |                                    |                              |                                |
 * | reference lookup  | REF#<reference>      | REF           |                                    |                              |                                |
 * | reference counter | COUNTER#REF#<year>   | COUNTER       |                                    |                              |                                |
 * | intake key        | INTAKE#<key>         | INTAKE        |                                    |                              |                                |
 * | callback task     | TASK#<taskId>        | TASK          | QUEUE#<role> / <dueAt>#<taskId> (open only); CALLBACKS#OWED / <caseId>#<taskId> (done, callback owed) | CASETASKS#<caseId> / <createdAt> |                  |
 * | sent alert/digest | SENT#<key>           | SENT          |                                    |                              |                                |
 * | letter claim      | LETTER#<caseId>#<key>| CLAIM         |                                    |                              |                                |
 * | inbound email     | INBOUND#<sha256 id>  | INBOUND       | HELD#EMAIL / <receivedAt>#<sha256> (held only) |              |                                |
 * | outbound message  | OUTBOUND#<sha256 id> | OUTBOUND      |                                    |                              |                                |
 * | improvement       | IMPROVEMENTS         | IMP#<id>      |                                    |                              |                                |
 * | annual draft      | ANNUAL#<YYYY-04-01>  | DRAFT         |                                    |                              |                                |
 * | approved report   | ANNUAL#<YYYY-04-01>  | VERSION#<n:6> |                                    |                              |                                |
 *
 * Contact details and names are keyed by an HMAC of the normalised value, never the plain value.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** A task record's attributes: the queue and a case's task list read them whole from the index. */
const TASK_ATTRIBUTES = [
  'taskId',
  'caseId',
  'reference',
  'step',
  'role',
  'token',
  'dueAt',
  'status',
  'createdAt',
  'closedAt',
  'closedBy',
  'announcedAt',
  'callbackOwedSince',
  'assignedSeq',
  'assignee',
  'assigneeEmail',
] as const;

/**
 * Each index copies only the attributes its queries read (docs/data-model.md says which query reads what): never
 * the case projection's `state`, which is rewritten with every event and would be paid for again in each index.
 * - gsi1: the staff queue and owed callbacks read tasks; cases by status read only the case id (from `pk`),
 *   then the projections in one BatchGetItem.
 * - gsi2: a case's tasks read tasks; contact and name lookups read the case id.
 * - gsi3: reporting facts read `caseId`, `seq` and `facts`; cases received in a month read the case id.
 */
export const GLOBAL_SECONDARY_INDEXES = [
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', include: TASK_ATTRIBUTES },
  { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', include: TASK_ATTRIBUTES },
  { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk', include: ['caseId', 'seq', 'facts'] },
] as const;

/** Items carrying this attribute (epoch seconds) may be expired by DynamoDB TTL; reads never rely on it. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * The CreateTable request for this design (the local runtime's table and each test's), so no copy of the keys
 * and indexes drifts from the one the stack deploys.
 */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const attributes = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
  for (const index of GLOBAL_SECONDARY_INDEXES) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] },
    })),
  };
}
