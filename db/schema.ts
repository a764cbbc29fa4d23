/**
 * The whole product's tables. PostgreSQL is the source of truth for money facts (invoices, payments)
 * and for everything people see in lists; workflows hold only what happens next.
 * Money is integer cents (bigint), instants are timestamptz (UTC), calendar dates are `date`.
 */
import { relations, sql, type InferInsertModel, type InferSelectModel } from 'drizzle-orm';
import {
  type AnyPgColumn,
  type PgTable,
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  char,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { modes, paymentMethods, segments, tones, type InvoiceLine } from '../domain/facts';

const cents = (name: string) => bigint(name, { mode: 'number' });
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => instant('created_at').notNull().defaultNow();

export const roleEnum = pgEnum('role', ['admin', 'manager', 'clerk', 'caller', 'viewer']);
export const segmentEnum = pgEnum('segment', segments);
export const modeEnum = pgEnum('mode', modes);
export const paymentMethodEnum = pgEnum('payment_method', paymentMethods);
export const toneEnum = pgEnum('tone', tones);
export const invoiceStatusEnum = pgEnum('invoice_status', ['open', 'paid', 'void']);
export const paymentKindEnum = pgEnum('payment_kind', ['payment', 'credit_note']);
export const promiseStatusEnum = pgEnum('promise_status', ['open', 'kept', 'broken', 'cancelled']);
export const disputeStatusEnum = pgEnum('dispute_status', ['open', 'resolved']);
export const messageStatusEnum = pgEnum('message_status', [
  'pending_approval',
  'approved',
  'rejected',
  'superseded',
  'sent',
  'suppressed',
  /** Handed to the transport; what happened is recorded by the attempt that started it (issue 19). */
  'sending',
  /** An attempt died between the hand-over and its record: a person confirms or resends. */
  'unconfirmed',
]);
/**
 * The send as a state machine: queued → sending → sent | failed | withdrawn, and sending → unconfirmed
 * when an attempt died after the hand-over and the transport cannot be asked. Every transition is an
 * UPDATE … WHERE status = <the state it leaves>, so nothing a later writer did is overwritten.
 */
export const outboxStatusEnum = pgEnum('outbox_status', ['queued', 'sent', 'failed', 'sending', 'withdrawn', 'unconfirmed']);
export const callStatusEnum = pgEnum('call_status', ['open', 'done', 'cancelled']);
export const callOutcomeEnum = pgEnum('call_outcome', ['promise', 'dispute', 'no_answer', 'wrong_number', 'paid', 'other']);
export const recommendationKindEnum = pgEnum('recommendation_kind', ['service_pause', 'collections']);
export const decisionStatusEnum = pgEnum('decision_status', ['pending', 'approved', 'declined', 'withdrawn']);
export const actorTypeEnum = pgEnum('actor_type', ['user', 'system', 'integration', 'client']);

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  role: roleEnum('role').notNull(),
  passwordHash: text('password_hash').notNull(),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
  /** Base32 TOTP secret; set at enrolment, in force once `totpEnabledAt` is set (a code was confirmed). */
  totpSecret: text('totp_secret'),
  totpEnabledAt: instant('totp_enabled_at'),
  /** The time step of the last code accepted: a code is good once, even within its 30 seconds. */
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  /** SHA-256 hashes of the unused recovery codes; each works once. */
  recoveryCodeHashes: text('recovery_code_hashes').array().notNull().default(sql`'{}'::text[]`),
}, (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)]);

/**
 * Failed sign-ins per key (`account:<e-mail>` or `ip:<address>`): each lockout doubles the next one.
 * A success clears the account's row; the IP's row counts only failures, so one office behind one
 * address is not locked out by its own people signing in.
 */
export const loginThrottle = pgTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStartedAt: instant('window_started_at').notNull(),
  lockedUntil: instant('locked_until'),
  lockouts: integer('lockouts').notNull().default(0),
  updatedAt: instant('updated_at').notNull(),
});

