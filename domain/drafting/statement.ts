/**
 * The statement of an account for one message: what the ledger says on the day the message is sent,
 * read once. Every drafter (template or model), the fact check, the call-prep sheet and the queue's
 * facts panel read this, so no two of them can disagree about what is overdue, what was paid or
 * whether we wrote before. Pure and deterministic; dates are the account's own calendar.
 */
import { DateTime } from 'luxon';
import type { AccountFacts, DisputeFact, Instant, IsoDate, PaymentMethod, PromiseFact, Tone } from '../facts';
import type { LateFees } from '../settings';
import type { StepKind } from '../policy/schema';
import type { PlannedStep } from '../policy/types';
import { instantMs } from '../calendar';
import { addDays, daysBetween, languagePermissions, localDate, minorUnitDigits } from './context';
import type { LanguagePermissions } from './context';
import type { DraftRules, DraftSender, EarlierMessage } from './types';

export const STATEMENT_VERSION = 1;
const DEFAULT_REPLY_DAYS = 7;

// ---------------------------------------------------------------------------------------------------
// Locale: wording, formats and payment rails by the client's country and currency

/** How a bank transfer is named where the client is: ACH in the US, BACS in the UK, SEPA in the euro area. */
export type BankRail = 'ach' | 'bacs' | 'sepa' | 'eft' | 'bank_transfer';

export interface StatementLocale {
  /** ISO 3166-1 alpha-2 when known (given, or implied by the currency); null when nothing says. */
  country: string | null;
  currency: string;
  /** BCP 47 tag used for every number and date in the message. */
  tag: string;
  /** 'dmy' writes "4 December 2026", 'mdy' writes "December 4, 2026". */
  dateOrder: 'dmy' | 'mdy';
  bankRail: BankRail;
  /** "check" in the US, "cheque" elsewhere. */
  chequeWord: 'check' | 'cheque';
}

const EURO_COUNTRIES = new Set([
  'AT', 'BE', 'HR', 'CY', 'EE', 'FI', 'FR', 'DE', 'GR', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PT', 'SK', 'SI', 'ES',
]);
const COUNTRY_BY_CURRENCY: Record<string, string> = { USD: 'US', GBP: 'GB', CAD: 'CA', AUD: 'AU', NZD: 'NZ' };
// English is the language of every template; the tag only chooses how numbers and dates are written.
const TAG_BY_COUNTRY: Record<string, string> = { US: 'en-US', GB: 'en-GB', IE: 'en-IE', CA: 'en-CA', AU: 'en-AU', NZ: 'en-NZ' };

export function statementLocale(country: string | null | undefined, currency: string): StatementLocale {
  const cur = currency.toUpperCase();
  const given = country?.trim().toUpperCase() || null;
  const resolved = given ?? COUNTRY_BY_CURRENCY[cur] ?? null;
  const euro = cur === 'EUR' || (resolved !== null && EURO_COUNTRIES.has(resolved));
  const tag = resolved && TAG_BY_COUNTRY[resolved] ? TAG_BY_COUNTRY[resolved] : resolved === null && euro ? 'en-IE' : resolved ? 'en-GB' : 'en-US';
  const bankRail: BankRail =
    resolved === 'US' && cur === 'USD' ? 'ach' : resolved === 'GB' && cur === 'GBP' ? 'bacs' : cur === 'EUR' ? 'sepa' : resolved === 'CA' ? 'eft' : 'bank_transfer';
  return { country: resolved, currency: cur, tag, dateOrder: tag === 'en-US' ? 'mdy' : 'dmy', bankRail, chequeWord: resolved === 'US' ? 'check' : 'cheque' };
}

export interface Formatter {
  money(cents: number): string;
  /** "4 December 2026" / "December 4, 2026". */
  date(date: IsoDate): string;
  /** "4 Dec 2026" / "Dec 4, 2026": tables. */
  shortDate(date: IsoDate): string;
}

