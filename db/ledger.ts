/**
 * The money-fact writes: clients, invoices, payments and credit notes, voids, promises, disputes, and
 * the account switches (mode, pause) that change what the workflow may do. Used by the API, the CSV
 * import and the demo seed.
 *
 * Each write runs in one transaction (a savepoint when the caller already has one, so an import can
 * wrap a whole file) that locks the account row, changes the facts, recomputes invoice and account
 * balances, bumps `accounts.facts_version` and appends the event. The caller signals the workflow with
 * the returned version after commit.
 *
 * Allocation: a payment or credit note goes to the invoice the payer named, then to open invoices
 * oldest due date first. What cannot be applied stays unapplied on the payment and is applied as soon
 * as an invoice arrives — so a payment delivered before its invoice still ends at the right balance.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { appendEvent, systemActor, type EventActor } from './events';
import * as t from './schema';
import type { InvoiceLine, Mode, PaymentMethod } from '../domain/facts';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;

/** A request the ledger refuses for a reason the sender can fix; the API answers it as 404/409/422. */
export class LedgerError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}

export interface FactWrite {
  accountId: string;
  factsVersion: number;
}

async function lockAccount(tx: Tx, accountId: string): Promise<t.Account> {
  const [row] = await tx.select().from(t.accounts).where(eq(t.accounts.id, accountId)).for('update');
  if (!row) throw new LedgerError('not_found', `account ${accountId} does not exist`);
  return row;
}

/**
 * Recomputes the account's balance from its open invoices and bumps the facts version. Never remind
 * after payment: when the balance is now zero, the account's waiting drafts are withdrawn (with their
 * events) in the same transaction, so no queue or send can see them as live afterwards; the workflow
 * learns it from the signal and from its next look at the facts. Both statements go to PostgreSQL
 * together: the withdrawal reads the balance the first one wrote.
 */
function bumpAndWithdraw(tx: Tx, accountId: string): Promise<{ factsVersion: number; balanceCents: number }> {
  const bumped = tx
    .update(t.accounts)
    .set({
      factsVersion: sql`${t.accounts.factsVersion} + 1`,
      balanceCents: sql`(select coalesce(sum(${t.invoices.balanceCents}), 0) from ${t.invoices}
        where ${t.invoices.accountId} = ${accountId} and ${t.invoices.status} = 'open')`,
      updatedAt: sql`now()`,
    })
    .where(eq(t.accounts.id, accountId))
    .returning({ v: t.accounts.factsVersion, balance: t.accounts.balanceCents })
    .execute();
  // Sent after the update above, on the same connection, so it reads the new balance.
  const withdrawn = tx.execute(sql`
    with withdrawn as (
      update ${t.messages} set status = 'superseded', decision_reason = ${PAID_WITHDRAW_REASON}, decided_at = now()
      where account_id = ${accountId} and status in ('pending_approval', 'approved')
        and (select balance_cents from ${t.accounts} where id = ${accountId}) = 0
      returning id, step_id)
    insert into ${t.events} (account_id, type, actor_type, actor_id, actor_name, data)
    select ${accountId}, 'draft.withdrawn', ${systemActor.type}, null, ${systemActor.name ?? null},
           jsonb_build_object('messageId', w.id, 'stepId', w.step_id, 'reason', ${PAID_WITHDRAW_REASON}::text)
    from withdrawn w`).execute();
  return Promise.all([bumped, withdrawn]).then(([[row]]) => ({ factsVersion: row.v, balanceCents: row.balance }));
}

async function bump(tx: Tx, accountId: string): Promise<number> {
  return (await bumpAndWithdraw(tx, accountId)).factsVersion;
}

/**
 * The facts version alone, for a change that moves no money (a call logged, a reply's hold, a person's
 * word on a send): the workflow re-plans, the balance and the drafts stay as they are.
 */
export async function bumpFactsVersion(tx: Pick<Tx, 'update'>, accountId: string, at?: Date): Promise<number> {
  const [row] = await tx
    .update(t.accounts)
    .set({ factsVersion: sql`${t.accounts.factsVersion} + 1`, updatedAt: at ?? sql`now()` })
    .where(eq(t.accounts.id, accountId))
    .returning({ v: t.accounts.factsVersion });
  return row.v;
}

export const PAID_WITHDRAW_REASON = 'the account has paid: nothing is owed any more';

