import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The single-table design, shared by the CDK stack and the local runtime so both build the same table.
 *
 * | item              | pk                   | sk            | gsi1 (pk / sk)                     | gsi2 (pk / sk)               | gsi3 (pk / sk)                 |
 * |-------------------|----------------------|---------------|------------------------------------|------------------------------|--------------------------------|
 * | case event        | CASE#<id>            | EVT#<seq:10>  |                                    |                              |                                |
 * | case projection   | CASE#<id>            | PROJECTION    | STATUS#<status> / <receivedAt>#<id>|                              | RECEIVED#<YYYY-MM> / <at>#<id> |
 * | reporting facts   | CASE#<id>            | FACTS#<YYYY-MM>|                                   |                              | FACTS#<YYYY-MM> / <id>         |
 * | resident contact  | CASE#<id>            | CONTACT#<hmac>|                                    | CONTACT#<hmac> / <at>#<id>   |                                |
 * | resident name     | CASE#<id>            | NAME#<hmac>   |                                    | NAME#<hmac> / <at>#<id>      |                                |
 * | reference lookup  | REF#<reference>      | REF           |                                    |                              |                                |
 * | reference counter | COUNTER#REF#<year>   | COUNTER       |                                    |                              |                                |
 * | intake key        | INTAKE#<key>         | INTAKE        |                                    |                              |                                |
 * | callback task     | TASK#<taskId>        | TASK          | QUEUE#<role> / <dueAt>#<taskId> (open only); CALLBACKS#OWED / <caseId>#<taskId> (done, callback owed) | CASETASKS#<caseId> / <createdAt> |                  |
 * | sent alert/digest | SENT#<key>           | SENT          |                                    |                              |                                |
 * | inbound email     | INBOUND#<sha256 id>  | INBOUND       |                                    |                              |                                |
 * | outbound message  | OUTBOUND#<sha256 id> | OUTBOUND      |                                    |                              |                                |
 * | improvement       | IMPROVEMENTS         | IMP#<id>      |                                    |                              |                                |
 * | annual draft      | ANNUAL#<YYYY-04-01>  | DRAFT         |                                    |                              |                                |
 * | approved report   | ANNUAL#<YYYY-04-01>  | VERSION#<n:6> |                                    |                              |                                |
 *
 * Contact details and names are keyed by an HMAC of the normalised value, never the plain value.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

export const GLOBAL_SECONDARY_INDEXES = [
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  { indexName: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
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
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
