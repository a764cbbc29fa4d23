/**
 * The send's states (below), and what a person decides about a send whose outcome nobody knows: the
 * attempt handed the message to the mail server and stopped before its answer was recorded, and the
 * transport could not be asked, so the message reads "may have been sent at …" (status `unconfirmed`). The person checks with the client:
 *
 *   unconfirmed → sent        "the client received it": recorded as sent, at the attempt's time, by whom;
 *   unconfirmed → superseded  "not received, send it again": the step is due again, so the workflow
 *                             drafts it anew (a person approves it as usual in copilot mode) and sends it
 *                             with the same Message-ID, which a mailbox that did get the first one drops.
 *
 * Each transition is conditional on the message still being `unconfirmed`, after the account row is
 * locked (the one lock order); a second click answers what the first one decided.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { replyHoldsOf } from '../account-facts';
import type { Db } from '../client';
import { appendEvent, systemActor, type EventActor } from '../events';
import { bumpFactsVersion, LedgerError, type FactWrite } from '../ledger';
import * as t from '../schema';
import { lockAccountRow, withConflictRetry } from '../transactions';
import { answerSettled, isAnswer } from './answers';
import { Errors, FactsRefused } from './refused';

export type DeliveryDecision = 'received' | 'not_received';

export async function decideUnconfirmedSend(
  db: Db,
  input: { messageId: string; decision: DeliveryDecision; userId: string | null; now: Date },
  actor: EventActor,
): Promise<FactWrite & { status: 'sent' | 'superseded' }> {
  return db.transaction(async (tx) => {
    const [seen] = await tx.select({ accountId: t.messages.accountId }).from(t.messages).where(eq(t.messages.id, input.messageId));
    if (!seen) throw new LedgerError('not_found', 'This message does not exist.');
    await lockAccountRow(tx, seen.accountId);
    const [msg] = await tx.select().from(t.messages).where(eq(t.messages.id, input.messageId)).for('update');
    if (msg.status !== 'unconfirmed') throw new LedgerError('conflict', `This message is ${msg.status} now; nothing to confirm.`);
    const [box] = await tx.select().from(t.outbox).where(eq(t.outbox.messageId, msg.id)).for('update');
    const who = actor.name ?? 'a person';
    if (input.decision === 'received') {
      const sentAt = box?.attemptStartedAt ?? input.now;
      await tx
        .update(t.messages)
        .set({ status: 'sent', sentAt, sendNote: `${msg.sendNote ?? 'may have been sent'}; ${who} confirmed the client received it` })
        .where(and(eq(t.messages.id, msg.id), eq(t.messages.status, 'unconfirmed')));
      if (box) await tx.update(t.outbox).set({ status: 'sent', sentAt }).where(and(eq(t.outbox.id, box.id), eq(t.outbox.status, 'unconfirmed')));
      await appendEvent(tx, { accountId: msg.accountId, type: 'message.delivery_confirmed', actor, data: { messageId: msg.id, stepId: msg.stepId, sentAt: sentAt.toISOString() } });
    } else {
      const reason = `not received by the client (checked by ${who}): the step is sent again`;
      await tx
        .update(t.messages)
        .set({ status: 'superseded', decisionReason: reason, decidedAt: input.now, decidedBy: input.userId })
        .where(and(eq(t.messages.id, msg.id), eq(t.messages.status, 'unconfirmed')));
      // The key (account + step + cycle) is freed for the new attempt; this row stays as the evidence.
      if (box)
        await tx
          .update(t.outbox)
          .set({ status: 'failed', lastError: reason, idempotencyKey: sql`${t.outbox.idempotencyKey} || ':not-received:' || ${t.outbox.id}` })
          .where(and(eq(t.outbox.id, box.id), eq(t.outbox.status, 'unconfirmed')));
      await appendEvent(tx, { accountId: msg.accountId, type: 'message.resend_requested', actor, data: { messageId: msg.id, stepId: msg.stepId, reason } });
    }
    return { accountId: msg.accountId, factsVersion: await bumpFactsVersion(tx, msg.accountId), status: input.decision === 'received' ? 'sent' : 'superseded' };
  });
}

// ---- the send's own transitions, for the sending activity (activities/account/sending.ts) ------------
//
// queued → sending (attempt id, started at) → sent | failed | withdrawn; sending → unconfirmed when an
// attempt died after the hand-over and the transport cannot be asked. Each transition is an UPDATE …
// WHERE status = <the state it leaves> (and, from `sending`, the attempt that owns it), after the
// account row is locked, so a late writer never overwrites what an earlier one recorded.

export const sentWhilePaying = (at: Date) => `sent while a payment was arriving: a payment recorded at ${at.toISOString()} reached the ledger while this message was being delivered`;
export const mayHaveBeenSent = (at: Date | null, transport: string) =>
  `may have been sent at ${at ? at.toISOString() : 'an unknown time'}: the attempt stopped after handing it to the mail server (${transport}) and before its answer was recorded; confirm the client received it, or resend`;


export type SendClaim =
  | { action: 'done' }
  | { action: 'skip'; reason: string }
  | { action: 'suppressed'; reason: string }
  | { action: 'unconfirmed'; reason: string }
  | { action: 'resolve'; msg: t.Message; box: typeof t.outbox.$inferSelect; key: string }
  | { action: 'deliver'; msg: t.Message; outboxId: string; key: string };

/**
 * Every attempt, first or retried, re-checks the balance, dispute, pause and reply holds with the
 * account locked, so a payment recorded a moment earlier — or while a crashed worker was down — wins;
 * then claims the send (approved → sending, queued → sending) before the hand-over. The outbox row keyed
 * by account + step + cycle makes a retry find the earlier attempt.
 */
