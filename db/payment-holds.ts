/**
 * Payments that look like one already credited: the same account, amount and reference within
 * DUPLICATE_WINDOW_DAYS, arriving under a different key (a webhook re-sent with a new event id, the
 * same check keyed in twice). Such a payment is held here for a person instead of credited; releasing
 * it records it as it arrived, dismissing it leaves the ledger as it was. Nothing is credited twice
 * without someone saying so.
 */
import { and, eq, gte, lte, sql } from 'drizzle-orm';
import { appendEvent, type EventActor } from './events';
import type { PaymentInput, Tx } from './ledger';
import * as t from './schema';

export const DUPLICATE_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** References compare without case or surrounding space: "CHK 1042" and "chk 1042 " are one check. */
export const normaliseReference = (r: string | null | undefined) => r?.trim().toLowerCase().replace(/\s+/g, ' ') || null;

/**
 * An earlier payment (not a credit note) this one repeats, or undefined. Without a reference nothing
 * can be told apart (two $500 retainers in a month are normal), so only referenced payments are checked.
 */
export async function findPossibleDuplicate(
  tx: Tx,
  p: { accountId: string; kind?: 'payment' | 'credit_note'; amountCents: number; reference?: string | null; receivedAt: Date },
): Promise<t.Payment | undefined> {
  const reference = normaliseReference(p.reference);
  if (!reference || (p.kind ?? 'payment') !== 'payment') return undefined;
  const [twin] = await tx
    .select()
    .from(t.payments)
    .where(
      and(
        eq(t.payments.accountId, p.accountId),
        eq(t.payments.kind, 'payment'),
        eq(t.payments.amountCents, p.amountCents),
        sql`regexp_replace(lower(trim(${t.payments.reference})), '\\s+', ' ', 'g') = ${reference}`,
        gte(t.payments.receivedAt, new Date(p.receivedAt.getTime() - DUPLICATE_WINDOW_DAYS * DAY_MS)),
        lte(t.payments.receivedAt, new Date(p.receivedAt.getTime() + DUPLICATE_WINDOW_DAYS * DAY_MS)),
      ),
    )
    .orderBy(t.payments.receivedAt)
    .limit(1);
  return twin;
}

/** Holds the payment (once per key: a retry finds the same hold) and leaves it on the account's trail. */
export async function holdPossibleDuplicate(tx: Tx, input: PaymentInput & { idempotencyKey: string }, twin: t.Payment, actor: EventActor): Promise<t.PaymentHold> {
  const stored = { ...input, receivedAt: input.receivedAt.toISOString() };
  const [created] = await tx
    .insert(t.paymentHolds)
    .values({ accountId: input.accountId, amountCents: input.amountCents, reference: input.reference ?? '', matchesPaymentId: twin.id, idempotencyKey: input.idempotencyKey, input: stored })
    .onConflictDoNothing({ target: t.paymentHolds.idempotencyKey })
    .returning();
  if (!created) {
    const [existing] = await tx.select().from(t.paymentHolds).where(eq(t.paymentHolds.idempotencyKey, input.idempotencyKey));
    return existing;
  }
  await appendEvent(tx, {
    accountId: input.accountId,
    type: 'payment.held_possible_duplicate',
    actor,
    data: { holdId: created.id, amountCents: input.amountCents, reference: input.reference ?? null, receivedAt: stored.receivedAt, matchesPaymentId: twin.id, matchesReceivedAt: twin.receivedAt.toISOString() },
  });
  return created;
}

/** The held payment as it would have been recorded. */
export function heldInput(hold: t.PaymentHold): PaymentInput {
  const i = hold.input as Omit<PaymentInput, 'receivedAt'> & { receivedAt: string };
  return { ...i, receivedAt: new Date(i.receivedAt), idempotencyKey: hold.idempotencyKey };
}
