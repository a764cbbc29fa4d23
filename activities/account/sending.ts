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
import { ApplicationFailure } from '@temporalio/common';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { appendEvent, systemActor } from '../../db/events';
import * as t from '../../db/schema';
import { lockAccountRow, withConflictRetry } from '../../db/transactions';
import type { Instant } from '../../domain/facts';
import { Errors } from '../../domain/messages';
import type { Delivered, Mailer } from '../mail/mailer';
import { loadSettings, replyHoldsOf } from '../../db/account-facts';

export type SendResult = { status: 'sent' | 'suppressed' | 'unconfirmed'; reason?: string };

/** Waits out a brief database outage: once the mail is out, its record must not be given up. */
async function retryBriefly<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await withConflictRetry(fn);
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

const sentWhilePaying = (at: Date) => `sent while a payment was arriving: a payment recorded at ${at.toISOString()} reached the ledger while this message was being delivered`;
const mayHaveBeenSent = (at: Date | null, transport: string) =>
  `may have been sent at ${at ? at.toISOString() : 'an unknown time'}: the attempt stopped after handing it to the mail server (${transport}) and before its answer was recorded; confirm the client received it, or resend`;

export function createSendingActivities({ db, mailer }: { db: Db; mailer: Mailer }) {
  /**
   * sending → sent, for the attempt that owns the row (or that was marked unconfirmed while it was
   * still delivering: it now knows the answer). A payment recorded since the attempt started is told.
   */
  async function recordSent(input: { outboxId: string; attemptId: string; messageId: string; now: Date; delivered: Delivered; note?: string }): Promise<void> {
    await retryBriefly(() =>
      db.transaction(async (tx) => {
        const [msg] = await tx.select({ accountId: t.messages.accountId }).from(t.messages).where(eq(t.messages.id, input.messageId));
        await lockAccountRow(tx, msg.accountId);
        const [box] = await tx
          .update(t.outbox)
          .set({ status: 'sent', sentAt: input.now, providerMessageId: input.delivered.providerMessageId, emlPath: input.delivered.emlPath ?? null, lastError: null })
          .where(and(eq(t.outbox.id, input.outboxId), eq(t.outbox.attemptId, input.attemptId), inArray(t.outbox.status, ['sending', 'unconfirmed'])))
          .returning();
        if (!box) return; // another attempt already recorded the outcome
        // The check before the hand-over found exactly the message's amount owed; less owed now means
        // money arrived while the message was in flight. The latest payment says when.
        const [full] = await tx.select({ amountCents: t.messages.amountCents, invoiceIds: t.messages.invoiceIds }).from(t.messages).where(eq(t.messages.id, input.messageId));
        const owed = await tx
          .select({ balance: t.invoices.balanceCents })
          .from(t.invoices)
          .where(and(inArray(t.invoices.id, full.invoiceIds), eq(t.invoices.status, 'open')));
        const lessOwed = owed.reduce((s, r) => s + r.balance, 0) < full.amountCents;
        const [paid] = lessOwed
          ? await tx.select({ at: t.payments.createdAt }).from(t.payments).where(eq(t.payments.accountId, box.accountId)).orderBy(desc(t.payments.createdAt)).limit(1)
          : [];
        const note = [input.note, paid ? sentWhilePaying(paid.at) : null].filter(Boolean).join('; ') || null;
        const [m] = await tx
          .update(t.messages)
          .set({ status: 'sent', sentAt: input.now, sendNote: note })
          .where(and(eq(t.messages.id, input.messageId), inArray(t.messages.status, ['sending', 'unconfirmed'])))
          .returning();
        if (!m) return;
        await appendEvent(tx, {
          accountId: m.accountId,
          type: 'message.sent',
          actor: systemActor,
          data: { messageId: m.id, stepId: m.stepId, to: m.toEmail, subject: m.subject, transport: box.transport, tone: m.tone, ...(note ? { note } : {}) },
        });
        if (paid) {
          await appendEvent(tx, { accountId: m.accountId, type: 'message.sent_while_paying', actor: systemActor, data: { messageId: m.id, stepId: m.stepId, paymentRecordedAt: paid.at.toISOString(), note: sentWhilePaying(paid.at) } });
        }
      }),
    );
  }

  return {
    /**
     * Sends an approved message at most once. Every attempt, first or retried, re-checks the balance,
     * dispute and pause in one transaction with a lock on the account, so a payment recorded a moment
     * earlier — or while a crashed worker was down — wins. The outbox row keyed by account + step +
     * cycle makes a retry find the earlier attempt; one that finds it still `sending` asks the
     * transport, or leaves it to a person, rather than deliver a second time blindly.
     */
    sendMessage: (input: { accountId: string; messageId: string; now: Instant }): Promise<SendResult> => sendOnce(input),
  };

  async function sendOnce(input: { accountId: string; messageId: string; now: Instant }): Promise<SendResult> {
    const attemptId = randomUUID();
    const now = new Date(input.now);
    const decision = await withConflictRetry(() =>
      db.transaction(async (tx) => {
        await lockAccountRow(tx, input.accountId);
        const [msg] = await tx.select().from(t.messages).where(eq(t.messages.id, input.messageId)).for('update');
        if (!msg) throw ApplicationFailure.create({ type: Errors.NoSuchDraft, message: `message ${input.messageId} does not exist`, nonRetryable: true });
        const key = `${msg.accountId}:${msg.stepId}:${msg.cycleKey}`;
        const [box] = await tx.select().from(t.outbox).where(eq(t.outbox.idempotencyKey, key)).for('update');
        if (box?.status === 'sent') return { action: 'done' as const };
        if (box?.status === 'failed' || box?.status === 'withdrawn') return { action: 'skip' as const, reason: box.lastError ?? 'an earlier attempt was stopped' };
        if (box?.status === 'unconfirmed') return { action: 'unconfirmed' as const, reason: msg.sendNote ?? mayHaveBeenSent(box.attemptStartedAt, box.transport) };
        if (box?.status === 'sending') {
          // An earlier attempt handed the message over and never recorded the answer: it died, or
          // outlived its time. Either way this attempt must not deliver again without knowing.
          return { action: 'resolve' as const, msg, box, key };
        }
        if (msg.status !== 'approved') return { action: 'skip' as const, reason: `message is ${msg.status}` };

        const [account] = await tx.select().from(t.accounts).where(eq(t.accounts.id, msg.accountId));
        const owed = await tx
          .select({ balance: t.invoices.balanceCents })
          .from(t.invoices)
          .where(and(inArray(t.invoices.id, msg.invoiceIds), eq(t.invoices.status, 'open')));
        const stillOwed = owed.reduce((s, r) => s + r.balance, 0);
        const [dispute] = await tx.select({ id: t.disputes.id }).from(t.disputes).where(and(eq(t.disputes.accountId, msg.accountId), eq(t.disputes.status, 'open')));
        const [hold] = await replyHoldsOf(tx, msg.accountId, now);
        const reason =
          stillOwed === 0
            ? 'paid before the send'
            : stillOwed !== msg.amountCents
              ? 'the balance changed before the send'
              : dispute
                ? 'a dispute is open'
                : account?.paused
                  ? 'the account is paused'
                  : hold
                    ? `the client replied before the send: ${hold.reason}`
                    : null;
        if (reason) {
          await tx.update(t.messages).set({ status: 'suppressed', decisionReason: reason }).where(and(eq(t.messages.id, msg.id), eq(t.messages.status, 'approved')));
          if (box) await tx.update(t.outbox).set({ status: 'withdrawn', lastError: reason }).where(and(eq(t.outbox.id, box.id), eq(t.outbox.status, 'queued')));
          await appendEvent(tx, { accountId: msg.accountId, type: 'send.suppressed', actor: systemActor, data: { messageId: msg.id, stepId: msg.stepId, reason } });
          return { action: 'suppressed' as const, reason };
        }
        // approved → sending and queued → sending, before the hand-over: an attempt killed
        // mid-delivery leaves this trace, and a payment can no longer withdraw a message in flight.
        await tx.update(t.messages).set({ status: 'sending' }).where(and(eq(t.messages.id, msg.id), eq(t.messages.status, 'approved')));
        const claim = { status: 'sending' as const, attemptId, attemptStartedAt: sql`now()`, attempts: sql`${t.outbox.attempts} + 1` };
        const [row] = box
          ? await tx.update(t.outbox).set(claim).where(and(eq(t.outbox.id, box.id), eq(t.outbox.status, 'queued'))).returning({ id: t.outbox.id })
          : await tx
              .insert(t.outbox)
              .values({ idempotencyKey: key, messageId: msg.id, accountId: msg.accountId, toEmail: msg.toEmail, subject: msg.subject, transport: mailer.transport, status: 'sending', attemptId, attemptStartedAt: sql`now()`, attempts: 1 })
              .returning({ id: t.outbox.id });
        return { action: 'deliver' as const, msg, outboxId: row.id, key };
      }),
    );

    if (decision.action === 'done') return { status: 'sent' };
    if (decision.action === 'skip' || decision.action === 'suppressed') return { status: 'suppressed', reason: decision.reason };
    if (decision.action === 'unconfirmed') return { status: 'unconfirmed', reason: decision.reason };

    if (decision.action === 'resolve') {
      const { msg, box, key } = decision;
      const found = mailer.lookup ? await mailer.lookup(key) : undefined;
      if (found) {
        // The transport has it: the earlier attempt delivered, and only its record was lost.
        const [taken] = await db.update(t.outbox).set({ attemptId }).where(and(eq(t.outbox.id, box.id), eq(t.outbox.status, 'sending'))).returning({ id: t.outbox.id });
        if (taken) await recordSent({ outboxId: box.id, attemptId, messageId: msg.id, now, delivered: found, note: 'delivery confirmed by the transport after the sending attempt was interrupted' });
        return { status: 'sent' };
      }
      if (found === null) {
        // The transport can be asked and has nothing: deliver, as this attempt's own.
        const [taken] = await db
          .update(t.outbox)
          .set({ attemptId, attemptStartedAt: sql`now()`, attempts: sql`${t.outbox.attempts} + 1` })
          .where(and(eq(t.outbox.id, box.id), eq(t.outbox.status, 'sending'), eq(t.outbox.attemptId, box.attemptId ?? attemptId)))
          .returning({ id: t.outbox.id });
        if (!taken) return { status: 'suppressed', reason: 'another attempt took this send over' };
        return deliver(msg, box.id, key);
      }
      const reason = mayHaveBeenSent(box.attemptStartedAt, box.transport);
      await retryBriefly(() =>
        db.transaction(async (tx) => {
          await lockAccountRow(tx, msg.accountId);
          const [marked] = await tx
            .update(t.outbox)
            .set({ status: 'unconfirmed', lastError: reason })
            .where(and(eq(t.outbox.id, box.id), eq(t.outbox.status, 'sending')))
            .returning({ id: t.outbox.id });
          if (!marked) return;
          await tx.update(t.messages).set({ status: 'unconfirmed', sendNote: reason }).where(and(eq(t.messages.id, msg.id), eq(t.messages.status, 'sending')));
          await appendEvent(tx, { accountId: msg.accountId, type: 'message.send_unconfirmed', actor: systemActor, data: { messageId: msg.id, stepId: msg.stepId, startedAt: box.attemptStartedAt?.toISOString() ?? null, note: reason } });
        }),
      );
      return { status: 'unconfirmed', reason };
    }

    return deliver(decision.msg, decision.outboxId, decision.key);

    async function deliver(msg: t.Message, outboxId: string, key: string): Promise<SendResult> {
      const sender = (await loadSettings(db)).sender_identity;
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
        if (provablyNotDelivered(err)) {
          // sending → queued (and the message back to approved): the next attempt starts afresh.
          await db.transaction(async (tx) => {
            await lockAccountRow(tx, msg.accountId);
            const [released] = await tx
              .update(t.outbox)
              .set({ status: 'queued', lastError })
              .where(and(eq(t.outbox.id, outboxId), eq(t.outbox.attemptId, attemptId), eq(t.outbox.status, 'sending')))
              .returning({ id: t.outbox.id });
            if (released) await tx.update(t.messages).set({ status: 'approved' }).where(and(eq(t.messages.id, msg.id), eq(t.messages.status, 'sending')));
          });
        } else {
          await db.update(t.outbox).set({ lastError }).where(eq(t.outbox.id, outboxId));
        }
        throw err;
      }
      await recordSent({ outboxId, attemptId, messageId: msg.id, now, delivered });
      return { status: 'sent' };
    }
  }
}

export type SendingActivities = ReturnType<typeof createSendingActivities>;
