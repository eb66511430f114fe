import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { GLOBAL_SECONDARY_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '#shared/adapters/table-design.ts';
import { Capability } from './capability.ts';

export interface CaseTableProps {
  tableName: string;
  key: kms.IKey;
}

/**
 * The case table, in the design of `shared/adapters/table-design.ts` (keys, secondary indexes, TTL):
 * on-demand, encrypted with the data key, point-in-time recovery, deletion protection, retained.
 *
 * @example
 * const { table } = new CaseTable(this, 'CaseTable', { tableName: `${prefix}-cases`, key });
 */
export class CaseTable extends Capability {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: CaseTableProps) {
    super(scope, id);
    const attributes = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });
    // The classic table type: TableV2 cannot take a customer-managed key in a region-agnostic stack.
    this.table = new dynamodb.Table(this, 'Cases', {
      tableName: props.tableName,
      partitionKey: attributes(TABLE_KEYS.partitionKey),
      sortKey: attributes(TABLE_KEYS.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of GLOBAL_SECONDARY_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attributes(index.partitionKey),
        sortKey: attributes(index.sortKey),
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.include],
      });
    }
  }
}