export const sessions = pgTable('sessions', {
  /** SHA-256 of the cookie value; the raw value is never stored. */
  idHash: text('id_hash').primaryKey(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  csrfToken: text('csrf_token').notNull(),
  createdAt: createdAt(),
  lastSeenAt: instant('last_seen_at').notNull().defaultNow(),
  expiresAt: instant('expires_at').notNull(),
  ip: text('ip'),
  userAgent: text('user_agent'),
}, (t) => [index('sessions_user_idx').on(t.userId)]);

export const apiTokens = pgTable('api_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  /** e.g. invoices:write, payments:write, read */
  scopes: text('scopes').array().notNull(),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: createdAt(),
  lastUsedAt: instant('last_used_at'),
  revokedAt: instant('revoked_at'),
  /** After this the token is refused; null only for tokens made before expiry existed. */
  expiresAt: instant('expires_at'),
});

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: instant('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by').references(() => users.id),
});

export const accounts = pgTable('accounts', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** The client's id in the PSA / accounting tool. */
  externalRef: text('external_ref').unique(),
  name: text('name').notNull(),
  segment: segmentEnum('segment').notNull().default('standard'),
  mode: modeEnum('mode').notNull().default('copilot'),
  timeZone: text('time_zone').notNull().default('America/New_York'),
  businessHours: jsonb('business_hours').notNull().default({ start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] }),
  holidays: date('holidays', { mode: 'string' }).array().notNull().default(sql`'{}'::date[]`),
  paymentTermsDays: integer('payment_terms_days').notNull().default(30),
  paymentMethod: paymentMethodEnum('payment_method').notNull().default('ach'),
  clientSince: date('client_since', { mode: 'string' }).notNull(),
  currency: char('currency', { length: 3 }).notNull().default('USD'),
  /** ISO 3166-1 alpha-2; null when unknown (the currency then implies it where it can). */
  country: char('country', { length: 2 }),
  paused: boolean('paused').notNull().default(false),
  /** Bumped on every fact change; the reconciler compares it with what the workflow has seen. */
  factsVersion: bigint('facts_version', { mode: 'number' }).notNull().default(0),
  /** List columns kept current by the workflow's activities. */
  balanceCents: cents('balance_cents').notNull().default(0),
  stage: text('stage'),
  nextAction: text('next_action'),
  nextActionAt: instant('next_action_at'),
  workflowSeenVersion: bigint('workflow_seen_version', { mode: 'number' }).notNull().default(0),
  createdAt: createdAt(),
  updatedAt: instant('updated_at').notNull().defaultNow(),
}, (t) => [
  check('accounts_terms_check', sql`${t.paymentTermsDays} between 0 and 365`),
  check('accounts_balance_check', sql`${t.balanceCents} >= 0`),
  index('accounts_name_idx').on(t.name),
]);

export const contacts = pgTable('contacts', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  email: text('email').notNull(),
  phone: text('phone'),
  role: text('role'),
  isPrimary: boolean('is_primary').notNull().default(false),
}, (t) => [index('contacts_account_idx').on(t.accountId)]);

export const invoices = pgTable('invoices', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'restrict' }),
  number: text('number').notNull(),
  issueDate: date('issue_date', { mode: 'string' }).notNull(),
  dueDate: date('due_date', { mode: 'string' }).notNull(),
  amountCents: cents('amount_cents').notNull(),
  balanceCents: cents('balance_cents').notNull(),
  /** Always the account's currency: a trigger (migration 0006) copies it on insert, so no writer can mix them. */
  currency: char('currency', { length: 3 }).notNull().default('USD'),
  status: invoiceStatusEnum('status').notNull().default('open'),
  paidAt: instant('paid_at'),
  externalRef: text('external_ref'),
  /** What the invoice charges for, as its source sent it (empty when the source has no lines). */
  lines: jsonb('lines').$type<InvoiceLine[]>().notNull().default([]),
  createdAt: createdAt(),
  updatedAt: instant('updated_at').notNull().defaultNow(),
}, (t) => [
  uniqueIndex('invoices_account_number_key').on(t.accountId, t.number),
  check('invoices_amount_check', sql`${t.amountCents} >= 0`),
  check('invoices_balance_check', sql`${t.balanceCents} >= 0 and ${t.balanceCents} <= ${t.amountCents}`),
  check('invoices_dates_check', sql`${t.dueDate} >= ${t.issueDate}`),
  index('invoices_open_idx').on(t.accountId, t.dueDate).where(sql`${t.status} = 'open'`),
]);

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Every committed import, with the file as it was uploaded: the evidence behind the facts it wrote. */
export const imports = pgTable('imports', {
  id: uuid('id').primaryKey().defaultRandom(),
  fileName: text('file_name'),
  sha256: text('sha256').notNull(),
  /** The report the file was recognised as, e.g. "QuickBooks Online A/R Aging Detail". */
  shape: text('shape').notNull(),
  /** The report's own "as of" date: the day the books looked like this. */
  asOf: date('as_of', { mode: 'string' }),
  content: bytea('content').notNull(),
  report: jsonb('report').notNull(),
  actorName: text('actor_name'),
  createdAt: createdAt(),
}, (t) => [index('imports_as_of_idx').on(t.asOf)]);

