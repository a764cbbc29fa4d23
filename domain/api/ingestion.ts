/**
 * Facts pushed in by integrations and people: clients, invoices, payments, the payment webhook and
 * CSV imports. Amounts are integer cents; the CSV importer is what turns "$1,234.50" into 123450.
 */
import { z } from 'zod';
import { BusinessHours, Mode, PaymentMethod, Segment } from '../facts';
import { FactWriteResponse, Instant, IsoDate, PositiveCents, Cents, ShortText, Uuid } from './common';

const Ref = z.string().trim().min(1).max(120);

/** Which account a fact belongs to: our id, or the client's id in the accounting tool. */
export const AccountRef = z.union([
  z.strictObject({ accountId: Uuid }),
  z.strictObject({ externalRef: Ref }),
]);

export const ClientUpsertRequest = z.strictObject({
  externalRef: Ref,
  name: ShortText,
  segment: Segment.optional(),
  mode: Mode.optional(),
  timeZone: z.string().trim().min(1).max(64).optional(),
  businessHours: BusinessHours.strict().optional(),
  paymentTermsDays: z.number().int().min(0).max(365).optional(),
  paymentMethod: PaymentMethod.optional(),
  clientSince: IsoDate.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  /** ISO 3166 alpha-2 (GB, US, NZ): how the client's messages write dates and amounts, and whose public holidays apply. */
  country: z.string().regex(/^[A-Z]{2}$/, 'a two-letter country code such as GB').optional(),
  contacts: z
    .array(
      z.strictObject({
        name: ShortText,
        email: z.string().trim().max(254).pipe(z.email()),
        phone: z.string().trim().max(40).optional(),
        role: z.string().trim().max(80).optional(),
        isPrimary: z.boolean().optional(),
      }),
    )
    .max(20)
    .optional(),
});
export type ClientUpsertRequest = z.infer<typeof ClientUpsertRequest>;
export const ClientUpsertResponse = FactWriteResponse.extend({ created: z.boolean() });

export const InvoiceUpsertRequest = z
  .strictObject({
    account: AccountRef,
    number: z.string().trim().min(1).max(60),
    issueDate: IsoDate,
    dueDate: IsoDate,
    amountCents: Cents,
    externalRef: Ref.optional(),
    /** When the source last changed this invoice; an older update arriving late is ignored. */
    sourceUpdatedAt: Instant.optional(),
    /** What the invoice charges for; they must add up to its amount. Used to answer "what is this charge for?". */
    lines: z
      .array(
        z.strictObject({
          description: z.string().trim().min(1).max(200),
          quantity: z.number().positive().max(1_000_000).nullable().default(null),
          amountCents: z.number().int().min(-100_000_000_00).max(100_000_000_00),
        }),
      )
      .max(200)
      .optional(),
  })
  .refine((v) => v.dueDate >= v.issueDate, { path: ['dueDate'], message: 'the due date is before the issue date' })
  .refine((v) => !v.lines || v.lines.reduce((s, l) => s + l.amountCents, 0) === v.amountCents, {
    path: ['lines'],
    message: 'the lines do not add up to the invoice amount',
  });
export type InvoiceUpsertRequest = z.infer<typeof InvoiceUpsertRequest>;
export const InvoiceUpsertResponse = FactWriteResponse.extend({
  invoiceId: Uuid,
  created: z.boolean(),
  /** False when nothing changed, or when the update was older than what is stored. */
  changed: z.boolean(),
});

export const VoidInvoiceRequest = z.strictObject({ reason: z.string().trim().max(1000).optional() });
export const VoidInvoiceResponse = FactWriteResponse.extend({ invoiceId: Uuid, changed: z.boolean() });

export const PaymentRequest = z.strictObject({
  account: AccountRef,
  kind: z.enum(['payment', 'credit_note']).default('payment'),
  amountCents: PositiveCents,
  receivedAt: Instant,
  method: PaymentMethod,
  reference: z.string().trim().max(120).optional(),
  /** Apply to this invoice first; the rest goes to the oldest open invoices. */
  invoiceNumber: z.string().trim().min(1).max(60).optional(),
});
export type PaymentRequest = z.infer<typeof PaymentRequest>;
export const PaymentRecorded = FactWriteResponse.extend({
  paymentId: Uuid,
  /** True when this key was already recorded: nothing changed. */
  duplicate: z.boolean(),
  allocations: z.array(z.object({ invoiceId: Uuid, invoiceNumber: z.string(), amountCents: Cents })),
  unappliedCents: Cents,
});
/**
 * Answered with 202: the same account, amount and reference was credited within days under another
 * key, so this one is held as a possible duplicate until a manager releases or dismisses it.
 */
export const PaymentHeld = FactWriteResponse.extend({ held: z.literal(true), holdId: Uuid, matchesPaymentId: Uuid, detail: z.string() });
export const PaymentResponse = z.union([PaymentRecorded, PaymentHeld]);
export type PaymentResponse = z.infer<typeof PaymentResponse>;

/**
 * The payment webhook. The sender signs `<timestamp>.<raw body>` with HMAC-SHA256 and the shared
 * secret and sends `X-Tactful-Signature: t=<unix seconds>,v1=<hex>`. `id` is the delivery's event id:
 * the same id is recorded once however often it is delivered.
 */
