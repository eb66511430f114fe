import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;

/**
 * A unit-test stand-in for the table behind the document client: enough of PutItem (with the two
 * conditions the store uses), GetItem, Query (key equality and begins_with on sk) and the counter update.
 */
export function fakeTable() {
  const items = new Map<string, Item>();
  const key = (item: Item) => `${item.pk}|${item.sk}`;
  const mock = mockClient(DynamoDBDocumentClient);
  const conditionFailed = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  /** Errors the next writes (PutItem, UpdateItem) throw before touching anything, in order (undefined: succeeds). */
  const faults: (Error | undefined)[] = [];
  const injectFault = () => {
    const fault = faults.shift();
    if (fault) throw fault;
  };

  mock
    .on(PutCommand)
    .callsFake((input: { Item: Item; ConditionExpression?: string; ExpressionAttributeValues?: Item }) => {
      injectFault();
      const existing = items.get(key(input.Item));
      const condition = input.ConditionExpression ?? '';
      if (existing && condition.startsWith('attribute_not_exists') && !condition.includes('OR'))
        throw conditionFailed();
      if (
        existing &&
        condition.includes('seq < :seq') &&
        Number(existing.seq) >= Number(input.ExpressionAttributeValues?.[':seq'])
      ) {
        throw conditionFailed();
      }
      items.set(key(input.Item), structuredClone(input.Item));
      return {};
    });
  mock
    .on(GetCommand)
    .callsFake((input: { Key: Item }) => ({ Item: structuredClone(items.get(key(input.Key))) }));
  mock
    .on(UpdateCommand)
    .callsFake(
      (input: {
        Key: Item;
        UpdateExpression: string;
        ConditionExpression?: string;
        ExpressionAttributeValues: Item;
      }) => {
        injectFault();
        const current = items.get(key(input.Key)) ?? { ...input.Key };
        if (input.UpdateExpression.startsWith('ADD')) {
          const next = { ...current, value: Number(current.value ?? 0) + 1 };
          items.set(key(input.Key), next);
          return { Attributes: { value: next.value } };
        }
        // The intake claim: a reference is attached once; a stalled claim is taken over if unchanged.
        if (input.UpdateExpression === 'SET #reference = :reference') {
          if (!items.has(key(input.Key)) || current.reference) throw conditionFailed();
          items.set(key(input.Key), { ...current, reference: input.ExpressionAttributeValues[':reference'] });
          return {};
        }
        if (input.UpdateExpression === 'SET #claimedAt = :now') {
          const claimedAt = input.ExpressionAttributeValues[':claimedAt'];
          if (!items.has(key(input.Key)) || current.reference || current.claimedAt !== claimedAt)
            throw conditionFailed();
          items.set(key(input.Key), { ...current, claimedAt: input.ExpressionAttributeValues[':now'] });
          return {};
        }
        if (input.UpdateExpression === 'SET announcedAt = :at') {
          if (!items.has(key(input.Key))) throw conditionFailed();
          items.set(key(input.Key), { ...current, announcedAt: input.ExpressionAttributeValues[':at'] });
          return {};
        }
        if (input.ConditionExpression?.includes('#status = :open') && current.status !== 'open')
          throw conditionFailed();
        const values = input.ExpressionAttributeValues;
        const { gsi1pk: _a, gsi1sk: _b, ...rest } = current;
        const next = { ...rest, status: values[':status'], closedAt: values[':at'], closedBy: values[':by'] };
        items.set(key(input.Key), next);
        return { Attributes: structuredClone(next) };
      },
    );
  mock.on(DeleteCommand).callsFake((input: { Key: Item; ExpressionAttributeValues?: Item }) => {
    injectFault();
    const current = items.get(key(input.Key));
    const caseId = input.ExpressionAttributeValues?.[':caseId'];
    if (!current || current.reference || (caseId && current.caseId !== caseId)) throw conditionFailed();
    items.delete(key(input.Key));
    return {};
  });
  mock.on(QueryCommand).callsFake((input: { IndexName?: string; ExpressionAttributeValues: Item }) => {
    const pk = input.ExpressionAttributeValues[':pk'];
    const prefix = input.ExpressionAttributeValues[':evt'] as string | undefined;
    const field = input.IndexName ? `${input.IndexName}pk` : 'pk';
    const sortField = input.IndexName ? `${input.IndexName}sk` : 'sk';
    const found = [...items.values()]
      .filter((item) => item[field] === pk && (!prefix || String(item.sk).startsWith(prefix)))
      .sort((a, b) => String(a[sortField]).localeCompare(String(b[sortField])));
    return { Items: structuredClone(found) };
  });
  mock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Item[] }> }) => ({
    Responses: Object.fromEntries(
      Object.entries(input.RequestItems).map(([table, request]) => [
        table,
        request.Keys.map((k) => items.get(key(k))).filter(Boolean),
      ]),
    ),
  }));
  /** The next writes fail with these errors (throttling, a 5xx), as DynamoDB answers once the SDK gives up. */
  const failNextWrites = (...errors: (Error | undefined)[]) => faults.push(...errors);
  return { mock, items, failNextWrites };
}
