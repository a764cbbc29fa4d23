/**
 * What a message about one account may truthfully say, derived once from the draft input so that the
 * templates, the model prompt and the fact check all work from the same numbers, dates and rules.
 */
import { DateTime } from 'luxon';
import type { InvoiceFact, IsoDate, PaymentFact, PromiseFact } from '../facts';
import { stepKinds } from '../policy/schema';
import { buildStatement } from './statement';
import type { Statement } from './statement';
import type { StepKind } from '../policy/schema';
import type { DraftInput, DraftRules } from './types';

export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(cents: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 10 ** digits);
}

/** 'March 3, 2025': the form the templates write and the fact check reads back. */
export function formatDate(date: IsoDate): string {
  return DateTime.fromISO(date, { zone: 'utc' }).setLocale('en-US').toFormat('LLLL d, yyyy');
}

export function formatShortDate(date: IsoDate): string {
  return DateTime.fromISO(date, { zone: 'utc' }).setLocale('en-US').toFormat('LLL d, yyyy');
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate() as IsoDate;
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round(DateTime.fromISO(to, { zone: 'utc' }).diff(DateTime.fromISO(from, { zone: 'utc' }), 'days').days);
}

/** The calendar date of an instant in the account's time zone. */
export function localDate(instant: string, timeZone: string): IsoDate {
  return DateTime.fromISO(instant, { zone: 'utc' }).setZone(timeZone).toISODate() as IsoDate;
}

export function stepRank(kind: StepKind): number {
  return stepKinds.indexOf(kind);
}

/**
 * What the step may say. Step order is the floor (nothing before a second reminder names a consequence),
 * the policy's flags can only narrow it; a service pause or collections notice is itself the consequence.
 */
export interface LanguagePermissions {
  consequences: boolean;
  interruption: boolean;
  finalWord: boolean;
  collections: boolean;
}

export function languagePermissions(kind: StepKind, rules: DraftRules): LanguagePermissions {
  const rank = stepRank(kind);
  const itselfTheConsequence = kind === 'service_pause' || kind === 'collections';
  const consequences = rank >= stepRank('second_reminder') && (rules.allowsConsequences || itselfTheConsequence);
  return {
    consequences,
    interruption: consequences && rank >= stepRank('final_notice') && (rules.statesInterruption || kind === 'service_pause'),
    finalWord: rank >= stepRank('final_notice'),
    collections: kind === 'collections',
  };
}

export interface DraftContext {
  /** The one reading of the ledger every other field here is taken from. */
  statement: Statement;
  currency: string;
  today: IsoDate;
  /** Open invoices with something still owed, oldest due date first (overdue and upcoming alike). */
  openInvoices: InvoiceFact[];
  /** What is owed in all, overdue and upcoming: never to be called overdue. */
  totalCents: number;
  /** Payments received since the last message that went to an invoice: what a message may thank for. */
  partialPayments: Array<PaymentFact & { invoiceNumber: string; receivedOn: IsoDate }>;
  /** This cycle's promises only. */
  openPromise?: PromiseFact;
  brokenPromise?: PromiseFact;
  replyBy: IsoDate;
  interruptionDate?: IsoDate;
  permissions: LanguagePermissions;
  allowedAmounts: Set<number>;
  allowedDates: Set<IsoDate>;
  openNumbers: Set<string>;
  /** Paid invoices a message may name only to thank the payment or credit that went to them. */
  acknowledgedNumbers: Set<string>;
  knownNumbers: Set<string>;
}

export function buildDraftContext(input: DraftInput): DraftContext {
  const { facts } = input;
  const statement = buildStatement(input);
  const openIds = new Set(statement.invoices.map((i) => i.id));
  const openInvoices = statement.invoices.map((si) => facts.invoices.find((i) => i.id === si.id)!).filter((i) => openIds.has(i.id));
  const paymentById = new Map(facts.payments.map((p) => [p.id, p]));
  const partialPayments = statement.receivedSinceLastMessage.flatMap((m) =>
    m.allocations.map((a) => ({ ...paymentById.get(m.id)!, invoiceId: a.invoiceId, invoiceNumber: a.invoiceNumber, receivedOn: m.receivedOn })),
  );
  const promiseById = new Map(facts.promises.map((p) => [p.id, p]));
  const interruptionDate = statement.step.interruptionDate ?? undefined;

  const allowedAmounts = new Set<number>([statement.totalOwedCents, statement.overdueCents, statement.upcomingCents]);
  for (const i of statement.invoices) allowedAmounts.add(i.balanceCents).add(i.amountCents);
  for (const m of statement.receivedSinceLastMessage) {
    allowedAmounts.add(m.amountCents);
    for (const a of m.allocations) allowedAmounts.add(a.amountCents);
  }
  for (const p of statement.promises) if (p.amountCents) allowedAmounts.add(p.amountCents);
  allowedAmounts.delete(0);

  const allowedDates = new Set<IsoDate>([statement.sendDate, statement.replyBy]);
  for (const i of statement.invoices) allowedDates.add(i.dueDate).add(i.issueDate);
  for (const m of statement.receivedSinceLastMessage) allowedDates.add(m.receivedOn);
  for (const p of statement.promises) allowedDates.add(p.promisedDate);
  for (const m of statement.messagesThisCycle) allowedDates.add(m.sentOn);
  if (interruptionDate) allowedDates.add(interruptionDate);
  for (const id of input.statedLinesOf ?? []) {
    const inv = facts.invoices.find((i) => i.id === id);
    if (!inv) continue;
    allowedAmounts.add(inv.amountCents).add(inv.balanceCents);
    allowedDates.add(inv.issueDate);
    for (const l of inv.lines ?? []) allowedAmounts.add(Math.abs(l.amountCents));
  }
  for (const id of input.statedPaymentIds ?? []) {
    const p = paymentById.get(id);
    if (!p) continue;
    allowedAmounts.add(p.amountCents);
    allowedDates.add(DateTime.fromISO(p.receivedAt, { zone: facts.timeZone }).toISODate()!);
  }

  return {
    statement,
    currency: facts.currency,
    today: statement.sendDate,
    openInvoices,
    totalCents: statement.totalOwedCents,
    partialPayments,
    openPromise: statement.openPromise ? promiseById.get(statement.openPromise.id) : undefined,
    brokenPromise: statement.brokenPromise ? promiseById.get(statement.brokenPromise.id) : undefined,
    replyBy: statement.replyBy,
    interruptionDate,
    permissions: statement.permissions,
    allowedAmounts,
    allowedDates,
    openNumbers: new Set(openInvoices.map((i) => i.number.toUpperCase())),
    acknowledgedNumbers: new Set(statement.receivedSinceLastMessage.flatMap((m) => m.allocations.map((a) => a.invoiceNumber.toUpperCase()))),
    knownNumbers: new Set(facts.invoices.map((i) => i.number.toUpperCase())),
  };
}
