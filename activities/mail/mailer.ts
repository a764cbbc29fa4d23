/**
 * Where approved messages go. SMTP through nodemailer when SMTP_URL is set; otherwise a local outbox:
 * each message is written as an .eml file named by its idempotency key, so a retried send rewrites the
 * same file instead of adding a second one.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string | null;
  /** Stable per account + step + cycle; becomes the Message-ID so a receiving system can de-duplicate too. */
  idempotencyKey: string;
  /** Whose message this is: the Reply-To carries the account's token so a reply finds its way back. */
  accountId?: string;
}

/** Where replies go: the account's plus-address on the reply mailbox, or none (replies go to From). */
export type ReplyToFor = (accountId: string) => Promise<string | null>;

export interface Delivered {
  providerMessageId: string;
  emlPath?: string;
}

export interface Mailer {
  readonly transport: 'smtp' | 'outbox';
  send(mail: OutgoingMail): Promise<Delivered>;
  /**
   * Asks the transport whether the message with this idempotency key went out, for a send whose
   * attempt died between the hand-over and its record. Absent when the transport cannot be asked
   * (plain SMTP keeps no record we can query): then a person must confirm.
   */
  lookup?(idempotencyKey: string): Promise<Delivered | null>;
}

const messageIdFor = (key: string) => `<${key.replace(/[^A-Za-z0-9._-]/g, '.')}@tactful>`;

/**
 * Timeouts well inside the send activity's one-minute limit: a server that answers after the activity
 * was given up on would otherwise deliver the first attempt as well as the retry.
 */
const smtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

export function createSmtpMailer(url: string, options: { replyTo?: ReplyToFor } = {}): Mailer {
  const transporter = nodemailer.createTransport({ url, ...smtpTimeouts } as unknown as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    transport: 'smtp',
    async send(mail) {
      const info = await transporter.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html ?? undefined,
        messageId: messageIdFor(mail.idempotencyKey),
        replyTo: (mail.accountId && (await options.replyTo?.(mail.accountId))) || undefined,
      });
      return { providerMessageId: info.messageId };
    },
  };
}

export function createOutboxMailer(dir: string, options: { replyTo?: ReplyToFor } = {}): Mailer {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const fileFor = (key: string) => path.join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`);
  return {
    transport: 'outbox',
    async lookup(key) {
      const file = fileFor(key);
      try {
        await fs.access(file);
      } catch {
        return null;
      }
      return { providerMessageId: messageIdFor(key), emlPath: file };
    },
    async send(mail) {
      const messageId = messageIdFor(mail.idempotencyKey);
      const info = await transporter.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html ?? undefined,
        messageId,
        replyTo: (mail.accountId && (await options.replyTo?.(mail.accountId))) || undefined,
        date: new Date(),
      });
      await fs.mkdir(dir, { recursive: true });
      const file = fileFor(mail.idempotencyKey);
      // Written aside and renamed: the file exists only whole, so its presence is the delivery
      // that lookup() reports after a crash.
      const partial = `${file}.${process.pid}.partial`;
      await fs.writeFile(partial, info.message as Buffer);
      await fs.rename(partial, file);
      return { providerMessageId: messageId, emlPath: file };
    },
  };
}
