import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { PAGE_FUNCTIONS, type RouteDefinition } from '../../functions/routes.ts';
import type { AppFunctions } from './app-functions.ts';
import { Capability } from './capability.ts';
import type { ComplaintWorkflow } from './complaint-workflow.ts';
import { EdgeDistribution } from './edge-distribution.ts';
import type { HouseFunction } from './house-function.ts';
import type { StaffDirectory } from './staff-directory.ts';

export interface ComplaintApiProps {
  prefix: string;
  /** The provider's name, for the API's description. */
  providerName: string;
  /** Encrypts the access log group. */
  key: kms.IKey;
  /**
   * The edge web ACL (EdgeStack, us-east-1) when the profile switches WAF on: the API is then reached through
   * CloudFront ({@link EdgeDistribution}).
   * @default no CloudFront in front of the API
   */
  webAclArn?: string;
}

/**
 * The route functions that only read cases: no write on the table, nothing started or completed. (The case
 * view is not one of them: it resends the callbacks a case is owed.)
 */
const READS_ONLY: ReadonlySet<string> = new Set([
  'api/staff-queries#queueHandler',
  'api/staff-queries#searchHandler',
]);

/**
 * Route functions that write the table but never start an execution or answer a task: the subject access
 * export records itself on each case, nothing more.
 */
const NO_WORKFLOW: ReadonlySet<string> = new Set([
  'api/subject-access#exportHandler',
  'api/erasure#decisionHandler',
]);

/** Route functions that delete a case's files and letters: a granted erasure anonymises the case. */
const DELETES_RECORDS: ReadonlySet<string> = new Set(['api/erasure#decisionHandler']);
/** Route functions that record a legal hold: they copy the case's raw email out of the bucket's expiry first. */
const HOLDS_CASES: ReadonlySet<string> = new Set(['api/staff-actions#caseActionHandler']);

/**
 * What each page function uses beyond the table (least privilege per function, test/infra/stacks.test.ts):
 * residents' files stored by the complaint form and read back by the staff downloads and evidence packs, raw
 * inbound email read by the console (a case's emails, held email), the Cognito settings that verify a staff
 * session, and starting complaints or completing their tasks.
 */
interface PageUses {
  table: 'read' | 'readWrite';
  attachments?: 'put' | 'get';
  /**
   * 'read': downloads a case's raw email and held email (the original, or a legal hold's copy), and copies a
   * reply it attaches to a held case (deleting the copy if the case was anonymised meanwhile); 'hold': records
   * legal holds, copying the case's raw email first (and deleting those copies when the hold is then refused).
   */
  inboundEmail?: 'read' | 'hold';
  signIn?: true;
  workflow?: true;
  /** Deletes a case's attachments, letters and raw email (a granted erasure). */
  deletesRecords?: true;
}
const PAGE_USES: Readonly<Record<string, PageUses>> = {
  'web/resident-pages': { table: 'readWrite', attachments: 'put', workflow: true },
  'web/staff-sign-in': { table: 'read', signIn: true },
  'web/staff-pages': {
    table: 'readWrite',
    attachments: 'get',
    inboundEmail: 'read',
    signIn: true,
    workflow: true,
  },
  'web/case-pages': { table: 'readWrite', inboundEmail: 'hold', signIn: true, workflow: true },
  'web/report-pages': { table: 'readWrite', signIn: true },
  // The subject access ZIP carries the person's files; a granted erasure deletes a case's files and letters.
  'web/records-pages': { table: 'readWrite', attachments: 'get', signIn: true, deletesRecords: true },
};

/** What the route functions use besides the shared function wiring. */
export interface ComplaintRoutesProps {
  functions: AppFunctions;
  /** The API and the pages start complaints and complete staff tasks. */
  workflow: ComplaintWorkflow;
  /** Staff routes are authorised by its authorizer; the web pages verify its session cookie. */
  staff: StaffDirectory;
  /** Residents' attachments: stored by the complaint form, downloaded on the staff case page. */
  attachments: s3.IBucket;
  /**
   * Raw inbound email: the staff console downloads a case's emails and held email as received; recording a
   * legal hold copies the case's raw email under `held/`, out of the bucket's expiry.
   */
  inboundEmail: s3.IBucket;
  /** Letters for post: deleted with the case's other records by a granted erasure. */
  letters: s3.IBucket;
}

/** Why a route without the Cognito authorizer is unauthorised by design (cdk-nag APIG4), by access kind. */
const UNAUTHORISED_BY_DESIGN: Partial<Record<RouteDefinition['access'], string>> = {
  public:
    'A resident route: complaining must not need an account (Code section 3). Intake is throttled and idempotent; case routes are authorised in the handler by a signed, expiring, case-scoped link',
  'staff-page':
    "A staff page: the HTTP API's JWT authorizer reads only headers, so the handler verifies the Cognito session cookie (signature, issuer, audience, expiry) and sends anyone else to sign in",
  asset: 'Static govuk-frontend files (CSS, fonts, images) that every page needs before sign-in',
};

/**
 * The HTTP API: its throttled `$default` stage with access logs, CloudFront in front when WAF is on, and
 * (with {@link ComplaintApi.addRoutes}) one route per entry of `functions/routes.ts` with the functions behind
 * them: one per JSON API handler, one per page module (PAGE_FUNCTIONS), one for the govuk-frontend files.
 *
 * The routes come second because their functions' links need the API's address ({@link ComplaintApi.url}).
 *
 * @example
 * const api = new ComplaintApi(this, 'ComplaintApi', { prefix, providerName, key, webAclArn });
 * api.addRoutes(ALL_ROUTES, { functions, workflow, staff, attachments, inboundEmail, letters });
 */
