import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { complaintsInbox, isInboxDomain } from '#shared/domain/email.ts';
import * as emailIntake from '../../functions/email/intake.ts';
import { s3ObjectCreated } from '../../functions/lib/s3-events.ts';
import { lambdaContext } from './local-step-functions.ts';
import type { LocalSystem } from './system.ts';

/** SES accepts messages up to 40 MB; locally 10 MB is plenty and keeps a mistake from filling the disk. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** The bucket name the local S3 events carry (the handler reads the key from the inbound store). */
export const LOCAL_INBOUND_BUCKET = 'local-inbound';

export interface SmtpListener {
  url: string;
  port: number;
  /** Where complaints are sent: the profile's complaints inbox. */
  inbox: string;
  stop(): Promise<void>;
}

/**
 * The inbound email stand-in: what SES's receipt rule does in AWS (store the raw message, then notify the
 * email-intake function with an S3 event), done over SMTP on this machine. Any recipient at the inbox's
 * domain is accepted, plus-addressed case reply addresses included; others get 550.
 */
export async function startSmtpListener(
  system: LocalSystem,
  options: { host?: string; port?: number; log?: (line: string) => void } = {},
): Promise<SmtpListener> {
  const host = options.host ?? '127.0.0.1';
  const inbox = complaintsInbox(system.deps.context.profile);
  const store = system.deps.inboundEmail;
  if (!store) throw new Error('The local system has no inbound email store');
  let sequence = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    banner: 'complaints local inbound email',
    onRcptTo(address, _session, callback) {
      if (isInboxDomain(address.address, inbox)) return callback();
      callback(Object.assign(new Error(`No mailbox here: send to ${inbox}`), { responseCode: 550 }));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded) {
          return callback(
            Object.assign(new Error('The message is larger than 10 MB'), { responseCode: 552 }),
          );
        }
        const receivedAt = new Date();
        const key = `${receivedAt.toISOString().slice(0, 10)}/${receivedAt.getTime()}-${++sequence}.eml`;
        try {
          const raw = Buffer.concat(chunks);
          await store.put(key, raw, 'message/rfc822');
          const event = s3ObjectCreated({
            bucket: LOCAL_INBOUND_BUCKET,
            key,
            size: raw.length,
            time: receivedAt.toISOString(),
          });
          await system.sfn.track(() =>
            emailIntake.handler(event, lambdaContext('local:email-intake') as never),
          );
          callback(null, `Received as ${key}`);
        } catch (error) {
          options.log?.(`inbound email ${key} failed: ${(error as Error).message}`);
          // A temporary failure: the sender's server tries again, as SES would retry the function.
          callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        }
      });
    },
  });
  await new Promise<void>((ready, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, host, () => ready());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${host}:${port}`,
    port,
    inbox,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