export const WebhookEvent = z.discriminatedUnion('type', [
  z.strictObject({
    id: Ref,
    type: z.literal('payment.received'),
    occurredAt: Instant,
    data: PaymentRequest.omit({ receivedAt: true }).extend({ receivedAt: Instant.optional() }),
  }),
  z.strictObject({ id: Ref, type: z.literal('invoice.upserted'), occurredAt: Instant, data: InvoiceUpsertRequest }),
  z.strictObject({
    id: Ref,
    type: z.literal('invoice.voided'),
    occurredAt: Instant,
    data: z.strictObject({ account: AccountRef, number: z.string().trim().min(1).max(60), reason: z.string().max(1000).optional() }),
  }),
  z.strictObject({ id: Ref, type: z.literal('client.upserted'), occurredAt: Instant, data: ClientUpsertRequest }),
]);
export type WebhookEvent = z.infer<typeof WebhookEvent>;
export const WebhookResponse = z.object({ id: z.string(), duplicate: z.boolean(), result: z.unknown() });

/** `balances`: an ageing summary (one line per customer), checked against the ledger, no invoices written. */
export const importKinds = ['clients', 'invoices', 'payments', 'balances'] as const;
export const ImportKind = z.enum(importKinds);
export type ImportKind = z.infer<typeof ImportKind>;

export const ImportQuery = z.strictObject({
  /** Omitted: recognised from the header row. */
  kind: ImportKind.optional(),
  dryRun: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').default(false),
  /** How to read 03/04/2026. `auto` decides from the file and refuses it when it cannot tell. */
  dateOrder: z.enum(['auto', 'mdy', 'dmy']).default('auto'),
  /** The currency of amounts that do not name theirs (no currency column, no symbol); default USD. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter code such as USD').optional(),
  /** The file's name, kept with the file as evidence. */
  fileName: z.string().max(255).optional(),
  /**
   * The report covers every customer (an unfiltered aging report leaves out only those who owe
   * nothing): a customer with open invoices in Tactful who is not in it was settled in the books too.
   * Off by default: a report filtered to some customers must not settle the others.
   */
  settleAbsent: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1').default(false),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

export const ImportRowError = z.object({
  /** 1-based line in the file, the header being line 1. */
  row: z.number().int(),
  column: z.string().optional(),
  message: z.string(),
});
export type ImportRowError = z.infer<typeof ImportRowError>;

/** What the import does (or, in a dry run, would do) with one line of the file or one fact in the ledger. */
export const importOutcomes = [
  'created',
  'updated',
  'unchanged',
  'paid_in_books',
  'settled_in_books',
  'absent_customer',
  'paid_before_import',
  'credit',
  'payment',
  'client_created',
  'client_updated',
  'checked',
  'reported',
] as const;
export const ImportLine = z.object({
  /** The file's line; null for a ledger fact the file does not mention (an invoice settled in the books). */
  row: z.number().int().nullable(),
  customer: z.string(),
  number: z.string().nullable(),
  outcome: z.enum(importOutcomes),
  amountCents: z.number().int().nullable(),
  currency: z.string().nullable(),
  message: z.string().optional(),
});
export type ImportLine = z.infer<typeof ImportLine>;

export const ImportTotalCheck = z.object({
  line: z.number().int(),
  label: z.string(),
  column: z.string(),
  fileCents: z.number().int(),
  rowsCents: z.number().int(),
  scope: z.enum(['group', 'grand']),
  note: z.string().optional(),
});

export const ImportReport = z.object({
  /** The report the file was recognised as, e.g. "QuickBooks Online A/R Aging Detail". */
  shape: z.string(),
  /** The report's own "as of" date. */
  asOf: IsoDate.nullable(),
  kind: ImportKind,
  dryRun: z.boolean(),
  /** Nothing is written unless every row is valid. */
  committed: z.boolean(),
  rows: z.number().int(),
  accountsCreated: z.number().int(),
  accountsUpdated: z.number().int(),
  invoicesCreated: z.number().int(),
  invoicesUpdated: z.number().int(),
  paymentsRecorded: z.number().int(),
  creditNotesRecorded: z.number().int(),
  skipped: z.number().int(),
  invoicesUnchanged: z.number().int(),
  paidInBooks: z.number().int(),
  settledInBooks: z.number().int(),
  /** Invoices of customers the report does not mention, left open (the report may be filtered); settled with settleAbsent. */
  absentCustomers: z.number().int().default(0),
  /** What the file holds, as read: invoices, credits, customers, the open total per currency. */
  file: z.object({ invoices: z.number().int(), credits: z.number().int(), customers: z.number().int(), open: z.record(z.string(), z.number().int()) }),
  furniture: z.object({ titles: z.number().int(), headings: z.number().int(), totals: z.number().int(), footers: z.number().int(), blank: z.number().int() }),
  totals: z.array(ImportTotalCheck),
  lines: z.array(ImportLine),
  /** Accounts this import touched that still have no contact to write to. */
  accountsWithoutContact: z.array(z.string()),
  notes: z.array(z.string()),
  importId: Uuid.nullable(),
  errors: z.array(ImportRowError),
  workflow: z.object({ signaled: z.number().int(), notSignaled: z.number().int() }).optional(),
});
export type ImportReport = z.infer<typeof ImportReport>;
