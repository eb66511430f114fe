import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../ports/notifications.ts';
import { type ClientSource, clientOf } from './sdk-client.ts';

/** Imported on the first send: most invocations of most functions send nothing (ADR 0010). */
const sdk = () => import('@aws-sdk/client-sesv2');

export class SesMailer implements Mailer {
  private readonly client: () => Promise<SESv2Client>;

  constructor(
    private readonly configurationSetName?: string,
    client: ClientSource<SESv2Client> = async () => new (await sdk()).SESv2Client({}),
  ) {
    this.client = clientOf(client);
  }

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const [{ SendEmailCommand }, client] = await Promise.all([sdk(), this.client()]);
    const result = await client.send(
      new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: email.to, CcAddresses: email.cc },
        ReplyToAddresses: email.replyTo,
        ConfigurationSetName: this.configurationSetName,
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
            Headers: Object.entries(email.headers ?? {}).map(([Name, Value]) => ({ Name, Value })),
          },
        },
      }),
    );
    return { messageId: result.MessageId ?? '' };
  }
}
