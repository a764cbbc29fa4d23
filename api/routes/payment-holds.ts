/**
 * Payments held as possible duplicates (db/payment-holds.ts), for a manager to release (credit it as
 * it arrived) or dismiss (it was the same payment again). Integration tokens cannot decide: the point
 * of the hold is that a person looks.
 */
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendEvent } from '../../db/events';
import * as ledger from '../../db/ledger';
import { heldInput } from '../../db/payment-holds';
import * as t from '../../db/schema';
import { Cents, FactWriteResponse, Instant, Uuid } from '../../domain/api/common';
import { problems } from '../problems';
import { route } from '../routing';
import { IdParams, iso, signalFacts, userIdOf } from './support';

const PaymentHoldItem = z.object({
  id: Uuid,
  accountId: Uuid,
  accountName: z.string(),
  amountCents: Cents,
  reference: z.string(),
  receivedAt: Instant,
  matchesPaymentId: Uuid,
  createdAt: Instant,
});

async function heldOrConflict(tx: ledger.Tx, id: string): Promise<t.PaymentHold> {
  const [hold] = await tx.select().from(t.paymentHolds).where(eq(t.paymentHolds.id, id)).for('update');
  if (!hold) throw problems.notFound('This held payment');
  if (hold.status !== 'held') throw problems.conflict(`This payment was already ${hold.status}.`);
  return hold;
}

export const paymentHoldRoutes = [
  route({
    method: 'get',
    path: '/api/payment-holds',
    summary: 'Payments held as possible duplicates, waiting for a manager',
    tag: 'ingestion',
    access: { kind: 'permission', permission: 'payments:release' },
    response: z.object({ items: z.array(PaymentHoldItem) }),
    async handler({ deps }) {
      const rows = await deps.db.db
        .select({ h: t.paymentHolds, accountName: t.accounts.name })
        .from(t.paymentHolds)
        .innerJoin(t.accounts, eq(t.accounts.id, t.paymentHolds.accountId))
        .where(eq(t.paymentHolds.status, 'held'))
        .orderBy(asc(t.paymentHolds.createdAt))
        .limit(500);
      return {
        items: rows.map(({ h, accountName }) => ({ id: h.id, accountId: h.accountId, accountName, amountCents: h.amountCents, reference: h.reference, receivedAt: iso(heldInput(h).receivedAt), matchesPaymentId: h.matchesPaymentId, createdAt: iso(h.createdAt) })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/payment-holds/:id/release',
    summary: 'Credit a held payment after all: it was a second, real payment',
    tag: 'ingestion',
    access: { kind: 'permission', permission: 'payments:release' },
    params: IdParams,
    response: FactWriteResponse.extend({ paymentId: Uuid }),
    async handler({ deps, params, actor, wfActor, principal, now }) {
      const out = await deps.db.db.transaction(async (tx) => {
        const hold = await heldOrConflict(tx, params.id);
        const w = await ledger.recordPaymentIn(tx, heldInput(hold), actor);
        await tx.update(t.paymentHolds).set({ status: 'released', decidedAt: now, decidedBy: userIdOf(principal), paymentId: w.paymentId }).where(eq(t.paymentHolds.id, hold.id));
        await appendEvent(tx, { accountId: hold.accountId, type: 'payment.hold_released', actor, data: { holdId: hold.id, paymentId: w.paymentId, amountCents: hold.amountCents } });
        return w;
      });
      const workflow = await signalFacts(deps, out.accountId, out.factsVersion, 'payment_recorded', wfActor, { balanceCents: out.balanceCents });
      return { accountId: out.accountId, factsVersion: out.factsVersion, paymentId: out.paymentId, workflow };
    },
  }),
  route({
    method: 'post',
    path: '/api/payment-holds/:id/dismiss',
    summary: 'Dismiss a held payment: it was the same payment delivered again; nothing is credited',
    tag: 'ingestion',
    access: { kind: 'permission', permission: 'payments:release' },
    params: IdParams,
    response: z.object({ id: Uuid, status: z.literal('dismissed') }),
    async handler({ deps, params, actor, principal, now }) {
      return deps.db.db.transaction(async (tx) => {
        const hold = await heldOrConflict(tx, params.id);
        await tx.update(t.paymentHolds).set({ status: 'dismissed', decidedAt: now, decidedBy: userIdOf(principal) }).where(and(eq(t.paymentHolds.id, hold.id)));
        await appendEvent(tx, { accountId: hold.accountId, type: 'payment.hold_dismissed', actor, data: { holdId: hold.id, amountCents: hold.amountCents } });
        return { id: hold.id, status: 'dismissed' as const };
      });
    },
  }),
];
