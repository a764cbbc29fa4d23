/**
 * A real SMTP peer for tests (the `smtp-server` package): accepts mail on a local port and records
 * each message it acknowledged, parsed with mailparser. A message counts as delivered only once the
 * peer answered 250 to its DATA — the same rule a real mail server applies — so a held DATA whose
 * connection dies is not delivered.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  from: string;
  messageId: string | undefined;
  subject: string | undefined;
  text: string | undefined;
  parsed: ParsedMail;
}

export interface SmtpPeer {
  url: string;
  /** Messages the peer acknowledged, in order. */
  readonly received: ReceivedMail[];
  /** DATA commands the peer held and never acknowledged (the sender went away first). */
  readonly abandoned: ReceivedMail[];
  /** Holds the next DATA unanswered; resolves once a message has been read and is being held. */
  stallNextData(): Promise<ReceivedMail>;
  /** Refuses every held DATA (451) and drops those connections. */
  releaseStalled(): void;
  close(): Promise<void>;
}

export async function startSmtpPeer(): Promise<SmtpPeer> {
  const received: ReceivedMail[] = [];
  const abandoned: ReceivedMail[] = [];
  const held = new Map<string, { mail: ReceivedMail; answer: (err?: Error | null) => void }>();
  let stall: ((mail: ReceivedMail) => void) | undefined;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const mail: ReceivedMail = {
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            messageId: parsed.messageId,
            subject: parsed.subject,
            text: parsed.text,
            parsed,
          };
          if (stall) {
            const notify = stall;
            stall = undefined;
            held.set(session.id, { mail, answer: callback });
            notify(mail);
            return;
          }
          received.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
    onClose(session: SMTPServerSession) {
      const h = held.get(session.id);
      if (!h) return;
      held.delete(session.id);
      abandoned.push(h.mail);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    abandoned,
    stallNextData: () => new Promise<ReceivedMail>((resolve) => (stall = resolve)),
    releaseStalled() {
      for (const [id, h] of held) {
        held.delete(id);
        abandoned.push(h.mail);
        const err = Object.assign(new Error('Delivery aborted by the test peer'), { responseCode: 451 });
        h.answer(err);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const h of held.values()) h.answer(Object.assign(new Error('closing'), { responseCode: 421 }));
        held.clear();
        server.close(() => resolve());
      }),
  };
}