interface Allocation {
  invoiceId: string;
  invoiceNumber: string;
  amountCents: number;
}

/** What each payment of the account has not yet applied, oldest payment first. */
async function unappliedPayments(tx: Tx, accountId: string) {
  const rows = await tx
    .select({
      id: t.payments.id,
      amountCents: t.payments.amountCents,
      receivedAt: t.payments.receivedAt,
      applied: sql<string>`coalesce((select sum(${t.paymentAllocations.amountCents}) from ${t.paymentAllocations}
        where ${t.paymentAllocations.paymentId} = ${t.payments.id}), 0)`,
    })
    .from(t.payments)
    .where(eq(t.payments.accountId, accountId))
    .orderBy(asc(t.payments.receivedAt), asc(t.payments.createdAt));
  return rows
    .map((r) => ({ id: r.id, receivedAt: r.receivedAt, unapplied: r.amountCents - Number(r.applied) }))
    .filter((r) => r.unapplied > 0);
}

/**
 * Applies `amount` of one payment to the given invoices in order; returns what was applied where, and
 * the writes, already sent. The figures are decided here first; the writes touch one row each and
 * depend on nothing but those figures, so they go to PostgreSQL together (the driver pipelines them on
 * the transaction's connection) instead of one round trip after another.
 *
 * Pipelined statements run in the order they are sent, and a drizzle query is sent when it is first
 * awaited — which, inside Promise.all, is a microtask later. Every statement whose order matters is
 * therefore sent explicitly with `.execute()`, in order.
 */
function allocationWrites(tx: Tx, payment: { id: string; receivedAt: Date }, amount: number, targets: t.Invoice[]): { done: Allocation[]; writes: PromiseLike<unknown>[] } {
  const done: Allocation[] = [];
  const writes: PromiseLike<unknown>[] = [];
  let left = amount;
  for (const inv of targets) {
    if (left <= 0) break;
    if (inv.status !== 'open' || inv.balanceCents <= 0) continue;
    const take = Math.min(left, inv.balanceCents);
    inv.balanceCents -= take;
    const paid = inv.balanceCents === 0;
    if (paid) inv.status = 'paid';
    writes.push(
      tx
        .insert(t.paymentAllocations)
        .values({ paymentId: payment.id, invoiceId: inv.id, amountCents: take })
        .onConflictDoUpdate({
          target: [t.paymentAllocations.paymentId, t.paymentAllocations.invoiceId],
          set: { amountCents: sql`${t.paymentAllocations.amountCents} + ${take}` },
        })
        .execute(),
      tx
        .update(t.invoices)
        .set({ balanceCents: inv.balanceCents, status: inv.status, paidAt: paid ? payment.receivedAt : null, updatedAt: sql`now()` })
        .where(eq(t.invoices.id, inv.id))
        .execute(),
    );
    done.push({ invoiceId: inv.id, invoiceNumber: inv.number, amountCents: take });
    left -= take;
  }
  return { done, writes };
}

async function allocate(tx: Tx, payment: { id: string; receivedAt: Date }, amount: number, targets: t.Invoice[]): Promise<Allocation[]> {
  const { done, writes } = allocationWrites(tx, payment, amount, targets);
  await Promise.all(writes);
  return done;
}

function openInvoicesOldestFirst(tx: Tx, accountId: string | SQL) {
  return tx
    .select()
    .from(t.invoices)
    .where(and(eq(t.invoices.accountId, accountId), eq(t.invoices.status, 'open')))
    .orderBy(asc(t.invoices.dueDate), asc(t.invoices.issueDate), asc(t.invoices.number));
}

/** Applies every payment's unapplied remainder to open invoices; run after anything that opens a balance. */
async function applyUnapplied(tx: Tx, accountId: string): Promise<Allocation[]> {
  const pending = await unappliedPayments(tx, accountId);
  if (pending.length === 0) return [];
  const open = await openInvoicesOldestFirst(tx, accountId);
  const all: Allocation[] = [];
  for (const p of pending) all.push(...(await allocate(tx, p, p.unapplied, open)));
  return all;
}