export const payments = pgTable('payments', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'restrict' }),
  kind: paymentKindEnum('kind').notNull().default('payment'),
  amountCents: cents('amount_cents').notNull(),
  receivedAt: instant('received_at').notNull(),
  method: paymentMethodEnum('method').notNull(),
  reference: text('reference'),
  /** The sender's key (webhook delivery, API request, import row): the same key records once. */
  idempotencyKey: text('idempotency_key').unique(),
  /** Always the account's currency (copied on insert by a trigger, as for invoices). */
  currency: char('currency', { length: 3 }).notNull().default('USD'),
  /**
   * False for money an import found already paid with no date given ("paid before import"):
   * received_at then holds the invoice's issue date only so balances as of a date stay right; no
   * call sheet, history or metric may present it as a payment made on that day.
   */
  dated: boolean('dated').notNull().default(true),
  /** What the books said, when the payment was read from an accounting report rather than reported to us. */
  basis: text('basis', { enum: ['paid_before_import', 'paid_in_books', 'settled_in_books'] }),
  /** The imported file this fact came from (kept as evidence). */
  importId: uuid('import_id').references((): AnyPgColumn => imports.id, { onDelete: 'restrict' }),
  createdAt: createdAt(),
}, (t) => [
  check('payments_amount_check', sql`${t.amountCents} > 0`),
  index('payments_account_idx').on(t.accountId, t.receivedAt),
]);

/**
 * A payment that looks like one already credited (same account, amount and reference within days),
 * held for a person instead of credited: `input` is what would be recorded if they release it.
 */
export const paymentHolds = pgTable('payment_holds', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'restrict' }),
  amountCents: cents('amount_cents').notNull(),
  reference: text('reference').notNull(),
  /** The payment it looks like. */
  matchesPaymentId: uuid('matches_payment_id').notNull().references(() => payments.id, { onDelete: 'restrict' }),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  input: jsonb('input').notNull(),
  status: text('status', { enum: ['held', 'released', 'dismissed'] }).notNull().default('held'),
  decidedBy: uuid('decided_by').references(() => users.id),
  decidedAt: instant('decided_at'),
  paymentId: uuid('payment_id').references(() => payments.id),
  createdAt: createdAt(),
}, (t) => [index('payment_holds_status_idx').on(t.status, t.createdAt)]);

/** How each payment was applied: oldest invoice first unless the payer named one. */
export const paymentAllocations = pgTable('payment_allocations', {
  paymentId: uuid('payment_id').notNull().references(() => payments.id, { onDelete: 'cascade' }),
  invoiceId: uuid('invoice_id').notNull().references(() => invoices.id, { onDelete: 'restrict' }),
  amountCents: cents('amount_cents').notNull(),
}, (t) => [
  uniqueIndex('payment_allocations_key').on(t.paymentId, t.invoiceId),
  check('payment_allocations_amount_check', sql`${t.amountCents} > 0`),
]);

export const promises = pgTable('promises', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'restrict' }),
  promisedDate: date('promised_date', { mode: 'string' }).notNull(),
  amountCents: cents('amount_cents'),
  status: promiseStatusEnum('status').notNull().default('open'),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: createdAt(),
  resolvedAt: instant('resolved_at'),
}, (t) => [
  check('promises_amount_check', sql`${t.amountCents} is null or ${t.amountCents} > 0`),
  index('promises_account_idx').on(t.accountId),
]);

