/**
 * Facts pushed in by integrations and people. Each POST carries an Idempotency-Key: the first request
 * is recorded with its answer in `idempotency_keys` inside the same transaction as the fact, so a
 * retry gets the same answer and changes nothing. The payment webhook is verified by HMAC and keyed by
 * its event id. After commit the account's workflow is signalled; a replay signals again, which also
 * heals a signal lost while Temporal was down.
 */
import { createHmac } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Request } from 'express';
import * as facts from '../../db/facts';
import * as t from '../../db/schema';
import { FactWriteResponse } from '../../domain/api/common';
import {
  ClientUpsertRequest,
  ClientUpsertResponse,
  InvoiceUpsertRequest,
  InvoiceUpsertResponse,
  PaymentRequest,
  PaymentResponse,
  VoidInvoiceRequest,
  VoidInvoiceResponse,
  WebhookEvent,
  WebhookResponse,
} from '../../domain/api/ingestion';
import { problemTypes } from '../../domain/api/problems';
import type { EventActor } from '../../db/events';
import type { FactsChanged } from '../../domain/messages';
import type { AppDeps } from '../deps';
import { safeEqual, sha256, type Principal } from '../auth/principal';
import { HttpProblem, problems } from '../problems';
import { recordRefusal, route, type AuthedCtx } from '../routing';
import { IdParams, signalFacts } from './support';
import { z } from 'zod';

type Change = FactsChanged['change'];
interface Outcome<B> {
  status: number;
  body: B;
  accountId: string;
  factsVersion: number;
  change: Change;
  /** False when nothing changed (duplicate, stale update): no signal is needed. */
  changed: boolean;
  /** The account's balance after the write, when the write knows it. */
  balanceCents?: number;
  /**
   * Set when the write's statements are sent but not yet answered (a payment's): the idempotency row
   * and COMMIT follow them in the same round trip, and this is awaited after the commit; it rejects if
   * a write failed, in which case PostgreSQL rolled the whole transaction back.
   */
  written?: Promise<{ balanceCents: number }>;
}

const principalKey = (p: Principal | null) => (p ? `${p.kind}:${p.id}` : 'anonymous');

/** Stable across key order, so a retried request that serialises differently is still "the same". */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/**
 * Runs `fn` once per idempotency key, in one transaction with the key's row. `prefetch`, when given,
 * sends the write's own reads in the same round trip as the key check (a payment's: see
 * facts.readForPayment); they are dropped if the key was already used.
 */
