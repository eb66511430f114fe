import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { Capability } from './capability.ts';
import type { HouseFunction } from './house-function.ts';

/** The staff roles, one Cognito group each. */
export const STAFF_GROUPS = ['handler', 'reviewer', 'manager', 'admin'] as const;

export interface StaffDirectoryProps {
  prefix: string;
  /** Where residents and staff reach the service (CloudFront's address with WAF on): sign-in returns there. */
  appUrl: string;
}

/**
 * Staff accounts: the Cognito user pool (invitation only, MFA, Plus threat protection), one group per role,
 * the hosted sign-in domain, the console's app client (authorization code with PKCE, no secret), and the
 * HTTP API authorizer that accepts its tokens.
 *
 * @example
 * const staff = new StaffDirectory(this, 'StaffDirectory', { prefix, appUrl: api.url });
 * staff.configureSignIn(webPages);
 */
export class StaffDirectory extends Capability {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  readonly authorizer: HttpUserPoolAuthorizer;

  constructor(scope: Construct, id: string, props: StaffDirectoryProps) {
    super(scope, id);
    const { prefix, appUrl } = props;
    this.userPool = new cognito.UserPool(this, 'Staff', {
      userPoolName: `${prefix}-staff`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of STAFF_GROUPS) {
      new cognito.CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: `Complaints ${group}s`,
      });
    }
    this.domain = this.userPool.addDomain('SignIn', { cognitoDomain: { domainPrefix: prefix } });
    // A public client (no secret): the web pages sign staff in with the authorization code flow and PKCE.
    this.client = this.userPool.addClient('Console', {
      userPoolClientName: `${prefix}-console`,
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${appUrl}/staff/callback`],
        logoutUrls: [`${appUrl}/staff`],
      },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      preventUserExistenceErrors: true,
      // Staff cannot change their own email: it names them in the audit trail and in the stage 2 rule.
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    // API Gateway accepts a token whose `aud` or `client_id` is this client, so access tokens pass here too;
    // the handlers accept only ID tokens (token_use = id), so one person is always one `sub` with one email.
    this.authorizer = new HttpUserPoolAuthorizer('StaffAuthorizer', this.userPool, {
      userPoolClients: [this.client],
    });
  }

  /** Tells the function that verifies staff sessions (the web pages) where tokens come from and for whom. */
  configureSignIn(fn: HouseFunction): void {
    const region = Stack.of(this).region;
    fn.fn.addEnvironment(
      'COGNITO_ISSUER',
      `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`,
    );
    fn.fn.addEnvironment('COGNITO_CLIENT_ID', this.client.userPoolClientId);
    fn.fn.addEnvironment('COGNITO_DOMAIN', this.domain.baseUrl());
  }
}
