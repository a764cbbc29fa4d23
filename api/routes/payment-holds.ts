/**
 * Payments held as possible duplicates (db/payment-holds.ts), for a manager to release (credit it as
 * it arrived) or dismiss (it was the same payment again). Integration tokens cannot decide: the point
 * of the hold is that a person looks.
 */
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import * as facts from '../../db/facts';
import * as t from '../../db/schema';
import { Cents, FactWriteResponse, Instant, Uuid } from '../../domain/api/common';
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
        items: rows.map(({ h, accountName }) => ({ id: h.id, accountId: h.accountId, accountName, amountCents: h.amountCents, reference: h.reference, receivedAt: iso(facts.heldInput(h).receivedAt), matchesPaymentId: h.matchesPaymentId, createdAt: iso(h.createdAt) })),
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
      const out = await facts.releaseHeldPayment(deps.db.db, { holdId: params.id, userId: userIdOf(principal), now }, actor);
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
      const out = await facts.dismissHeldPayment(deps.db.db, { holdId: params.id, userId: userIdOf(principal), now }, actor);
      return { id: out.id, status: 'dismissed' as const };
    },
  }),
];