/** Resets an invoice to its amount minus what is allocated to it (after its amount changed or allocations were freed). */
async function refreshInvoice(tx: Tx, invoiceId: string): Promise<void> {
  await tx.execute(sql`
    update ${t.invoices} i set
      balance_cents = greatest(i.amount_cents - coalesce((select sum(a.amount_cents) from ${t.paymentAllocations} a where a.invoice_id = i.id), 0), 0),
      updated_at = now()
    where i.id = ${invoiceId}`);
  await tx.execute(sql`
    update ${t.invoices} i set
      status = case when i.status = 'void' then 'void'::invoice_status when i.balance_cents = 0 then 'paid'::invoice_status else 'open'::invoice_status end,
      paid_at = case when i.status <> 'void' and i.balance_cents = 0 then coalesce(i.paid_at,
        (select max(p.received_at) from ${t.paymentAllocations} a join ${t.payments} p on p.id = a.payment_id where a.invoice_id = i.id), now()) else null end
    where i.id = ${invoiceId}`);
}

// ---------------------------------------------------------------------------------------------------

export interface ClientInput {
  /** The client's id in the accounting tool; without it a new account is always created. */
  externalRef?: string | null;
  /** Update this account (found some other way, e.g. by name) instead of looking it up by externalRef. */
  accountId?: string;
  name: string;
  segment?: t.Account['segment'];
  mode?: Mode;
  timeZone?: string;
  /** ISO 3166 alpha-2: how messages write dates and amounts, and whose public holidays apply. */
  country?: string;
  businessHours?: { start: string; end: string; days: number[] };
  paymentTermsDays?: number;
  paymentMethod?: PaymentMethod;
  clientSince?: string;
  currency?: string;
  contacts?: { name: string; email: string; phone?: string; role?: string; isPrimary?: boolean }[];
}

/** Creates or updates a client by its id in the accounting tool. Contacts, when given, replace the stored ones. */
export async function upsertClient(
  db: Executor,
  input: ClientInput,
  actor: EventActor,
  today: string,
): Promise<FactWrite & { created: boolean }> {
  return db.transaction(async (tx) => {
    const [existing] = input.accountId
      ? await tx.select().from(t.accounts).where(eq(t.accounts.id, input.accountId)).for('update')
      : input.externalRef
      ? await tx.select().from(t.accounts).where(eq(t.accounts.externalRef, input.externalRef)).for('update')
      : [];
    const fields = {
      name: input.name,
      ...(input.accountId && input.externalRef ? { externalRef: input.externalRef } : {}),
      ...(input.segment ? { segment: input.segment } : {}),
      ...(input.mode ? { mode: input.mode } : {}),
      ...(input.timeZone ? { timeZone: input.timeZone } : {}),
      ...(input.country ? { country: input.country } : {}),
      ...(input.businessHours ? { businessHours: input.businessHours } : {}),
      ...(input.paymentTermsDays !== undefined ? { paymentTermsDays: input.paymentTermsDays } : {}),
      ...(input.paymentMethod ? { paymentMethod: input.paymentMethod } : {}),
      ...(input.clientSince ? { clientSince: input.clientSince } : {}),
      ...(input.currency ? { currency: input.currency } : {}),
    };
    let accountId: string;
    if (existing) {
      accountId = existing.id;
      await tx.update(t.accounts).set(fields).where(eq(t.accounts.id, accountId));
    } else {
      const [row] = await tx
        .insert(t.accounts)
        .values({ externalRef: input.externalRef ?? null, clientSince: input.clientSince ?? today, ...fields })
        .returning({ id: t.accounts.id });
      accountId = row.id;
    }
    if (input.contacts) {
      await tx.delete(t.contacts).where(eq(t.contacts.accountId, accountId));
      if (input.contacts.length > 0) {
        const anyPrimary = input.contacts.some((c) => c.isPrimary);
        await tx.insert(t.contacts).values(
          input.contacts.map((c, i) => ({
            accountId,
            name: c.name,
            email: c.email,
            phone: c.phone ?? null,
            role: c.role ?? null,
            isPrimary: c.isPrimary ?? (!anyPrimary && i === 0),
          })),
        );
      }
    }
    await appendEvent(tx, {
      accountId,
      type: existing ? 'client.updated' : 'client.created',
      actor,
      data: { externalRef: input.externalRef ?? null, name: input.name },
    });
    return { accountId, created: !existing, factsVersion: await bump(tx, accountId) };
  });
}

export interface InvoiceInput {
  accountId: string;
  number: string;
  issueDate: string;
  dueDate: string;
  amountCents: number;
  externalRef?: string | null;
  /** When the source last changed the invoice: an update older than the stored one is ignored. */
  sourceUpdatedAt?: string | null;
  /** What it charges for; absent leaves the stored lines as they are. */
  lines?: InvoiceLine[];
}

