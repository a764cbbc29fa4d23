/**
 * Decisions people make on an account outside its drafts: a held payment released or dismissed, a
 * manager's answer to a service-pause or collections recommendation, a note on the paper trail. Each
 * locks the account row first, then the row it decides, and refuses (LedgerError) what was already
 * decided.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { appendEvent, type EventActor } from '../events';
import { LedgerError, recordPaymentIn, type PaymentWrite, type Tx } from '../ledger';
import { heldInput } from '../payment-holds';
import * as t from '../schema';
import { lockAccountRow } from '../transactions';

async function lockedHold(tx: Tx, holdId: string): Promise<t.PaymentHold> {
  const [seen] = await tx.select({ accountId: t.paymentHolds.accountId }).from(t.paymentHolds).where(eq(t.paymentHolds.id, holdId));
  if (!seen) throw new LedgerError('not_found', 'This held payment does not exist.');
  await lockAccountRow(tx, seen.accountId);
  const [hold] = await tx.select().from(t.paymentHolds).where(eq(t.paymentHolds.id, holdId)).for('update');
  if (hold.status !== 'held') throw new LedgerError('conflict', `This payment was already ${hold.status}.`);
  return hold;
}

/** A held payment was a second, real payment after all: it is credited as it arrived. */
export async function releaseHeldPayment(db: Db, input: { holdId: string; userId: string | null; now: Date }, actor: EventActor): Promise<PaymentWrite> {
  return db.transaction(async (tx) => {
    const hold = await lockedHold(tx, input.holdId);
    const w = await recordPaymentIn(tx, heldInput(hold), actor);
    await tx.update(t.paymentHolds).set({ status: 'released', decidedAt: input.now, decidedBy: input.userId, paymentId: w.paymentId }).where(eq(t.paymentHolds.id, hold.id));
    await appendEvent(tx, { accountId: hold.accountId, type: 'payment.hold_released', actor, data: { holdId: hold.id, paymentId: w.paymentId, amountCents: hold.amountCents } });
    return w;
  });
}

/** A held payment was the same payment delivered again: nothing is credited. */
export async function dismissHeldPayment(db: Db, input: { holdId: string; userId: string | null; now: Date }, actor: EventActor): Promise<{ id: string; accountId: string }> {
  return db.transaction(async (tx) => {
    const hold = await lockedHold(tx, input.holdId);
    await tx.update(t.paymentHolds).set({ status: 'dismissed', decidedAt: input.now, decidedBy: input.userId }).where(eq(t.paymentHolds.id, hold.id));
    await appendEvent(tx, { accountId: hold.accountId, type: 'payment.hold_dismissed', actor, data: { holdId: hold.id, amountCents: hold.amountCents } });
    return { id: hold.id, accountId: hold.accountId };
  });
}

/**
 * A manager's answer to a recommendation. `paperTrail` reads, inside the transaction, what the
 * manager saw (balance, messages sent, calls, promises): it is stored on the event as the reason's
 * context, and an approval with nothing owed is refused.
 */
export async function decideRecommendation<S extends { balanceCents: number }>(
  db: Db,
  input: { recommendationId: string; decision: 'approve' | 'decline'; reason: string; userId: string | null; now: Date; paperTrail: (tx: Tx) => Promise<S> },
  actor: EventActor,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [seen] = await tx.select({ accountId: t.recommendations.accountId }).from(t.recommendations).where(eq(t.recommendations.id, input.recommendationId));
    if (!seen) throw new LedgerError('not_found', 'This recommendation does not exist.');
    await lockAccountRow(tx, seen.accountId);
    const [locked] = await tx.select().from(t.recommendations).where(eq(t.recommendations.id, input.recommendationId)).for('update');
    if (locked.status !== 'pending') throw new RecommendationDecided(locked.status, locked.decidedAt);
    const summary = await input.paperTrail(tx);
    if (input.decision === 'approve' && summary.balanceCents === 0) throw new LedgerError('conflict', 'Nothing is owed on this account any more; decline the recommendation instead.');
    const status = input.decision === 'approve' ? ('approved' as const) : ('declined' as const);
    await tx
      .update(t.recommendations)
      .set({ status, decidedAt: input.now, decidedBy: input.userId, reason: input.reason })
      .where(and(eq(t.recommendations.id, locked.id), eq(t.recommendations.status, 'pending')));
    const common = { recommendationId: locked.id, kind: locked.kind, reason: input.reason };
    await appendEvent(tx, { accountId: locked.accountId, type: `recommendation.${status}`, actor, data: { ...common, paperTrail: summary } });
    if (status === 'approved' && locked.kind === 'collections') await appendEvent(tx, { accountId: locked.accountId, type: 'collections.referred', actor, data: { ...common, ...summary } });
  });
}

export class RecommendationDecided extends Error {
  override readonly name = 'RecommendationDecided';
  constructor(
    readonly status: string,
    readonly decidedAt: Date | null,
  ) {
    super(`This recommendation is already ${status}${decidedAt ? ` (${decidedAt.toISOString()})` : ''}.`);
  }
}

/** A person's note on the account's paper trail; answers the event's id. */
export async function addNote(db: Db, input: { accountId: string; text: string }, actor: EventActor): Promise<void> {
  await appendEvent(db, { accountId: input.accountId, type: 'note.added', actor, data: { text: input.text } });
}
