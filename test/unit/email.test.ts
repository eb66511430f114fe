import { describe, expect, it } from 'vitest';
import {
  candidateSentIds,
  displayNameOf,
  failedVerdicts,
  forwardedSender,
  type InboundEmail,
  ignoredBecause,
  isInboxDomain,
  messageKey,
  readVerdicts,
  referenceFromReplyAddress,
  referencesIn,
  replyAddressFor,
  trimQuotedHistory,
} from '#shared/domain/email.ts';

const KEY = 'unit-test-link-signing-key-0123456789';
const INBOX = 'complaints@landlord.example';

function email(overrides: Partial<InboundEmail> = {}): InboundEmail {
  return {
    messageId: 'm1@resident.example',
    receivedAt: '2026-03-02T10:00:00.000Z',
    from: { address: 'ada@resident.example' },
    to: [{ address: INBOX }],
    cc: [],
    subject: 'Boiler',
    text: 'Broken',
    referencedIds: [],
    headers: [],
    mimeType: 'text/plain',
    attachments: [],
    ...overrides,
  };
}

describe('the per-case reply address', () => {
  it('names the case, and a changed reference or signature is not ours', () => {
    const address = replyAddressFor(INBOX, KEY, 'CMP-2026-000123');
    expect(address).toMatch(/^complaints\+cmp-2026-000123\.[0-9a-f]{12}@landlord\.example$/);
    expect(referenceFromReplyAddress(address.toUpperCase(), INBOX, KEY)).toBe('CMP-2026-000123');
    const forged = address.replace('000123', '000124');
    expect(referenceFromReplyAddress(forged, INBOX, KEY)).toBeUndefined();
    expect(referenceFromReplyAddress(address, INBOX, 'another-key-0123456789-0123456789')).toBeUndefined();
    expect(referenceFromReplyAddress(address.replace('landlord', 'elsewhere'), INBOX, KEY)).toBeUndefined();
  });
});

describe('auto-replies, bounces and loops', () => {
  it.each([
    [[{ name: 'auto-submitted', value: 'auto-generated' }], 'auto-reply'],
    [[{ name: 'x-autorespond', value: 'yes' }], 'auto-reply'],
    [[{ name: 'precedence', value: 'bulk' }], 'auto-reply'],
    [[{ name: 'precedence', value: 'list' }], 'auto-reply'],
    [[{ name: 'x-alert', value: 'new-task' }], 'own-message'],
  ])('%j is %s', (headers, reason) => {
    expect(ignoredBecause(email({ headers }), [INBOX])?.reason).toBe(reason);
  });

  it('Auto-Submitted: no is a person writing', () => {
    expect(
      ignoredBecause(email({ headers: [{ name: 'auto-submitted', value: 'no' }] }), [INBOX]),
    ).toBeUndefined();
  });

  it('a postmaster sender or our own address', () => {
    expect(ignoredBecause(email({ from: { address: 'postmaster@x.example' } }), [INBOX])?.reason).toBe(
      'bounce',
    );
    expect(ignoredBecause(email({ from: { address: 'Complaints@Landlord.example' } }), [INBOX])?.reason).toBe(
      'own-message',
    );
  });
});

describe('verdicts', () => {
  it('trusts only the receiving server’s headers, which come first', () => {
    const verdicts = readVerdicts(
      email({
        headers: [
          { name: 'x-ses-spam-verdict', value: 'FAIL' },
          {
            name: 'authentication-results',
            value: 'amazonses.com; spf=fail smtp.mailfrom=x; dkim=pass; dmarc=fail',
          },
          { name: 'authentication-results', value: 'forged.example; spf=pass; dmarc=pass' },
          { name: 'x-ses-spam-verdict', value: 'PASS' },
        ],
      }),
    );
    expect(verdicts).toEqual({ spf: 'fail', dkim: 'pass', dmarc: 'fail', spam: 'fail', virus: 'none' });
  });
});

describe('quoted history', () => {
  it.each([
    ['Thanks\n\nOn Mon, 2 Mar 2026 at 10:00, Us <c@l.example> wrote:\n> old', 'Thanks'],
    ['Thanks\n> old\n> older', 'Thanks'],
    ['Thanks\n-----Original Message-----\nFrom: us', 'Thanks'],
    ['Thanks\n________________________________\nFrom: us\nSent: today', 'Thanks'],
    ['> only quoted text', '> only quoted text'],
  ])('%j -> %j', (text, own) => {
    expect(trimQuotedHistory(text)).toBe(own);
  });
});

it('a reply refers to our sent ids by the whole id and its local part', () => {
  expect(candidateSentIds(email({ referencedIds: ['abc@eu-west-2.amazonses.com', 'x'] }))).toEqual([
    'abc@eu-west-2.amazonses.com',
    'abc',
    'x',
  ]);
});

describe('the smaller email rules', () => {
  it('finds every case reference in a subject, whatever its case', () => {
    expect(referencesIn('Re: cmp-2026-000123 and CMP-2025-000009')).toEqual([
      'CMP-2026-000123',
      'CMP-2025-000009',
    ]);
    expect(referencesIn('Re: CMP-26-123')).toEqual([]);
  });

  it('lists the failed checks only (pass, none and neutral are not failures)', () => {
    expect(
      failedVerdicts({
        spf: 'fail',
        dkim: 'pass',
        dmarc: 'softfail',
        spam: 'none',
        virus: 'permerror',
      } as never),
    ).toEqual(['spf', 'dmarc', 'virus']);
  });

  it('accepts any address at the inbox domain', () => {
    expect(isInboxDomain('anyone+x@LANDLORD.example', INBOX)).toBe(true);
    expect(isInboxDomain('anyone@landlord.example.evil', INBOX)).toBe(false);
    expect(isInboxDomain('not-an-address', INBOX)).toBe(false);
  });

  it('finds the original sender of a forwarded message', () => {
    const text =
      'FYI\n---------- Forwarded message ---------\nFrom: "Ada Resident" <Ada@Resident.example>\nHello';
    expect(forwardedSender({ subject: 'Fwd: boiler', text })).toEqual({
      address: 'ada@resident.example',
      name: 'Ada Resident',
    });
    expect(forwardedSender({ subject: 'Boiler', text: 'From: someone@example.org' })).toBeUndefined();
  });

  it('names a sender by display name, without control characters, else by the local part', () => {
    expect(displayNameOf({ address: 'ada@resident.example', name: ' Ada\u200b Resident ' })).toBe(
      'Ada Resident',
    );
    expect(displayNameOf({ address: 'ada@resident.example' })).toBe('ada');
  });

  it('keys a message id by a fixed-length hash', () => {
    expect(messageKey('m1@resident.example')).toMatch(/^[0-9a-f]{64}$/);
    expect(messageKey('m1@resident.example')).not.toBe(messageKey('m2@resident.example'));
  });
});
