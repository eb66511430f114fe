import { BaseProvider } from '@aws-lambda-powertools/parameters/base';

/**
 * Secrets Manager through Powertools Parameters' cache. The SDK client is imported when first needed, so a
 * function that reads no secret (static files without WAF, tests) never loads the SDK, which Lambda
 * provides and the bundles leave out.
 */
export class SecretsManagerReader extends BaseProvider {
  private secretsManager?: Promise<{ send(command: unknown): Promise<{ SecretString?: string }> }>;
  private command?: new (input: {
    SecretId: string;
  }) => unknown;

  /** @param wrap instruments the client when it is built (the handlers' tracer). */
  constructor(private readonly wrap: <Client>(client: Client) => Client = (client) => client) {
    super({});
  }

  protected async _get(name: string): Promise<string | undefined> {
    this.secretsManager ??= import('@aws-sdk/client-secrets-manager').then((sdk) => {
      this.command = sdk.GetSecretValueCommand;
      return this.wrap(new sdk.SecretsManagerClient({}));
    });
    const client = await this.secretsManager;
    if (!this.command) throw new Error('The Secrets Manager SDK did not load');
    return (await client.send(new this.command({ SecretId: name }))).SecretString;
  }

  protected async _getMultiple(): Promise<Record<string, unknown>> {
    throw new Error('Secrets are read one at a time');
  }
}