export const disputes = pgTable('disputes', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'restrict' }),
  invoiceId: uuid('invoice_id').references(() => invoices.id),
  reason: text('reason').notNull(),
  status: disputeStatusEnum('status').notNull().default('open'),
  openedBy: uuid('opened_by').references(() => users.id),
  openedAt: instant('opened_at').notNull().defaultNow(),
  resolvedBy: uuid('resolved_by').references(() => users.id),
  resolvedAt: instant('resolved_at'),
  resolution: text('resolution'),
}, (t) => [
  index('disputes_account_idx').on(t.accountId),
  uniqueIndex('disputes_one_open_key').on(t.accountId).where(sql`${t.status} = 'open'`),
]);

export const policies = pgTable('policies', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  version: integer('version').notNull(),
  /** The PolicyDefinition (domain/policy/schema.ts), validated before it is stored. */
  definition: jsonb('definition').notNull(),
  active: boolean('active').notNull().default(true),
  createdBy: uuid('created_by').references(() => users.id),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('policies_name_version_key').on(t.name, t.version),
  check('policies_version_check', sql`${t.version} >= 1`),
]);

export const messages = pgTable('messages', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'restrict' }),
  stepId: text('step_id').notNull(),
  cycleKey: text('cycle_key').notNull(),
  channel: text('channel').notNull().default('email'),
  status: messageStatusEnum('status').notNull(),
  toEmail: text('to_email').notNull(),
  subject: text('subject').notNull(),
  bodyText: text('body_text').notNull(),
  bodyHtml: text('body_html'),
  /** The wording as drafted, kept when a clerk edits so the trail shows both. */
  draftSubject: text('draft_subject').notNull(),
  draftBodyText: text('draft_body_text').notNull(),
  tone: toneEnum('tone').notNull(),
  source: text('source').notNull(),
  promptVersion: text('prompt_version'),
  confidence: real('confidence'),
  model: text('model'),
  factCheck: jsonb('fact_check').notNull(),
  sensitiveReasons: text('sensitive_reasons').array().notNull().default(sql`'{}'::text[]`),
  requiresApproval: boolean('requires_approval').notNull(),
  amountCents: cents('amount_cents').notNull(),
  daysOverdue: integer('days_overdue').notNull(),
  invoiceIds: uuid('invoice_ids').array().notNull(),
  scheduledFor: instant('scheduled_for'),
  decidedBy: uuid('decided_by').references(() => users.id),
  decidedAt: instant('decided_at'),
  decisionReason: text('decision_reason'),
  escalatedAt: instant('escalated_at'),
  sentAt: instant('sent_at'),
  /**
   * What a person must know about how the send went, in words ("sent while a payment was arriving",
   * "may have been sent at …"); null when it went plainly.
   */
  sendNote: text('send_note'),
  createdAt: createdAt(),
}, (t) => [
  // A withdrawn draft may be redrafted for the same step; only one live draft per step and cycle.
  uniqueIndex('messages_step_key').on(t.accountId, t.stepId, t.cycleKey).where(sql`${t.status} <> 'superseded'`),
  index('messages_queue_idx').on(t.status, t.createdAt),
  // The queue sorted by amount reads its page from here instead of sorting every pending draft.
  index('messages_queue_amount_idx').on(t.status, t.amountCents),
  index('messages_account_idx').on(t.accountId, t.createdAt),
]);

export const outbox = pgTable('outbox', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** account + step + cycle: a retried send finds its row instead of sending again. */
  idempotencyKey: text('idempotency_key').notNull().unique(),
  messageId: uuid('message_id').notNull().references(() => messages.id),
  accountId: uuid('account_id').notNull().references(() => accounts.id),
  toEmail: text('to_email').notNull(),
  subject: text('subject').notNull(),
  status: outboxStatusEnum('status').notNull().default('queued'),
  transport: text('transport').notNull(),
  providerMessageId: text('provider_message_id'),
  emlPath: text('eml_path'),
  attempts: integer('attempts').notNull().default(0),
  /** The attempt that moved the row to `sending`, and when: a retry that finds it there knows it is not its own. */
  attemptId: uuid('attempt_id'),
  attemptStartedAt: instant('attempt_started_at'),
  lastError: text('last_error'),
  createdAt: createdAt(),
  sentAt: instant('sent_at'),
}, (t) => [index('outbox_account_idx').on(t.accountId)]);

