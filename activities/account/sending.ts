/**
 * Sending: an approved message delivered at most once, after the balance, dispute and pause are
 * re-checked in the send's own transaction.
 */
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { appendEvent, systemActor } from '../../db/events';
import * as t from '../../db/schema';
import type { Instant } from '../../domain/facts';
import { Errors } from '../../domain/messages';
import type { Mailer } from '../mail/mailer';
import { loadSettings } from '../../db/account-facts';

async function retryBriefly<T>(fn: () => Promise<T>, attempts = 6): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 500 * 2 ** i));
    }
  }
}

export function createSendingActivities({ db, mailer }: { db: Db; mailer: Mailer }) {
  return {
    /**
     * Sends an approved message at most once. Every attempt, first or retried, re-checks the balance,
     * dispute and pause in one transaction with a lock on the account, so a payment recorded a moment
     * earlier — or while a crashed worker was down — wins. The outbox row keyed by account + step +
     * cycle makes a retry find the earlier attempt instead of starting a second one.
     */
    async sendMessage(input: { accountId: string; messageId: string; now: Instant }): Promise<{ status: 'sent' | 'suppressed'; reason?: string }> {
      const decision = await db.transaction(async (tx) => {
        await tx.execute(sql`select id from ${t.accounts} where id = ${input.accountId} for update`);
        const [msg] = await tx.select().from(t.messages).where(eq(t.messages.id, input.messageId)).for('update');
        if (!msg) throw ApplicationFailure.create({ type: Errors.NoSuchDraft, message: `message ${input.messageId} does not exist`, nonRetryable: true });
        const key = `${msg.accountId}:${msg.stepId}:${msg.cycleKey}`;
        const [box] = await tx.select().from(t.outbox).where(eq(t.outbox.idempotencyKey, key));
        if (box?.status === 'sent') return { action: 'done' as const };
        if (box?.status === 'failed') return { action: 'skip' as const, reason: box.lastError ?? 'an earlier attempt was stopped' };
        if (msg.status !== 'approved') return { action: 'skip' as const, reason: `message is ${msg.status}` };

        const [account] = await tx.select().from(t.accounts).where(eq(t.accounts.id, msg.accountId));
        const owed = await tx
          .select({ balance: t.invoices.balanceCents })
          .from(t.invoices)
          .where(and(inArray(t.invoices.id, msg.invoiceIds), eq(t.invoices.status, 'open')));
        const stillOwed = owed.reduce((s, r) => s + r.balance, 0);
        const [dispute] = await tx.select({ id: t.disputes.id }).from(t.disputes).where(and(eq(t.disputes.accountId, msg.accountId), eq(t.disputes.status, 'open')));
        const reason =
          stillOwed === 0 ? 'paid before the send' : stillOwed !== msg.amountCents ? 'the balance changed before the send' : dispute ? 'a dispute is open' : account?.paused ? 'the account is paused' : null;
        if (reason) {
          await tx.update(t.messages).set({ status: 'suppressed', decisionReason: reason }).where(eq(t.messages.id, msg.id));
          if (box) await tx.update(t.outbox).set({ status: 'failed', lastError: reason }).where(eq(t.outbox.id, box.id));
          await appendEvent(tx, { accountId: msg.accountId, type: 'send.suppressed', actor: systemActor, data: { messageId: msg.id, stepId: msg.stepId, reason } });
          return { action: 'suppressed' as const, reason };
        }
        // Counted before the attempt, so an attempt killed mid-delivery still leaves its trace.
        const outboxId = box
          ? (await tx.update(t.outbox).set({ attempts: sql`${t.outbox.attempts} + 1` }).where(eq(t.outbox.id, box.id)).returning({ id: t.outbox.id }))[0].id
          : (
              await tx
                .insert(t.outbox)
                .values({ idempotencyKey: key, messageId: msg.id, accountId: msg.accountId, toEmail: msg.toEmail, subject: msg.subject, transport: mailer.transport, attempts: 1 })
                .returning({ id: t.outbox.id })
            )[0].id;
        return { action: 'deliver' as const, msg, outboxId, key };
      });

      if (decision.action === 'done') return { status: 'sent' };
      if (decision.action !== 'deliver') return { status: 'suppressed', reason: decision.reason };

      const { msg, outboxId, key } = decision;
      const sender = (await loadSettings(db)).sender_identity;
      let delivered: Awaited<ReturnType<Mailer['send']>>;
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
        await db.update(t.outbox).set({ lastError: (err as Error).message.slice(0, 500) }).where(eq(t.outbox.id, outboxId));
        throw err;
      }
      // The mail is out: recording it must not fail into a retry that would send it again, so a
      // brief database hiccup is waited out here rather than thrown.
      await retryBriefly(() =>
        db.transaction(async (tx) => {
          const now = new Date(input.now);
          await tx
            .update(t.outbox)
            .set({ status: 'sent', sentAt: now, providerMessageId: delivered.providerMessageId, emlPath: delivered.emlPath ?? null, lastError: null })
            .where(eq(t.outbox.id, outboxId));
          await tx.update(t.messages).set({ status: 'sent', sentAt: now }).where(eq(t.messages.id, msg.id));
          await appendEvent(tx, {
            accountId: msg.accountId,
            type: 'message.sent',
            actor: systemActor,
            data: { messageId: msg.id, stepId: msg.stepId, to: msg.toEmail, subject: msg.subject, transport: mailer.transport, tone: msg.tone },
          });
        }),
      );
      return { status: 'sent' };
    },
  };
}

export type SendingActivities = ReturnType<typeof createSendingActivities>;
