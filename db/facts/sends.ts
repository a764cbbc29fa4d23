/**
 * What a person decides about a send whose outcome nobody knows: the attempt handed the message to the
 * mail server and stopped before its answer was recorded, and the transport could not be asked, so the
 * message reads "may have been sent at …" (status `unconfirmed`). The person checks with the client:
 *
 *   unconfirmed → sent        "the client received it": recorded as sent, at the attempt's time, by whom;
 *   unconfirmed → superseded  "not received, send it again": the step is due again, so the workflow
 *                             drafts it anew (a person approves it as usual in copilot mode) and sends it
 *                             with the same Message-ID, which a mailbox that did get the first one drops.
 *
 * Each transition is conditional on the message still being `unconfirmed`, after the account row is
 * locked (the one lock order); a second click answers what the first one decided.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { appendEvent, type EventActor } from '../events';
import { LedgerError, type FactWrite } from '../ledger';
import * as t from '../schema';
import { lockAccountRow } from '../transactions';

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
    const [acc] = await tx
      .update(t.accounts)
      .set({ factsVersion: sql`${t.accounts.factsVersion} + 1`, updatedAt: sql`now()` })
      .where(eq(t.accounts.id, msg.accountId))
      .returning({ v: t.accounts.factsVersion });
    return { accountId: msg.accountId, factsVersion: acc.v, status: input.decision === 'received' ? 'sent' : 'superseded' };
  });
}