export async function upsertInvoice(
  db: Executor,
  input: InvoiceInput,
  actor: EventActor,
): Promise<FactWrite & { invoiceId: string; created: boolean; changed: boolean }> {
  if (input.dueDate < input.issueDate) throw new LedgerError('invalid', 'the due date is before the issue date');
  return db.transaction(async (tx) => {
    const account = await lockAccount(tx, input.accountId);
    const [existing] = await tx
      .select()
      .from(t.invoices)
      .where(and(eq(t.invoices.accountId, account.id), eq(t.invoices.number, input.number)));
    const unchanged = (inv: t.Invoice) => ({ accountId: account.id, factsVersion: account.factsVersion, invoiceId: inv.id, created: false, changed: false });

    if (existing) {
      // A void is final: a late "upsert" of the same invoice must not bring it back.
      if (existing.status === 'void') return unchanged(existing);
      if (input.sourceUpdatedAt) {
        const [last] = await tx
          .select({ at: sql<string | null>`${t.events.data}->>'sourceUpdatedAt'` })
          .from(t.events)
          .where(and(eq(t.events.accountId, account.id), eq(t.events.type, 'invoice.upserted'), sql`${t.events.data}->>'invoiceId' = ${existing.id}`))
          .orderBy(desc(t.events.id))
          .limit(1);
        if (last?.at && Date.parse(last.at) >= Date.parse(input.sourceUpdatedAt)) return unchanged(existing);
      }
      const same =
        existing.issueDate === input.issueDate &&
        existing.dueDate === input.dueDate &&
        existing.amountCents === input.amountCents &&
        (input.externalRef === undefined || existing.externalRef === input.externalRef) &&
        (input.lines === undefined || JSON.stringify(existing.lines) === JSON.stringify(input.lines));
      if (same) return unchanged(existing);

      const [{ allocated }] = await tx
        .select({ allocated: sql<string>`coalesce(sum(${t.paymentAllocations.amountCents}), 0)` })
        .from(t.paymentAllocations)
        .where(eq(t.paymentAllocations.invoiceId, existing.id));
      if (Number(allocated) > input.amountCents) {
        // Shrinking below what was paid frees the allocations; the money goes to the other open invoices.
        await tx.delete(t.paymentAllocations).where(eq(t.paymentAllocations.invoiceId, existing.id));
      }
      await tx
        .update(t.invoices)
        .set({
          issueDate: input.issueDate,
          dueDate: input.dueDate,
          amountCents: input.amountCents,
          balanceCents: 0,
          ...(input.externalRef !== undefined ? { externalRef: input.externalRef } : {}),
          ...(input.lines !== undefined ? { lines: input.lines } : {}),
          status: 'open',
          updatedAt: sql`now()`,
        })
        .where(eq(t.invoices.id, existing.id));
      await refreshInvoice(tx, existing.id);
      await applyUnapplied(tx, account.id);
      await appendEvent(tx, {
        accountId: account.id,
        type: 'invoice.upserted',
        actor,
        data: {
          invoiceId: existing.id,
          number: input.number,
          created: false,
          before: { issueDate: existing.issueDate, dueDate: existing.dueDate, amountCents: existing.amountCents },
          after: { issueDate: input.issueDate, dueDate: input.dueDate, amountCents: input.amountCents },
          sourceUpdatedAt: input.sourceUpdatedAt ?? null,
        },
      });
      return { accountId: account.id, factsVersion: await bump(tx, account.id), invoiceId: existing.id, created: false, changed: true };
    }

    const [row] = await tx
      .insert(t.invoices)
      .values({
        accountId: account.id,
        number: input.number,
        issueDate: input.issueDate,
        dueDate: input.dueDate,
        amountCents: input.amountCents,
        balanceCents: input.amountCents,
        status: input.amountCents === 0 ? 'paid' : 'open',
        paidAt: input.amountCents === 0 ? sql`now()` : null,
        externalRef: input.externalRef ?? null,
        lines: input.lines ?? [],
      })
      .returning({ id: t.invoices.id });
    const applied = await applyUnapplied(tx, account.id);
    await appendEvent(tx, {
      accountId: account.id,
      type: 'invoice.upserted',
      actor,
      data: {
        invoiceId: row.id,
        number: input.number,
        created: true,
        issueDate: input.issueDate,
        dueDate: input.dueDate,
        amountCents: input.amountCents,
        appliedCreditCents: applied.reduce((s, a) => s + a.amountCents, 0),
        sourceUpdatedAt: input.sourceUpdatedAt ?? null,
      },
    });
    return { accountId: account.id, factsVersion: await bump(tx, account.id), invoiceId: row.id, created: true, changed: true };
  });
}

