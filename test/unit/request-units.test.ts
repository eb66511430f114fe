import { describe, expect, it } from 'vitest';
import { requestUnits } from '../../bench/request-units.ts';
import type { DynamoCall } from '../workflow/cost-paths.ts';

/** bench:cost's request-unit rules: what AWS charges for the requests a path made. */
describe('request units', () => {
  // A task as the queue indexes it: on gsi1 and gsi2, about 0.2 KB.
  const task = {
    pk: 'TASK#t1',
    sk: 'TASK',
    gsi1pk: 'QUEUE#handler',
    gsi1sk: '2026-03-02T10:00:00Z',
    gsi2pk: 'CASE#c1',
    gsi2sk: 'TASK#t1',
    status: 'open',
    caseId: 'c1',
  };
  const put: DynamoCall = { operation: 'PutItem', input: { Item: task }, output: {} };
  const assign: DynamoCall = {
    operation: 'UpdateItem',
    input: {
      Key: { pk: 'TASK#t1', sk: 'TASK' },
      UpdateExpression: 'SET assignee = :assignee',
      ConditionExpression: '#status = :open',
      ExpressionAttributeValues: { ':assignee': 'someone@example.org' },
    },
    output: {},
  };

  it('charges a write and each index the item is on', () => {
    expect(requestUnits([put])).toEqual({ read: 0, write: 1, indexWrite: 2 });
    expect(requestUnits([put, assign])).toEqual({ read: 0, write: 2, indexWrite: 4 });
  });

  it('charges a refused conditional write one unit per KB of the item there, no index write, item unchanged', () => {
    const refused = { ...assign, failed: 'ConditionalCheckFailedException' };
    expect(requestUnits([put, refused])).toEqual({ read: 0, write: 2, indexWrite: 2 });
    // The item is as it was: a later delete removes the task from both indexes, no more.
    const remove: DynamoCall = {
      operation: 'DeleteItem',
      input: { Key: { pk: 'TASK#t1', sk: 'TASK' } },
      output: {},
    };
    expect(requestUnits([put, refused, remove])).toEqual({ read: 0, write: 3, indexWrite: 4 });
    // A refused write on an item the path never wrote costs the minimum, one unit.
    expect(requestUnits([{ ...refused, input: { ...refused.input, Key: { pk: 'X', sk: 'Y' } } }])).toEqual({
      read: 0,
      write: 1,
      indexWrite: 0,
    });
  });

  it('charges a large item refused on its size', () => {
    // About 2.9 KB: three units.
    const big = { ...task, body: 'x'.repeat(2800) };
    const refused: DynamoCall = {
      operation: 'PutItem',
      input: { Item: { ...big, body: 'y' }, ConditionExpression: 'attribute_not_exists(pk)' },
      output: {},
      failed: 'ConditionalCheckFailedException',
    };
    expect(requestUnits([{ ...put, input: { Item: big } }, refused]).write).toBe(3 + 3);
  });

  it('charges nothing for a request refused for another reason', () => {
    expect(requestUnits([{ ...put, failed: 'ValidationException' }])).toEqual({
      read: 0,
      write: 0,
      indexWrite: 0,
    });
  });
});
