import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../ports/notifications.ts';

export class SesMailer implements Mailer {
  constructor(
    private readonly configurationSetName?: string,
    private readonly client: SESv2Client = new SESv2Client({}),
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const result = await this.client.send(
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