export interface PaymentInput {
  accountId: string;
  kind?: 'payment' | 'credit_note';
  amountCents: number;
  receivedAt: Date;
  method: PaymentMethod;
  reference?: string | null;
  /** The sender's key: recording the same key again changes nothing and answers the first result. */
  idempotencyKey?: string | null;
  /** Apply to this invoice first. Unknown numbers are not an error: the money stays unapplied until it arrives. */
  invoiceNumber?: string | null;
  invoiceId?: string | null;
  /** False when nobody knows the day (an import's "paid before import"): receivedAt then only orders it. */
  dated?: boolean;
  /** Read from an accounting report rather than reported to us; see payments.basis. */
  basis?: t.Payment['basis'];
  /** The imported file that is the evidence for it. */
  importId?: string | null;
}

export interface PaymentWrite extends FactWrite {
  /** The account's balance after the write: zero means the account has paid (and its drafts were withdrawn). */
  balanceCents: number;
  paymentId: string;
  duplicate: boolean;
  allocations: Allocation[];
  unappliedCents: number;
}

export async function recordPayment(db: Executor, input: PaymentInput, actor: EventActor): Promise<PaymentWrite> {
  return db.transaction((tx) => recordPaymentIn(tx, input, actor));
}

/** What a payment reads before it writes: the account (locked), an earlier payment with its idempotency key, the open invoices. */
export interface PaymentReads {
  account: t.Account | undefined;
  duplicate: t.Payment | undefined;
  open: t.Invoice[];
}

export type AccountRef = { accountId: string } | { externalRef: string };

/**
 * Sends a payment's reads without waiting: the account row lock, then the duplicate check and the open
 * invoices, pipelined (PostgreSQL runs them in order, so the reads start once the lock is held). The
 * account is named by our id or by the accounting tool's reference, so the webhook need not look it up
 * first. Pipelined statements run in the order they are sent, and a drizzle query is sent when it is
 * first awaited (inside Promise.all, a microtask later), so each is sent here with `.execute()`.
 */
export function readForPayment(tx: Tx, ref: AccountRef, idempotencyKey?: string): Promise<PaymentReads> {
  const byRef = 'accountId' in ref ? eq(t.accounts.id, ref.accountId) : eq(t.accounts.externalRef, ref.externalRef);
  const accountId = 'accountId' in ref ? ref.accountId : sql`(select ${t.accounts.id} from ${t.accounts} where ${t.accounts.externalRef} = ${ref.externalRef})`;
  const locked = tx.select().from(t.accounts).where(byRef).for('update').execute();
  const duplicates = idempotencyKey ? tx.select().from(t.payments).where(eq(t.payments.idempotencyKey, idempotencyKey)).execute() : Promise.resolve([]);
  const open = openInvoicesOldestFirst(tx, accountId).execute();
  return Promise.all([locked, duplicates, open]).then(([[account], [duplicate], invoices]) => ({ account, duplicate, open: invoices }));
}

/**
 * recordPayment inside a transaction the caller owns and will roll back whole if this throws (the
 * webhook's, with its idempotency key): no savepoint of its own, which would cost two round trips.
 * `reads` are readForPayment's, when the caller sent them earlier in its own pipeline.
 */
export async function recordPaymentIn(tx: Tx, input: PaymentInput, actor: EventActor, reads?: PaymentReads): Promise<PaymentWrite> {
  const sent = await sendPayment(tx, input, actor, reads);
  return { ...sent.write, ...(await sent.written) };
}

/** A payment whose writes are sent and not yet answered. */
export interface PaymentSent {
  /** The answer to give: every figure is decided before the writes, the facts version included. */
  write: Omit<PaymentWrite, 'balanceCents'>;
  /** The writes' answers: the account's version and balance as PostgreSQL wrote them. */
  written: Promise<{ factsVersion: number; balanceCents: number }>;
}