export const callTasks = pgTable('call_tasks', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'restrict' }),
  stepId: text('step_id').notNull(),
  cycleKey: text('cycle_key').notNull(),
  status: callStatusEnum('status').notNull().default('open'),
  assignedTo: uuid('assigned_to').references(() => users.id),
  dueAt: instant('due_at').notNull(),
  outcome: callOutcomeEnum('outcome'),
  outcomeNotes: text('outcome_notes'),
  promisedDate: date('promised_date', { mode: 'string' }),
  completedBy: uuid('completed_by').references(() => users.id),
  completedAt: instant('completed_at'),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('call_tasks_step_key').on(t.accountId, t.stepId, t.cycleKey),
  index('call_tasks_open_idx').on(t.status, t.dueAt),
]);

export const callSheets = pgTable('call_sheets', {
  id: uuid('id').primaryKey().defaultRandom(),
  callTaskId: uuid('call_task_id').notNull().references(() => callTasks.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  sheet: jsonb('sheet').notNull(),
  source: text('source').notNull(),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('call_sheets_version_key').on(t.callTaskId, t.version)]);

/** Service pause and collections referral: recommended by the policy, decided by a manager. */
export const recommendations = pgTable('recommendations', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').notNull().references(() => accounts.id, { onDelete: 'restrict' }),
  kind: recommendationKindEnum('kind').notNull(),
  cycleKey: text('cycle_key').notNull(),
  status: decisionStatusEnum('status').notNull().default('pending'),
  balanceCents: cents('balance_cents').notNull(),
  daysOverdue: integer('days_overdue').notNull(),
  decidedBy: uuid('decided_by').references(() => users.id),
  decidedAt: instant('decided_at'),
  reason: text('reason'),
  createdAt: createdAt(),
}, (t) => [uniqueIndex('recommendations_key').on(t.accountId, t.kind, t.cycleKey)]);

/** Replayed answers for ingestion requests that carry an Idempotency-Key. */
export const idempotencyKeys = pgTable('idempotency_keys', {
  key: text('key').primaryKey(),
  requestHash: text('request_hash').notNull(),
  statusCode: integer('status_code').notNull(),
  response: jsonb('response').notNull(),
  createdAt: createdAt(),
});

/**
 * The paper trail. Append-only: a trigger (migration 0001) refuses UPDATE and DELETE, so the record a
 * collections claim relies on cannot be rewritten by the application either.
 */
export const events = pgTable('events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'restrict' }),
  type: text('type').notNull(),
  actorType: actorTypeEnum('actor_type').notNull(),
  actorId: text('actor_id'),
  actorName: text('actor_name'),
  data: jsonb('data').notNull().default({}),
  createdAt: createdAt(),
}, (t) => [
  index('events_account_idx').on(t.accountId, t.id),
  index('events_type_idx').on(t.type, t.createdAt),
]);

/**
 * Which transactions changed what a queue page shows (messages, the broken promises behind risk, an
 * account's name, segment or mode): one row per such transaction, written by triggers (migration
 * 0004). The API keeps pages it has read together with the snapshot they were read at, and serves one
 * again only while no transaction it did not see has committed here. Old rows are pruned.
 */
export const queueChanges = pgTable('queue_changes', {
  /** pg_current_xact_id() of the changing transaction. */
  txid: bigint('txid', { mode: 'number' }).primaryKey(),
  recordedAt: instant('recorded_at').notNull().defaultNow(),
});

/**
 * An account and what hangs off it, for the one statement that reads an account's facts
 * (db/account-facts.ts). Relations are a query-time description; they add nothing to
 * the database.
 */
export const accountsRelations = relations(accounts, ({ many }) => ({
  contacts: many(contacts),
  invoices: many(invoices),
  payments: many(payments),
  promises: many(promises),
  disputes: many(disputes),
  messages: many(messages),
  callTasks: many(callTasks),
  recommendations: many(recommendations),
}));
const ofAccount = <T extends { accountId: AnyPgColumn }>(table: PgTable & T) =>
  relations(table, ({ one }) => ({ account: one(accounts, { fields: [table.accountId], references: [accounts.id] }) }));
