/**
 * Sending: an approved message delivered at most once, after the balance, dispute and pause are
 * re-checked in the send's own transaction.
 *
 * The send is a state machine in PostgreSQL (the outbox row, mirrored on the message):
 *   queued → sending (attempt id, started at) → sent | failed | withdrawn
 *   sending → unconfirmed   when an attempt died after the hand-over and the transport cannot be asked.
 * Each transition is an UPDATE … WHERE status = <the state it leaves> (and, from `sending`, the
 * attempt that owns it), so a late writer never overwrites what an earlier one recorded: "sent" never
 * replaces "withdrawn: the account has paid". A payment that lands while the message is in flight
 * cannot withdraw it (it is no longer `approved`); the record says so in words for a person.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import * as facts from '../../db/facts';
import type * as t from '../../db/schema';
import type { Instant } from '../../domain/facts';
import type { Delivered, Mailer } from '../mail/mailer';
import { refusedAsFailure } from './shared';

export type SendResult = { status: 'sent' | 'suppressed' | 'unconfirmed'; reason?: string };

/** Waits out a brief database outage: once the mail is out, its record must not be given up. */
async function retryBriefly<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await facts.withConflictRetry(fn);
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 500 * 2 ** i));
    }
  }
}

/**
 * True when the transport's error proves the message was not accepted: the server answered with a
 * refusal, or the conversation broke before the message text was handed over. A connection lost
 * during or after DATA proves nothing — the server may have accepted it.
 */
function provablyNotDelivered(err: unknown): boolean {
  const e = err as { responseCode?: unknown; command?: unknown; code?: unknown };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) return true;
  if (e.code === 'ECONNECTION' || e.code === 'ECONNREFUSED' || e.code === 'EAUTH' || e.code === 'EENVELOPE') return true;
  if (typeof e.command === 'string') return !/DATA|^\.$/i.test(e.command);
  return false;
}

export function createSendingActivities({ db, mailer }: { db: Db; mailer: Mailer }) {
  const recordSent = (input: Parameters<typeof facts.recordSent>[1]) => retryBriefly(() => facts.recordSent(db, input));

  return {
    /**
     * Sends an approved message at most once (db/facts/sends.ts holds its states). A retry that finds
     * an earlier attempt still `sending` asks the transport, or leaves it to a person, rather than
     * deliver a second time blindly.
     */
    sendMessage: (input: { accountId: string; messageId: string; now: Instant }): Promise<SendResult> => sendOnce(input),
  };

  async function sendOnce(input: { accountId: string; messageId: string; now: Instant }): Promise<SendResult> {
    const attemptId = randomUUID();
    const now = new Date(input.now);
    const decision = await refusedAsFailure(() => facts.claimSend(db, { accountId: input.accountId, messageId: input.messageId, attemptId, transport: mailer.transport, now }));

    if (decision.action === 'done') return { status: 'sent' };
    if (decision.action === 'skip' || decision.action === 'suppressed') return { status: 'suppressed', reason: decision.reason };
    if (decision.action === 'unconfirmed') return { status: 'unconfirmed', reason: decision.reason };

    if (decision.action === 'resolve') {
      const { msg, box, key } = decision;
      const found = mailer.lookup ? await mailer.lookup(key) : undefined;
      if (found) {
        // The transport has it: the earlier attempt delivered, and only its record was lost.
        if (await facts.takeOverSend(db, { outboxId: box.id, attemptId }))
          await recordSent({ outboxId: box.id, attemptId, messageId: msg.id, now, delivered: found, note: 'delivery confirmed by the transport after the sending attempt was interrupted' });
        return { status: 'sent' };
      }
      if (found === null) {
        // The transport can be asked and has nothing: deliver, as this attempt's own.
        if (!(await facts.reclaimSend(db, { outboxId: box.id, attemptId, previousAttemptId: box.attemptId }))) return { status: 'suppressed', reason: 'another attempt took this send over' };
        return deliver(msg, box.id, key);
      }
      const reason = facts.mayHaveBeenSent(box.attemptStartedAt, box.transport);
      await retryBriefly(() => facts.markSendUnconfirmed(db, { msg, box, reason }));
      return { status: 'unconfirmed', reason };
    }

    return deliver(decision.msg, decision.outboxId, decision.key);

    async function deliver(msg: t.Message, outboxId: string, key: string): Promise<SendResult> {
      const sender = (await facts.loadSettings(db)).sender_identity;
      let delivered: Delivered;
      try {
        delivered = await mailer.send({
          from: `${sender.name}, ${sender.company} <${sender.email}>`,
          to: msg.toEmail,
          subject: msg.subject,
          text: msg.bodyText,
          html: msg.bodyHtml,
          idempotencyKey: key,
          accountId: msg.accountId,
        });
      } catch (err) {
        const lastError = (err as Error).message.slice(0, 500);
        // Refused, or broken before the text was handed over: the next attempt starts afresh.
        if (provablyNotDelivered(err)) await facts.releaseSend(db, { accountId: msg.accountId, messageId: msg.id, outboxId, attemptId, lastError });
        else await facts.noteSendError(db, { outboxId, lastError });
        throw err;
      }
      await recordSent({ outboxId, attemptId, messageId: msg.id, now, delivered });
      return { status: 'sent' };
    }
  }
}

export type SendingActivities = ReturnType<typeof createSendingActivities>;