/**
 * Decides the payment and sends its writes without waiting for their answers, so a caller can send
 * what follows on the same connection (the webhook's idempotency row, then COMMIT) in the same round
 * trip. The facts version is known in advance: the account row has been locked since the reads, and
 * the bump adds one to it. If a write fails, PostgreSQL aborts the transaction and whatever ends it
 * rolls it back; `written` rejects with the failure, so the caller must await it before answering.
 */
export async function sendPayment(tx: Tx, input: PaymentInput, actor: EventActor, reads?: PaymentReads): Promise<PaymentSent> {
  if (!Number.isSafeInteger(input.amountCents) || input.amountCents <= 0) throw new LedgerError('invalid', 'the amount must be a positive number of cents');
  // A payment is the write that must reach the workflow fastest, and under load every round trip
  // waits its turn for a core: its reads go in one round trip, then every write in a second one. The
  // payment's id is made here so the allocations need not wait for it.
  const { account, duplicate: dup, open } = reads ?? (await readForPayment(tx, { accountId: input.accountId }, input.idempotencyKey ?? undefined));
  if (!account) throw new LedgerError('not_found', `account ${input.accountId} does not exist`);
  if (dup) {
    if (dup.accountId !== account.id) throw new LedgerError('conflict', 'this idempotency key was used for another account');
    const allocs = await tx
      .select({ invoiceId: t.paymentAllocations.invoiceId, invoiceNumber: t.invoices.number, amountCents: t.paymentAllocations.amountCents })
      .from(t.paymentAllocations)
      .innerJoin(t.invoices, eq(t.invoices.id, t.paymentAllocations.invoiceId))
      .where(eq(t.paymentAllocations.paymentId, dup.id));
    const applied = allocs.reduce((s, a) => s + a.amountCents, 0);
    return {
      write: { accountId: account.id, factsVersion: account.factsVersion, paymentId: dup.id, duplicate: true, allocations: allocs, unappliedCents: dup.amountCents - applied },
      written: Promise.resolve({ factsVersion: account.factsVersion, balanceCents: account.balanceCents }),
    };
  }
  const kind = input.kind ?? 'payment';
  const payment = { id: randomUUID(), receivedAt: input.receivedAt };
  // Sent first (allocations refer to it); the statements below follow it on the same connection.
  const insertPayment = tx.insert(t.payments).values({
    id: payment.id,
    accountId: account.id,
    kind,
    amountCents: input.amountCents,
    receivedAt: input.receivedAt,
    method: input.method,
    reference: input.reference ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    ...(input.dated === false ? { dated: false } : {}),
    ...(input.basis ? { basis: input.basis } : {}),
    ...(input.importId ? { importId: input.importId } : {}),
  }).execute();

  const namedIndex = open.findIndex(
    (i) => (input.invoiceId && i.id === input.invoiceId) || (input.invoiceNumber && i.number === input.invoiceNumber),
  );
  const ordered = namedIndex >= 0 ? [open[namedIndex], ...open.filter((_, i) => i !== namedIndex)] : open;
  const { done: allocations, writes } = allocationWrites(tx, payment, input.amountCents, ordered);
  const unappliedCents = input.amountCents - allocations.reduce((s, a) => s + a.amountCents, 0);
  const factsVersion = account.factsVersion + 1;
  const written = Promise.all([
    insertPayment,
    Promise.all(writes),
    appendEvent(tx, {
      accountId: account.id,
      type: kind === 'credit_note' ? 'credit_note.recorded' : 'payment.recorded',
      actor,
      data: {
        paymentId: payment.id,
        amountCents: input.amountCents,
        method: input.method,
        receivedAt: input.dated === false ? null : input.receivedAt.toISOString(),
        reference: input.reference ?? null,
        invoiceNumber: input.invoiceNumber ?? null,
        ...(input.basis ? { basis: input.basis, importId: input.importId ?? null } : {}),
        allocations,
        unappliedCents,
      },
    }),
    bumpAndWithdraw(tx, account.id),
    kind === 'payment' ? verifyClaimedPayments(tx, account.id, payment.id, input.reference ?? null) : Promise.resolve(),
  ]).then(([, , , bumped]) => {
    if (bumped.factsVersion !== factsVersion) throw new Error(`account ${account.id}: facts version ${bumped.factsVersion} written, ${factsVersion} expected under the row lock`);
    return bumped;
  });
  written.catch(() => {}); // the caller awaits it; until then a failure must not count as unhandled
  return {
    write: { accountId: account.id, factsVersion, paymentId: payment.id, duplicate: false, allocations, unappliedCents },
    written,
  };
}