export function formatMoneyIn(cents: number, locale: Pick<StatementLocale, 'tag' | 'currency'>): string {
  const digits = minorUnitDigits(locale.currency);
  return new Intl.NumberFormat(locale.tag, { style: 'currency', currency: locale.currency }).format(cents / 10 ** digits);
}

export function formatDateIn(date: IsoDate, locale: Pick<StatementLocale, 'dateOrder'>): string {
  return DateTime.fromISO(date, { zone: 'utc' }).setLocale('en-US').toFormat(locale.dateOrder === 'mdy' ? 'LLLL d, yyyy' : 'd LLLL yyyy');
}

export function formatShortDateIn(date: IsoDate, locale: Pick<StatementLocale, 'dateOrder'>): string {
  return DateTime.fromISO(date, { zone: 'utc' }).setLocale('en-US').toFormat(locale.dateOrder === 'mdy' ? 'LLL d, yyyy' : 'd LLL yyyy');
}

export function formatterFor(locale: StatementLocale): Formatter {
  return {
    money: (c) => formatMoneyIn(c, locale),
    date: (d) => formatDateIn(d, locale),
    shortDate: (d) => formatShortDateIn(d, locale),
  };
}

// ---------------------------------------------------------------------------------------------------
// The statement

export interface StatementInvoice {
  id: string;
  number: string;
  issueDate: IsoDate;
  dueDate: IsoDate;
  amountCents: number;
  balanceCents: number;
  /** The invoice's own terms: days from issue to due. */
  termsDays: number;
  /** Overdue once its due date has passed on the send date; due today is still upcoming. */
  state: 'overdue' | 'upcoming';
  /** Days past due on the send date (0 when upcoming). */
  daysPastDue: number;
  /** Days until due on the send date (0 when overdue or due that day). */
  daysUntilDue: number;
}

export interface StatementMovement {
  id: string;
  kind: 'payment' | 'credit_note';
  receivedOn: IsoDate;
  amountCents: number;
  method: PaymentMethod;
  /** The invoices it went to; empty when nobody said (an unapplied payment). */
  allocations: Array<{ invoiceId: string; invoiceNumber: string; amountCents: number; invoiceStillOpen: boolean }>;
}

export interface StatementMessage {
  stepId: string;
  sentAt: Instant;
  sentOn: IsoDate;
  subject: string;
}

export interface StatementPromise {
  id: string;
  madeOn: IsoDate;
  promisedDate: IsoDate;
  amountCents: number | null;
  status: PromiseFact['status'];
}

export interface StatementDispute {
  id: string;
  invoiceNumber: string | null;
  reason: string;
  status: DisputeFact['status'];
  openedOn: IsoDate;
}

export interface InstallationFacts {
  lateFees: LateFees;
  payLink: string;
  sender: { name: string; company: string; email: string };
  /** Where cheques are mailed; null when the installation has not said. */
  remittanceAddress: string[] | null;
}

export interface Statement {
  version: typeof STATEMENT_VERSION;
  accountId: string;
  accountName: string;
  contactName: string | null;
  /** The instant the message goes out, and that day in the account's calendar. */
  sendAt: Instant;
  sendDate: IsoDate;
  step: { stepId: string; kind: StepKind; tone: Tone; cycleKey: string; interruptionDate: IsoDate | null };
  permissions: LanguagePermissions;
  /** The deadline the message may name: a date in the future. */
  replyBy: IsoDate;
  locale: StatementLocale;
  paymentMethod: PaymentMethod;
  clientSince: IsoDate;
  /** Every invoice with something owed, oldest due first. */
  invoices: StatementInvoice[];
  overdue: StatementInvoice[];
  upcoming: StatementInvoice[];
  overdueCents: number;
  upcomingCents: number;
  /** Overdue plus upcoming: what the client owes in all; never to be called "overdue". */
  totalOwedCents: number;
  /** Days the oldest overdue invoice is past due (0 when nothing is overdue). */
  maxDaysPastDue: number;
  /** The first day of this escalation cycle: when its anchor invoice became the oldest one owed. */
  cycleStart: IsoDate;
  /** Payments and credits received since the last message (or, with none, since the cycle began). */
  receivedSinceLastMessage: StatementMovement[];
  /** Messages that actually went out in this cycle, oldest first. Empty means this is the first contact. */
  messagesThisCycle: StatementMessage[];
  firstContact: boolean;
  lastMessage: StatementMessage | null;
  /** Promises and disputes of this cycle only: an older cycle's broken promise is not this one's. */
  promises: StatementPromise[];
  openPromise: StatementPromise | null;
  brokenPromise: StatementPromise | null;
  disputes: StatementDispute[];
  installation: InstallationFacts;
}

