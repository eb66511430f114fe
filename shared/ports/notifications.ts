export interface OutgoingEmail {
  from: string;
  to: string[];
  cc?: string[];
  replyTo?: string[];
  subject: string;
  text: string;
  html: string;
  /** Correlation headers (case id, template key); never secrets. */
  headers?: Record<string, string>;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** Where rendered letters for post are queued (S3 in AWS, a folder locally). */
export interface LetterStore {
  put(key: string, content: string): Promise<{ location: string }>;
  /** Deletes every letter stored for the case (keys `<caseId>/...`); returns how many there were. */
  deleteCase(caseId: string): Promise<number>;
}