export function claimSend(db: Db, input: { accountId: string; messageId: string; attemptId: string; transport: string; now: Date }): Promise<SendClaim> {
  const { attemptId, now } = input;
  return withConflictRetry(() =>
    db.transaction(async (tx) => {
      await lockAccountRow(tx, input.accountId);
      const [msg] = await tx.select().from(t.messages).where(eq(t.messages.id, input.messageId)).for('update');
      if (!msg) throw new FactsRefused(Errors.NoSuchDraft, `message ${input.messageId} does not exist`);
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
      // A reply's hold keeps written reminders back, not the answer to a question the client asked;
      // an answer states balances, so any change to them stops it (nothing owed is not a reason).
      const answer = isAnswer(msg);
      // A clerk who approved an answer on a disputed or paused account chose to answer the client.
      const approvedByPerson = answer && msg.requiresApproval;
      const [hold] = answer ? [] : await replyHoldsOf(tx, msg.accountId, now);
      const reason =
        answer && stillOwed !== msg.amountCents
          ? 'the balance changed before the send'
          : !answer && stillOwed === 0
          ? 'paid before the send'
          : stillOwed !== msg.amountCents
            ? 'the balance changed before the send'
            : dispute && !approvedByPerson
              ? 'a dispute is open'
              : account?.paused && !approvedByPerson
                ? 'the account is paused'
                : hold
                  ? `the client replied before the send: ${hold.reason}`
                  : null;
      if (reason) {
        await tx.update(t.messages).set({ status: 'suppressed', decisionReason: reason }).where(and(eq(t.messages.id, msg.id), eq(t.messages.status, 'approved')));
        if (box) await tx.update(t.outbox).set({ status: 'withdrawn', lastError: reason }).where(and(eq(t.outbox.id, box.id), eq(t.outbox.status, 'queued')));
        await appendEvent(tx, { accountId: msg.accountId, type: 'send.suppressed', actor: systemActor, data: { messageId: msg.id, stepId: msg.stepId, reason } });
        await answerSettled(tx, msg, { notSent: reason });
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
            .values({ idempotencyKey: key, messageId: msg.id, accountId: msg.accountId, toEmail: msg.toEmail, subject: msg.subject, transport: input.transport, status: 'sending', attemptId, attemptStartedAt: sql`now()`, attempts: 1 })
            .returning({ id: t.outbox.id });
      return { action: 'deliver' as const, msg, outboxId: row.id, key };
    }),
  );
}

/**
 * sending → sent, for the attempt that owns the row (or that was marked unconfirmed while it was
 * still delivering: it now knows the answer). A payment recorded since the attempt started is told.
 */
export function recordSent(db: Db, input: { outboxId: string; attemptId: string; messageId: string; now: Date; delivered: { providerMessageId: string; emlPath?: string | null }; note?: string }): Promise<void> {
  return db.transaction(async (tx) => {
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
    await answerSettled(tx, m, { sentAt: input.now });
    if (paid) {
      await appendEvent(tx, { accountId: m.accountId, type: 'message.sent_while_paying', actor: systemActor, data: { messageId: m.id, stepId: m.stepId, paymentRecordedAt: paid.at.toISOString(), note: sentWhilePaying(paid.at) } });
    }
  });
}

/** An attempt takes over a row left in `sending` whose delivery the transport confirmed. */
export async function takeOverSend(db: Db, input: { outboxId: string; attemptId: string }): Promise<boolean> {
  const [taken] = await db.update(t.outbox).set({ attemptId: input.attemptId }).where(and(eq(t.outbox.id, input.outboxId), eq(t.outbox.status, 'sending'))).returning({ id: t.outbox.id });
  return Boolean(taken);
}

/** An attempt takes over a row left in `sending` that the transport says it never received, to deliver it. */
export async function reclaimSend(db: Db, input: { outboxId: string; attemptId: string; previousAttemptId: string | null }): Promise<boolean> {
  const [taken] = await db
    .update(t.outbox)
    .set({ attemptId: input.attemptId, attemptStartedAt: sql`now()`, attempts: sql`${t.outbox.attempts} + 1` })
    .where(and(eq(t.outbox.id, input.outboxId), eq(t.outbox.status, 'sending'), eq(t.outbox.attemptId, input.previousAttemptId ?? input.attemptId)))
    .returning({ id: t.outbox.id });
  return Boolean(taken);
}

/** sending → unconfirmed: "may have been sent at …", for a person (decideUnconfirmedSend). */
export async function markSendUnconfirmed(db: Db, input: { msg: t.Message; box: typeof t.outbox.$inferSelect; reason: string }): Promise<void> {
  const { msg, box, reason } = input;
  await db.transaction(async (tx) => {
    await lockAccountRow(tx, msg.accountId);
    const [marked] = await tx
      .update(t.outbox)
      .set({ status: 'unconfirmed', lastError: reason })
      .where(and(eq(t.outbox.id, box.id), eq(t.outbox.status, 'sending')))
      .returning({ id: t.outbox.id });
    if (!marked) return;
    await tx.update(t.messages).set({ status: 'unconfirmed', sendNote: reason }).where(and(eq(t.messages.id, msg.id), eq(t.messages.status, 'sending')));
    await appendEvent(tx, { accountId: msg.accountId, type: 'message.send_unconfirmed', actor: systemActor, data: { messageId: msg.id, stepId: msg.stepId, startedAt: box.attemptStartedAt?.toISOString() ?? null, note: reason } });
  });
}

/** sending → queued (and the message back to approved) when the transport proved it did not take it. */
export async function releaseSend(db: Db, input: { accountId: string; messageId: string; outboxId: string; attemptId: string; lastError: string }): Promise<void> {
  await db.transaction(async (tx) => {
    await lockAccountRow(tx, input.accountId);
    const [released] = await tx
      .update(t.outbox)
      .set({ status: 'queued', lastError: input.lastError })
      .where(and(eq(t.outbox.id, input.outboxId), eq(t.outbox.attemptId, input.attemptId), eq(t.outbox.status, 'sending')))
      .returning({ id: t.outbox.id });
    if (released) await tx.update(t.messages).set({ status: 'approved' }).where(and(eq(t.messages.id, input.messageId), eq(t.messages.status, 'sending')));
  });
}

/** What the transport said when the outcome stays unknown; the row stays `sending` for the retry to resolve. */
export async function noteSendError(db: Db, input: { outboxId: string; lastError: string }): Promise<void> {
  await db.update(t.outbox).set({ lastError: input.lastError }).where(eq(t.outbox.id, input.outboxId));
}