export class ComplaintApi extends Capability {
  readonly api: apigw.HttpApi;
  readonly edge?: EdgeDistribution;
  /** Where residents and staff reach the service: CloudFront's address with WAF on, else the API's. */
  readonly url: string;
  private readonly routeFunctions = new Map<string, HouseFunction>();

  constructor(scope: Construct, id: string, props: ComplaintApiProps) {
    super(scope, id);
    const { prefix, key } = props;
    this.api = new apigw.HttpApi(this, 'Api', {
      apiName: `${prefix}-api`,
      description: `Complaints API for ${props.providerName}`,
      createDefaultStage: false,
    });
    if (props.webAclArn) {
      this.edge = new EdgeDistribution(this, 'EdgeDistribution', {
        prefix,
        api: this.api,
        webAclArn: props.webAclArn,
      });
    }
    this.url = this.edge ? this.edge.url : this.api.apiEndpoint;

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      logGroupName: `/aws/apigateway/${prefix}-api`,
      retention: logs.RetentionDays.SIX_MONTHS,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new apigw.CfnStage(this, 'DefaultStage', {
      apiId: this.api.apiId,
      stageName: '$default',
      autoDeploy: true,
      // Public routes face the internet: a steady rate with a small burst is plenty for complaints.
      defaultRouteSettings: { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
      accessLogSettings: {
        destinationArn: accessLogs.logGroupArn,
        format: JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          time: '$context.requestTime',
          method: '$context.httpMethod',
          route: '$context.routeKey',
          status: '$context.status',
          length: '$context.responseLength',
          latency: '$context.integrationLatency',
        }),
      },
    });
    stage.node.addDependency(this.api);
  }

  /** One route per definition, with the Cognito authorizer on staff routes and the function behind each. */
  addRoutes(routes: readonly RouteDefinition[], props: ComplaintRoutesProps): void {
    for (const route of routes) {
      const [created] = this.api.addRoutes({
        path: route.path,
        methods: [route.method === 'GET' ? apigw.HttpMethod.GET : apigw.HttpMethod.POST],
        integration: new HttpLambdaIntegration(
          `Int-${route.method}-${route.path}`,
          this.functionFor(route, props).fn,
        ),
        authorizer: route.access === 'staff' ? props.staff.authorizer : undefined,
      });
      const reason = UNAUTHORISED_BY_DESIGN[route.access];
      if (reason && created)
        Validations.of(created).acknowledge({ id: 'AwsSolutions::AwsSolutions-APIG4', reason });
    }
  }

  private functionFor(route: RouteDefinition, props: ComplaintRoutesProps): HouseFunction {
    const page = PAGE_FUNCTIONS[route.module];
    const key =
      route.access === 'asset' ? 'assets' : page ? route.module : `${route.module}#${route.exportName}`;
    const existing = this.routeFunctions.get(key);
    if (existing) return existing;
    const { functions, workflow } = props;
    let fn: HouseFunction;
    if (key === 'assets') {
      fn = functions.buildStatic(this, {
        name: 'web-assets',
        module: 'web/assets',
        exportName: 'handler',
        description: 'govuk-frontend CSS, JavaScript, fonts and images',
        // Only what functions/web/assets.ts serves; the pages reference each of these (test/infra).
        copy: [
          'assets',
          'govuk-frontend.min.css',
          'govuk-frontend.min.css.map',
          'govuk-frontend.min.js',
          'govuk-frontend.min.js.map',
        ].map((file) => ({ from: `node_modules/govuk-frontend/dist/govuk/${file}`, to: `govuk/${file}` })),
      });
    } else if (page) {
      const uses = PAGE_USES[route.module];
      if (!uses) throw new Error(`No grants listed for the page module ${route.module} (PAGE_USES)`);
      fn = functions.build(
        this,
        { name: page.name, module: page.entry, exportName: 'handler', description: page.description },
        { table: uses.table, http: true },
      );
      if (uses.attachments) fn.useAttachmentsBucket(props.attachments, uses.attachments);
      if (uses.inboundEmail) fn.useInboundEmailBucket(props.inboundEmail, ['s3:GetObject']);
      // Delete takes back the copies of a hold that was then refused, or of a reply attached to a held case, when
      // the case was anonymised meanwhile.
      if (uses.inboundEmail === 'read')
        fn.useHeldRawEmail(props.inboundEmail, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']);
      if (uses.inboundEmail === 'hold')
        fn.useHeldRawEmail(props.inboundEmail, ['s3:PutObject', 's3:DeleteObject']);
      if (uses.signIn) props.staff.configureSignIn(fn);
      if (uses.workflow) workflow.grantStartAndComplete(fn);
      if (uses.deletesRecords) fn.useRecordDeletion(props);
    } else {
      const readsOnly = READS_ONLY.has(key);
      fn = functions.build(
        this,
        {
          name: `${route.module.split('/').at(-1)}-${route.exportName.replace(/Handler$/, '')}`.toLowerCase(),
          module: route.module,
          exportName: route.exportName,
          description: route.summary,
        },
        { table: readsOnly ? 'read' : 'readWrite', http: true },
      );
      if (!readsOnly && !NO_WORKFLOW.has(key)) workflow.grantStartAndComplete(fn);
      if (HOLDS_CASES.has(key)) {
        fn.useInboundEmailBucket(props.inboundEmail, ['s3:GetObject']);
        fn.useHeldRawEmail(props.inboundEmail, ['s3:PutObject', 's3:DeleteObject']);
      }
      if (DELETES_RECORDS.has(key)) fn.useRecordDeletion(props);
    }
    this.routeFunctions.set(key, fn);
    return fn;
  }
}