export interface StatementInput {
  facts: AccountFacts;
  step: PlannedStep;
  /** When the message is sent. */
  now: Instant;
  payLink: string;
  sender: DraftSender;
  /** Messages sent to this account (any cycle); those without a cycle key are placed by their date. */
  earlierMessages: EarlierMessage[];
  rules: DraftRules;
  /** The installation's late-fee setting; absent means the agreement has none. */
  lateFees?: LateFees;
}

const byDueDate = (a: { dueDate: string; number: string }, b: { dueDate: string; number: string }) =>
  a.dueDate.localeCompare(b.dueDate) || a.number.localeCompare(b.number);

/**
 * The day the current cycle began: the anchor's issue date, or later when an older invoice was still
 * being chased then and only settled afterwards (what happened before belongs to that older cycle).
 */
export function cycleStartOf(facts: AccountFacts, anchor: { id: string; issueDate: IsoDate; dueDate: IsoDate }): IsoDate {
  let start = anchor.issueDate;
  for (const i of facts.invoices) {
    if (i.id === anchor.id || i.dueDate > anchor.dueDate || !i.paidAt) continue;
    const settled = localDate(i.paidAt, facts.timeZone);
    if (settled > start && i.dueDate < settled) start = settled;
  }
  return start;
}

export function buildStatement(input: StatementInput): Statement {
  const { facts, step } = input;
  const tz = facts.timeZone;
  const sendDate = localDate(input.now, tz);
  const locale = statementLocale(facts.country, facts.currency);

  const invoices: StatementInvoice[] = facts.invoices
    .filter((i) => i.status === 'open' && i.balanceCents > 0)
    .sort(byDueDate)
    .map((i) => {
      const late = daysBetween(i.dueDate, sendDate);
      return {
        id: i.id,
        number: i.number,
        issueDate: i.issueDate,
        dueDate: i.dueDate,
        amountCents: i.amountCents,
        balanceCents: i.balanceCents,
        termsDays: Math.max(0, daysBetween(i.issueDate, i.dueDate)),
        state: late > 0 ? 'overdue' : 'upcoming',
        daysPastDue: Math.max(0, late),
        daysUntilDue: Math.max(0, -late),
      };
    });
  const overdue = invoices.filter((i) => i.state === 'overdue');
  const upcoming = invoices.filter((i) => i.state === 'upcoming');
  const sum = (list: StatementInvoice[]) => list.reduce((s, i) => s + i.balanceCents, 0);

  const anchor = invoices[0] ?? [...facts.invoices].sort(byDueDate).reverse()[0];
  const cycleStart = anchor ? cycleStartOf(facts, anchor) : sendDate;

  // A message without a cycle key (older rows) belongs to this cycle when it went out after it began.
  const sentBefore = input.earlierMessages
    .filter((m) => instantMs(m.sentAt) <= instantMs(input.now))
    .sort((a, b) => instantMs(a.sentAt) - instantMs(b.sentAt));
  const messages: StatementMessage[] = sentBefore
    .filter((m) => (m.cycleKey !== undefined ? m.cycleKey === step.cycleKey : localDate(m.sentAt, tz) >= cycleStart))
    .map((m) => ({ stepId: m.stepId, sentAt: m.sentAt, sentOn: localDate(m.sentAt, tz), subject: m.subject }));
  const everLast = sentBefore[sentBefore.length - 1];

  const numberOf = new Map(facts.invoices.map((i) => [i.id, i]));
  const since = everLast ? everLast.sentAt : undefined;
  const receivedSinceLastMessage: StatementMovement[] = facts.payments
    .filter((p) => (since ? instantMs(p.receivedAt) > instantMs(since) : localDate(p.receivedAt, tz) >= cycleStart) && localDate(p.receivedAt, tz) <= sendDate)
    .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))
    .map((p) => {
      const raw = p.allocations?.length ? p.allocations : p.invoiceId ? [{ invoiceId: p.invoiceId, amountCents: p.amountCents }] : [];
      return {
        id: p.id,
        kind: p.kind ?? 'payment',
        receivedOn: localDate(p.receivedAt, tz),
        amountCents: p.amountCents,
        method: p.method,
        allocations: raw
          .filter((a) => numberOf.has(a.invoiceId))
          .map((a) => {
            const inv = numberOf.get(a.invoiceId)!;
            return { invoiceId: a.invoiceId, invoiceNumber: inv.number, amountCents: a.amountCents, invoiceStillOpen: inv.status === 'open' && inv.balanceCents > 0 };
          }),
      };
    });

  const promises: StatementPromise[] = facts.promises
    .filter((p) => localDate(p.createdAt, tz) >= cycleStart && localDate(p.createdAt, tz) <= sendDate)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((p) => ({ id: p.id, madeOn: localDate(p.createdAt, tz), promisedDate: p.promisedDate, amountCents: p.amountCents ?? null, status: p.status }));
  const latest = [...promises].reverse();
  const disputes: StatementDispute[] = facts.disputes
    .filter((d) => d.status === 'open' || localDate(d.openedAt, tz) >= cycleStart)
    .map((d) => ({
      id: d.id,
      invoiceNumber: d.invoiceId ? numberOf.get(d.invoiceId)?.number ?? null : null,
      reason: d.reason,
      status: d.status,
      openedOn: localDate(d.openedAt, tz),
    }));

  const asked = input.rules.replyByDate;
  const replyBy = asked && asked > sendDate ? asked : addDays(sendDate, DEFAULT_REPLY_DAYS);
  const lastThisCycle = messages[messages.length - 1] ?? null;

  return {
    version: STATEMENT_VERSION,
    accountId: facts.accountId,
    accountName: facts.name,
    contactName: facts.contacts[0]?.name ?? null,
    sendAt: input.now,
    sendDate,
    step: { stepId: step.stepId, kind: step.kind, tone: step.tone, cycleKey: step.cycleKey, interruptionDate: step.interruptionDate ?? null },
    permissions: languagePermissions(step.kind, input.rules),
    replyBy,
    locale,
    paymentMethod: facts.paymentMethod,
    clientSince: facts.clientSince,
    invoices,
    overdue,
    upcoming,
    overdueCents: sum(overdue),
    upcomingCents: sum(upcoming),
    totalOwedCents: sum(invoices),
    maxDaysPastDue: overdue[0]?.daysPastDue ?? 0,
    cycleStart,
    receivedSinceLastMessage,
    messagesThisCycle: messages,
    firstContact: messages.length === 0,
    lastMessage: lastThisCycle,
    promises,
    openPromise: latest.find((p) => p.status === 'open') ?? null,
    brokenPromise: latest.find((p) => p.status === 'broken') ?? null,
    disputes,
    installation: {
      lateFees: input.lateFees ?? { kind: 'none' },
      payLink: input.payLink,
      sender: { name: input.sender.name, company: input.sender.company, email: input.sender.email },
      remittanceAddress: input.sender.remittanceAddress?.length ? input.sender.remittanceAddress : null,
    },
  };
}
