/**
 * What a message about one account may truthfully say, derived once from the draft input so that the
 * templates, the model prompt and the fact check all work from the same numbers, dates and rules.
 */
import { DateTime } from 'luxon';
import type { InvoiceFact, IsoDate, PaymentFact, PromiseFact } from '../facts';
import { stepKinds } from '../policy/schema';
import type { StepKind } from '../policy/schema';
import type { DraftInput, DraftRules } from './types';

const DEFAULT_REPLY_DAYS = 7;

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
  currency: string;
  today: IsoDate;
  /** Open invoices with something still owed, oldest due date first. */
  openInvoices: InvoiceFact[];
  totalCents: number;
  /** Payments on invoices that are still open: the partial payments a message may thank for. */
  partialPayments: Array<PaymentFact & { invoiceNumber: string; receivedOn: IsoDate }>;
  openPromise?: PromiseFact;
  brokenPromise?: PromiseFact;
  replyBy: IsoDate;
  interruptionDate?: IsoDate;
  permissions: LanguagePermissions;
  allowedAmounts: Set<number>;
  allowedDates: Set<IsoDate>;
  openNumbers: Set<string>;
  knownNumbers: Set<string>;
}

export function buildDraftContext(input: DraftInput): DraftContext {
  const { facts, step } = input;
  const today = localDate(input.now, facts.timeZone);
  const openInvoices = facts.invoices
    .filter((i) => i.status === 'open' && i.balanceCents > 0)
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.number.localeCompare(b.number));
  const totalCents = openInvoices.reduce((sum, i) => sum + i.balanceCents, 0);
  const byId = new Map(openInvoices.map((i) => [i.id, i]));
  const partialPayments = facts.payments
    .filter((p) => p.invoiceId && byId.has(p.invoiceId))
    .map((p) => ({ ...p, invoiceNumber: byId.get(p.invoiceId as string)!.number, receivedOn: localDate(p.receivedAt, facts.timeZone) }))
    .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const latestFirst = [...facts.promises].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const openPromise = latestFirst.find((p) => p.status === 'open');
  const brokenPromise = latestFirst.find((p) => p.status === 'broken');
  const replyBy = input.rules.replyByDate ?? addDays(today, DEFAULT_REPLY_DAYS);
  const interruptionDate = step.interruptionDate;

  const allowedAmounts = new Set<number>([totalCents, step.balanceCents]);
  for (const i of openInvoices) allowedAmounts.add(i.balanceCents).add(i.amountCents);
  for (const p of partialPayments) allowedAmounts.add(p.amountCents);
  for (const p of facts.promises) if (p.amountCents) allowedAmounts.add(p.amountCents);

  const allowedDates = new Set<IsoDate>([today, replyBy]);
  for (const i of openInvoices) allowedDates.add(i.dueDate).add(i.issueDate);
  for (const p of partialPayments) allowedDates.add(p.receivedOn);
  for (const p of facts.promises) allowedDates.add(p.promisedDate);
  for (const m of input.earlierMessages) allowedDates.add(localDate(m.sentAt, facts.timeZone));
  if (interruptionDate) allowedDates.add(interruptionDate);

  return {
    currency: facts.currency,
    today,
    openInvoices,
    totalCents,
    partialPayments,
    openPromise,
    brokenPromise,
    replyBy,
    interruptionDate,
    permissions: languagePermissions(step.kind, input.rules),
    allowedAmounts,
    allowedDates,
    openNumbers: new Set(openInvoices.map((i) => i.number.toUpperCase())),
    knownNumbers: new Set(facts.invoices.map((i) => i.number.toUpperCase())),
  };
}