/**
 * A client who replied "we have paid" is believed once a payment arrives — by webhook, the API or an
 * import — in the same transaction that records it: its reply's hold ends (db/replies.ts), and the
 * workflow, told of the payment, plans without it. One statement, sent with the payment's writes.
 */
function verifyClaimedPayments(tx: Tx, accountId: string, paymentId: string, reference: string | null): Promise<unknown> {
  const outcome = `payment verified${reference ? ` (reference ${reference})` : ''}: it arrived while reminders were held`;
  return tx.execute(sql`with verified as (
      update ${t.replies} set status = 'done', outcome = ${outcome}, resolved_at = now()
      where account_id = ${accountId} and status = 'verifying'
      returning id
    )
    insert into ${t.events} (account_id, type, actor_type, actor_name, data)
    select ${accountId}, 'reply.hold_ended', 'system', 'Tactful', jsonb_build_object('replyId', id, 'outcome', ${outcome}::text, 'paymentId', ${paymentId}::text) from verified`);
}

export async function voidInvoice(
  db: Executor,
  input: { accountId: string; invoiceId?: string; number?: string; reason?: string | null },
  actor: EventActor,
): Promise<FactWrite & { invoiceId: string; changed: boolean }> {
  return db.transaction(async (tx) => {
    const account = await lockAccount(tx, input.accountId);
    const [inv] = await tx
      .select()
      .from(t.invoices)
      .where(
        and(
          eq(t.invoices.accountId, account.id),
          input.invoiceId ? eq(t.invoices.id, input.invoiceId) : eq(t.invoices.number, input.number ?? ''),
        ),
      );
    if (!inv) throw new LedgerError('not_found', `invoice ${input.number ?? input.invoiceId} does not exist on this account`);
    if (inv.status === 'void') return { accountId: account.id, factsVersion: account.factsVersion, invoiceId: inv.id, changed: false };
    // Money paid against a voided invoice is not lost: it is freed and applied to the other open invoices.
    const freed = await tx.delete(t.paymentAllocations).where(eq(t.paymentAllocations.invoiceId, inv.id)).returning();
    await tx
      .update(t.invoices)
      .set({ status: 'void', balanceCents: 0, paidAt: null, updatedAt: sql`now()` })
      .where(eq(t.invoices.id, inv.id));
    await applyUnapplied(tx, account.id);
    await appendEvent(tx, {
      accountId: account.id,
      type: 'invoice.voided',
      actor,
      data: { invoiceId: inv.id, number: inv.number, reason: input.reason ?? null, freedCents: freed.reduce((s, a) => s + a.amountCents, 0) },
    });
    return { accountId: account.id, factsVersion: await bump(tx, account.id), invoiceId: inv.id, changed: true };
  });
}

export async function recordPromise(
  db: Executor,
  input: { accountId: string; promisedDate: string; amountCents?: number | null; note?: string | null; userId?: string | null; via?: Record<string, unknown>; at?: Date },
  actor: EventActor,
): Promise<FactWrite & { promiseId: string }> {
  return db.transaction(async (tx) => {
    const account = await lockAccount(tx, input.accountId);
    // A new promise replaces the one still open: the latest word from the client is what counts.
    await tx
      .update(t.promises)
      .set({ status: 'cancelled', resolvedAt: input.at ?? sql`now()` })
      .where(and(eq(t.promises.accountId, account.id), eq(t.promises.status, 'open')));
    const [row] = await tx
      .insert(t.promises)
      .values({ accountId: account.id, promisedDate: input.promisedDate, amountCents: input.amountCents ?? null, createdBy: input.userId ?? null, ...(input.at ? { createdAt: input.at } : {}) })
      .returning({ id: t.promises.id });
    await appendEvent(tx, {
      accountId: account.id,
      type: 'promise.recorded',
      actor,
      data: { promiseId: row.id, promisedDate: input.promisedDate, amountCents: input.amountCents ?? null, note: input.note ?? null, ...input.via },
    });
    return { accountId: account.id, factsVersion: await bump(tx, account.id), promiseId: row.id };
  });
}