async function idempotent<B extends object, P = never>(
  deps: AppDeps,
  key: string,
  requestHash: string,
  actor: FactsChanged['actor'],
  fn: (tx: facts.Tx, prefetched?: Promise<P>) => Promise<Outcome<B>>,
  prefetch?: (tx: facts.Tx) => Promise<P>,
): Promise<{ status: number; body: B & { workflow: FactWriteResponse['workflow'] }; replayed: boolean }> {
  const db = deps.db.db;
  // Rerun whole on a deadlock or serialization failure (PostgreSQL rolled it back, idempotency row and
  // all); a payment's pipelined writes fail after the callback returns, so the rerun also covers them.
  const done = await facts.withConflictRetry(async () => {
    const once = await db.transaction(async (tx) => {
      // Serialises concurrent deliveries of the same key; the loser then sees the winner's row.
      // The lock and the read go together (one round trip); PostgreSQL reads only once the lock is held.
      const guard = Promise.all([
        tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`).execute(),
        tx.select().from(t.idempotencyKeys).where(eq(t.idempotencyKeys.key, key)).execute(),
      ]);
      const prefetched = prefetch?.(tx);
      prefetched?.catch(() => {}); // awaited by fn; dropped with a replay
      const [, [prior]] = await guard;
      if (prior) {
        if (prior.requestHash !== requestHash)
          throw new HttpProblem(422, problemTypes.idempotencyKeyReused, 'Idempotency key reused', 'This Idempotency-Key was already used for a different request.');
        return { replayed: true as const, status: prior.statusCode, body: prior.response as B & { accountId?: string } };
      }
      const out = await fn(tx, prefetched);
      const keyRow = tx.insert(t.idempotencyKeys).values({ key, requestHash, statusCode: out.status, response: out.body }).execute();
      if (!out.written) {
        await keyRow;
        return { replayed: false as const, ...out };
      }
      // Not awaited here: the driver sends COMMIT as soon as this callback returns, behind the writes and
      // the key row on the same connection, instead of one more round trip each.
      const written = Promise.all([out.written, keyRow]).then(([w]) => w);
      written.catch(() => {}); // awaited just below, once the transaction has ended
      return { replayed: false as const, ...out, written };
    });
    // If a write failed, it aborted the transaction and its COMMIT rolled it back: nothing was recorded.
    if (!once.replayed && once.written) return { ...once, balanceCents: (await once.written).balanceCents };
    return once;
  });
  if (done.replayed) {
    const accountId = (done.body as { accountId?: string }).accountId;
    let workflow: FactWriteResponse['workflow'] = { signaled: false, message: 'Already recorded; nothing changed.' };
    if (accountId && z.uuid().safeParse(accountId).success) {
      const [acc] = await db.select({ v: t.accounts.factsVersion, seen: t.accounts.workflowSeenVersion }).from(t.accounts).where(eq(t.accounts.id, accountId));
      if (acc && acc.v > acc.seen) workflow = await signalFacts(deps, accountId, acc.v, 'reconcile', actor);
    }
    return { status: done.status, body: { ...done.body, workflow }, replayed: true };
  }
  const balanceCents = done.balanceCents;
  const workflow = done.changed
    ? await signalFacts(deps, done.accountId, done.factsVersion, done.change, actor, balanceCents === undefined ? undefined : { balanceCents })
    : { signaled: false, message: 'Nothing changed.' };
  return { status: done.status, body: { ...done.body, workflow }, replayed: false };
}

const accountNotFound = (ref: facts.AccountRef) => problems.notFound('accountId' in ref ? `Account ${ref.accountId}` : `The client "${ref.externalRef}"`);

async function accountIdOrThrow(tx: facts.Executor, ref: facts.AccountRef): Promise<string> {
  const id = await facts.resolveAccountId(tx, ref);
  if (!id) throw accountNotFound(ref);
  return id;
}

// ---- the operations, shared by the REST endpoints and the webhook -----------------------------------

async function doClient(tx: facts.Tx, body: z.infer<typeof ClientUpsertRequest>, actor: EventActor, today: string): Promise<Outcome<object>> {
  const r = await facts.upsertClient(tx, body, actor, today);
  return { status: r.created ? 201 : 200, body: { accountId: r.accountId, factsVersion: r.factsVersion, created: r.created }, accountId: r.accountId, factsVersion: r.factsVersion, change: 'reconcile', changed: true };
}

async function doInvoice(tx: facts.Tx, body: z.infer<typeof InvoiceUpsertRequest>, actor: EventActor): Promise<Outcome<object>> {
  const accountId = await accountIdOrThrow(tx, body.account);
  const { account: _a, ...rest } = body;
  const r = await facts.upsertInvoice(tx, { accountId, ...rest }, actor);
  return {
    status: r.created ? 201 : 200,
    body: { accountId, factsVersion: r.factsVersion, invoiceId: r.invoiceId, created: r.created, changed: r.changed },
    accountId,
    factsVersion: r.factsVersion,
    change: 'invoice_upserted',
    changed: r.changed,
  };
}

/** `reads`: facts.readForPayment's, sent earlier in the same round trip as the idempotency check. */
async function doPayment(
  tx: facts.Tx,
  body: z.infer<typeof PaymentRequest>,
  actor: EventActor,
  idempotencyKey: string,
  reads?: Promise<facts.PaymentReads>,
): Promise<Outcome<object>> {
  const got = await (reads ?? facts.readForPayment(tx, body.account, idempotencyKey));
  if (!got.account) throw accountNotFound(body.account);
  const accountId = got.account.id;
  if (!got.duplicate) {
    const held = await holdIfPossibleDuplicate(tx, accountId, got.account.factsVersion, body, actor, idempotencyKey);
    if (held) return held;
  }
  const { write: r, written } = await facts.sendPayment(
    tx,
    {
      accountId,
      kind: body.kind,
      amountCents: body.amountCents,
      receivedAt: new Date(body.receivedAt),
      method: body.method,
      reference: body.reference,
      invoiceNumber: body.invoiceNumber,
      idempotencyKey,
    },
    actor,
    got,
  );
  return {
    status: r.duplicate ? 200 : 201,
    body: { accountId, factsVersion: r.factsVersion, paymentId: r.paymentId, duplicate: r.duplicate, allocations: r.allocations, unappliedCents: r.unappliedCents },
    accountId,
    factsVersion: r.factsVersion,
    change: 'payment_recorded',
    changed: !r.duplicate,
    written,
  };
}

/**
 * A payment like one already credited (same account, amount and reference within days) under another
 * key is held for a person (db/payment-holds.ts), answered 202 and not credited. Separate from the
 * ledger's own write so the payment path itself is unchanged.
 */
async function holdIfPossibleDuplicate(
  tx: facts.Tx,
  accountId: string,
  factsVersion: number,
  body: z.infer<typeof PaymentRequest>,
  actor: EventActor,
  idempotencyKey: string,
): Promise<Outcome<object> | null> {
  const input = { accountId, kind: body.kind, amountCents: body.amountCents, receivedAt: new Date(body.receivedAt), method: body.method, reference: body.reference ?? null, invoiceNumber: body.invoiceNumber ?? null, idempotencyKey };
  const twin = await facts.findPossibleDuplicate(tx, input);
  if (!twin) return null;
  const hold = await facts.holdPossibleDuplicate(tx, input, twin, actor);
  return {
    status: 202,
    body: {
      accountId,
      factsVersion,
      held: true,
      holdId: hold.id,
      matchesPaymentId: twin.id,
      detail: `Not credited: a payment of the same amount with reference "${twin.reference}" was recorded on ${twin.receivedAt.toISOString().slice(0, 10)}. A manager can release or dismiss it.`,
    },
    accountId,
    factsVersion,
    change: 'payment_recorded',
    changed: false,
  };
}

async function doVoid(tx: facts.Tx, input: { accountId: string; invoiceId?: string; number?: string; reason?: string }, actor: EventActor): Promise<Outcome<object>> {
  const r = await facts.voidInvoice(tx, input, actor);
  return { status: 200, body: { accountId: r.accountId, factsVersion: r.factsVersion, invoiceId: r.invoiceId, changed: r.changed }, accountId: r.accountId, factsVersion: r.factsVersion, change: 'invoice_voided', changed: r.changed };
}

function keyed(ctx: AuthedCtx<unknown, unknown, unknown>, scope: string) {
  return `${principalKey(ctx.principal)}:${scope}:${ctx.req.get('idempotency-key')}`;
}

async function respond(ctx: AuthedCtx<unknown, unknown, unknown>, r: { status: number; body: object; replayed: boolean }) {
  ctx.res.status(r.status);
  if (r.replayed) ctx.res.setHeader('Idempotent-Replayed', 'true');
  return r.body;
}

// ---- webhook signature -------------------------------------------------------------------------------

export function signWebhook(secret: string, timestamp: number, rawBody: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

function verifySignature(req: Request, secret: string, now: Date, toleranceMs: number): string | null {
  const header = req.get('x-tactful-signature');
  const raw = (req as Request & { rawBody?: Buffer }).rawBody;
  if (!header || header.length > 500) return 'no signature';
  if (!raw) return 'no body';
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const ts = Number(parts.t);
  if (!Number.isInteger(ts) || !parts.v1) return 'malformed signature header';
  if (Math.abs(now.getTime() - ts * 1000) > toleranceMs) return 'timestamp outside the tolerated window (replay?)';
  const expected = signWebhook(secret, ts, raw).split('v1=')[1];
  return safeEqual(expected, parts.v1) ? null : 'signature does not match';
}

const idemHeader = true;

export const ingestionRoutes = [
  route({
    method: 'post',
    path: '/api/clients',
    summary: "Create or update a client by its id in the accounting tool (Idempotency-Key required)",
    tag: 'ingestion',
    access: { kind: 'permission', permission: 'clients:write' },
    idempotencyKey: idemHeader,
    body: ClientUpsertRequest,
    response: ClientUpsertResponse,
    async handler(ctx) {
      const today = ctx.now.toISOString().slice(0, 10);
      const r = await idempotent(ctx.deps, keyed(ctx, 'clients'), sha256(canonical(ctx.body)), ctx.wfActor, (tx) => doClient(tx, ctx.body, ctx.actor, today));
      return respond(ctx, r);
    },
  }),
  route({
    method: 'post',
    path: '/api/invoices',
    summary: 'Create or update an invoice by account and number (Idempotency-Key required)',
    tag: 'ingestion',
    access: { kind: 'permission', permission: 'invoices:write' },
    idempotencyKey: idemHeader,
    body: InvoiceUpsertRequest,
    response: InvoiceUpsertResponse,
    async handler(ctx) {
      const r = await idempotent(ctx.deps, keyed(ctx, 'invoices'), sha256(canonical(ctx.body)), ctx.wfActor, (tx) => doInvoice(tx, ctx.body, ctx.actor));
      return respond(ctx, r);
    },
  }),
  route({
    method: 'post',
    path: '/api/invoices/:id/void',
    summary: 'Void an invoice; money applied to it moves to the other open invoices',
    tag: 'ingestion',
    access: { kind: 'permission', permission: 'invoices:write' },
    params: IdParams,
    body: VoidInvoiceRequest,
    response: VoidInvoiceResponse,
    async handler(ctx) {
      const [inv] = await ctx.deps.db.db.select({ accountId: t.invoices.accountId }).from(t.invoices).where(eq(t.invoices.id, ctx.params.id));
      if (!inv) throw problems.notFound('This invoice');
      const out = await facts.withConflictRetry(() => ctx.deps.db.db.transaction((tx) => doVoid(tx, { accountId: inv.accountId, invoiceId: ctx.params.id, reason: ctx.body.reason }, ctx.actor)));
      const workflow = out.changed ? await signalFacts(ctx.deps, out.accountId, out.factsVersion, 'invoice_voided', ctx.wfActor) : { signaled: false, message: 'Already void.' };
      return { ...out.body, workflow };
    },
  }),
  route({
    method: 'post',
    path: '/api/payments',
    summary: 'Record a payment or credit note; applied to the named invoice, then oldest first (Idempotency-Key required)',
    tag: 'ingestion',
    access: { kind: 'permission', permission: 'payments:write' },
    idempotencyKey: idemHeader,
    body: PaymentRequest,
    response: PaymentResponse,
    async handler(ctx) {
      const key = keyed(ctx, 'payments');
      const r = await idempotent<object, facts.PaymentReads>(
        ctx.deps,
        key,
        sha256(canonical(ctx.body)),
        ctx.wfActor,
        (tx, reads) => doPayment(tx, ctx.body, ctx.actor, key, reads),
        (tx) => facts.readForPayment(tx, ctx.body.account, key),
      );
      return respond(ctx, r);
    },
  }),
  route({
    method: 'post',
    path: '/api/webhooks/payments',
    summary: 'Webhook for payments, invoices and clients, signed with HMAC-SHA256 (X-Tactful-Signature: t=<unix>,v1=<hex of HMAC("<t>.<body>")>)',
    tag: 'ingestion',
    access: { kind: 'public' },
    body: z.unknown(),
    response: WebhookResponse,
    async handler(ctx) {
      const { deps, req, now } = ctx;
      const secret = deps.config.webhookSecret;
      if (!secret) throw new HttpProblem(503, problemTypes.notConfigured, 'Webhook not configured', 'Set WEBHOOK_SECRET to accept signed webhooks.');
      const why = verifySignature(req, secret, now, deps.config.webhookToleranceMs);
      if (why) {
        await recordRefusal(deps, req, null, { reason: `webhook refused: ${why}`, routePath: '/api/webhooks/payments' });
        throw new HttpProblem(401, problemTypes.invalidSignature, 'Invalid signature', `The webhook signature was not accepted: ${why}.`);
      }
      const parsed = WebhookEvent.safeParse(ctx.body);
      if (!parsed.success) throw parsed.error;
      const ev = parsed.data;
      const actor: EventActor = { type: 'integration', name: 'payment webhook' };
      const wfActor = { type: 'integration' as const, name: 'payment webhook' };
      const raw = (req as Request & { rawBody?: Buffer }).rawBody!;
      const paymentKey = `webhook:${ev.id}`;
      const r = await idempotent<object, facts.PaymentReads>(
        deps,
        paymentKey,
        sha256(raw),
        wfActor,
        async (tx, reads) => {
          const today = now.toISOString().slice(0, 10);
          const out =
            ev.type === 'payment.received'
              ? await doPayment(tx, { ...ev.data, receivedAt: ev.data.receivedAt ?? ev.occurredAt }, actor, paymentKey, reads)
              : ev.type === 'invoice.upserted'
                ? await doInvoice(tx, { ...ev.data, sourceUpdatedAt: ev.data.sourceUpdatedAt ?? ev.occurredAt }, actor)
                : ev.type === 'invoice.voided'
                  ? await doVoid(tx, { accountId: await accountIdOrThrow(tx, ev.data.account), number: ev.data.number, reason: ev.data.reason }, actor)
                  : await doClient(tx, ev.data, actor, today);
          return { ...out, status: 200, body: { id: ev.id, duplicate: false, accountId: out.accountId, result: out.body } };
        },
        ev.type === 'payment.received' ? (tx) => facts.readForPayment(tx, ev.data.account, paymentKey) : undefined,
      );
      const body = r.body as unknown as { id: string; result: unknown; workflow: unknown };
      return { id: body.id, duplicate: r.replayed, result: body.result, workflow: body.workflow };
    },
  }),
];