export const contactsRelations = ofAccount(contacts);
export const invoicesRelations = ofAccount(invoices);
export const paymentsRelations = relations(payments, ({ one, many }) => ({
  account: one(accounts, { fields: [payments.accountId], references: [accounts.id] }),
  allocations: many(paymentAllocations),
}));
export const paymentAllocationsRelations = relations(paymentAllocations, ({ one }) => ({
  payment: one(payments, { fields: [paymentAllocations.paymentId], references: [payments.id] }),
}));
export const promisesRelations = ofAccount(promises);
export const disputesRelations = ofAccount(disputes);
export const messagesRelations = ofAccount(messages);
export const callTasksRelations = ofAccount(callTasks);
export const recommendationsRelations = ofAccount(recommendations);

export type User = InferSelectModel<typeof users>;
export type Account = InferSelectModel<typeof accounts>;
export type NewAccount = InferInsertModel<typeof accounts>;
export type Invoice = InferSelectModel<typeof invoices>;
export type NewInvoice = InferInsertModel<typeof invoices>;
export type Payment = InferSelectModel<typeof payments>;
export type Message = InferSelectModel<typeof messages>;
export type OutboxRow = InferSelectModel<typeof outbox>;
export type CallTask = InferSelectModel<typeof callTasks>;
export type EventRow = InferSelectModel<typeof events>;
export type NewEvent = InferInsertModel<typeof events>;
export type PolicyRow = InferSelectModel<typeof policies>;
export type PaymentHold = InferSelectModel<typeof paymentHolds>;

// ── Client replies (issue 16) ────────────────────────────────────────────────────────────────────

/** The per-account token in the Reply-To of outgoing mail (ar+<token>@…): random, so it says nothing of the account. */
export const replyTokens = pgTable('reply_tokens', {
  accountId: uuid('account_id').primaryKey().references(() => accounts.id, { onDelete: 'restrict' }),
  token: text('token').notNull().unique(),
  createdAt: createdAt(),
});

/**
 * Every reply that reached us, raw (size-limited) and as understood: what it said, the sentence that
 * says it, how it was matched and what Tactful did. A reply no account matches is kept too (account
 * null) for a person. One row per delivered Message-ID, so a message fetched twice is handled once.
 */
export const replies = pgTable('replies', {
  id: uuid('id').primaryKey().defaultRandom(),
  accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'restrict' }),
  source: text('source').notNull(),
  messageId: text('message_id'),
  fromEmail: text('from_email').notNull(),
  subject: text('subject').notNull(),
  receivedAt: instant('received_at').notNull(),
  raw: bytea('raw').notNull(),
  rawTruncated: boolean('raw_truncated').notNull().default(false),
  visibleText: text('visible_text').notNull(),
  kind: text('kind').notNull(),
  confidence: real('confidence').notNull(),
  evidence: text('evidence').notNull(),
  details: jsonb('details').notNull().default({}),
  flags: jsonb('flags').$type<string[]>().notNull().default([]),
  classifier: text('classifier').notNull(),
  matchQuality: text('match_quality').notNull(),
  knownSender: boolean('known_sender').notNull(),
  action: jsonb('action').notNull(),
  /** waiting (a person decides), proposed (a promise to confirm), verifying, holding, answering (db/facts/answers.ts), done. */
  status: text('status').notNull(),
  /** Until when written reminders are held for this reply ("already paid" or out of office). */
  holdUntil: instant('hold_until'),
  /** This reply paused the account, so ending its hold may resume it (a manager's pause is left alone). */
  pausedAccount: boolean('paused_account').notNull().default(false),
  /** A drafted answer to a routine question, for a person to send. */
  answerText: text('answer_text'),
  outcome: text('outcome'),
  resolvedAt: instant('resolved_at'),
  resolvedBy: uuid('resolved_by').references(() => users.id),
  createdAt: createdAt(),
}, (t) => [
  uniqueIndex('replies_message_id_key').on(t.messageId).where(sql`${t.messageId} is not null`),
  index('replies_account_idx').on(t.accountId, t.receivedAt),
  index('replies_status_idx').on(t.status, t.holdUntil),
]);

export type ReplyRow = InferSelectModel<typeof replies>;