export async function openDispute(
  db: Executor,
  input: { accountId: string; reason: string; invoiceId?: string | null; userId?: string | null; via?: Record<string, unknown>; at?: Date },
  actor: EventActor,
): Promise<FactWrite & { disputeId: string }> {
  return db.transaction(async (tx) => {
    const account = await lockAccount(tx, input.accountId);
    if (input.invoiceId) {
      const [inv] = await tx
        .select({ id: t.invoices.id })
        .from(t.invoices)
        .where(and(eq(t.invoices.id, input.invoiceId), eq(t.invoices.accountId, account.id)));
      if (!inv) throw new LedgerError('not_found', 'that invoice does not belong to this account');
    }
    const [open] = await tx
      .select({ id: t.disputes.id })
      .from(t.disputes)
      .where(and(eq(t.disputes.accountId, account.id), eq(t.disputes.status, 'open')));
    if (open) throw new LedgerError('conflict', 'this account already has an open dispute; resolve it first');
    const [row] = await tx
      .insert(t.disputes)
      .values({ accountId: account.id, reason: input.reason, invoiceId: input.invoiceId ?? null, openedBy: input.userId ?? null, ...(input.at ? { openedAt: input.at } : {}) })
      .returning({ id: t.disputes.id });
    await appendEvent(tx, { accountId: account.id, type: 'dispute.opened', actor, data: { disputeId: row.id, reason: input.reason, invoiceId: input.invoiceId ?? null, ...input.via } });
    return { accountId: account.id, factsVersion: await bump(tx, account.id), disputeId: row.id };
  });
}

export async function resolveDispute(
  db: Executor,
  input: { accountId: string; disputeId: string; resolution: string; userId?: string | null },
  actor: EventActor,
): Promise<FactWrite> {
  return db.transaction(async (tx) => {
    const account = await lockAccount(tx, input.accountId);
    const [d] = await tx
      .select()
      .from(t.disputes)
      .where(and(eq(t.disputes.id, input.disputeId), eq(t.disputes.accountId, account.id)));
    if (!d) throw new LedgerError('not_found', 'no such dispute on this account');
    if (d.status !== 'open') throw new LedgerError('conflict', 'this dispute is already resolved');
    await tx
      .update(t.disputes)
      .set({ status: 'resolved', resolution: input.resolution, resolvedAt: sql`now()`, resolvedBy: input.userId ?? null })
      .where(eq(t.disputes.id, d.id));
    await appendEvent(tx, { accountId: account.id, type: 'dispute.resolved', actor, data: { disputeId: d.id, resolution: input.resolution } });
    return { accountId: account.id, factsVersion: await bump(tx, account.id) };
  });
}

export async function setMode(
  db: Executor,
  input: { accountId: string; mode: Mode; reason?: string | null },
  actor: EventActor,
): Promise<FactWrite & { changed: boolean }> {
  return db.transaction(async (tx) => {
    const account = await lockAccount(tx, input.accountId);
    if (account.mode === input.mode) return { accountId: account.id, factsVersion: account.factsVersion, changed: false };
    await tx.update(t.accounts).set({ mode: input.mode }).where(eq(t.accounts.id, account.id));
    await appendEvent(tx, { accountId: account.id, type: 'account.mode_changed', actor, data: { from: account.mode, to: input.mode, reason: input.reason ?? null } });
    return { accountId: account.id, factsVersion: await bump(tx, account.id), changed: true };
  });
}

export async function setPaused(
  db: Executor,
  input: { accountId: string; paused: boolean; reason?: string | null },
  actor: EventActor,
): Promise<FactWrite & { changed: boolean }> {
  return db.transaction(async (tx) => {
    const account = await lockAccount(tx, input.accountId);
    if (account.paused === input.paused) return { accountId: account.id, factsVersion: account.factsVersion, changed: false };
    await tx.update(t.accounts).set({ paused: input.paused }).where(eq(t.accounts.id, account.id));
    await appendEvent(tx, { accountId: account.id, type: input.paused ? 'account.paused' : 'account.resumed', actor, data: { reason: input.reason ?? null } });
    return { accountId: account.id, factsVersion: await bump(tx, account.id), changed: true };
  });
}

/** Finds accounts by our id or the accounting tool's id; used by every ingestion path. */
export async function resolveAccountId(db: Executor, ref: AccountRef): Promise<string | null> {
  const [row] = await db
    .select({ id: t.accounts.id })
    .from(t.accounts)
    .where('accountId' in ref ? eq(t.accounts.id, ref.accountId) : eq(t.accounts.externalRef, ref.externalRef));
  return row?.id ?? null;
}
