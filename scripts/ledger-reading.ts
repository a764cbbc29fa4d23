/**
 * An independent reading of an account's ledger, and of what a drafted message claims about it. It
 * shares nothing with the product's statement (domain/drafting/statement.ts) but the input types:
 * dates by Intl rather than luxon, its own amount and date parsers, its own idea of overdue and of a
 * first contact. The template eval and the truth property test judge drafts with it, so a statement
 * that is wrong in the same way as the templates cannot make them pass.
 */
import type { InvoiceFact, PaymentFact } from '../domain/facts';
import type { DraftInput, DraftOutput } from '../domain/drafting/types';
import type { LateFees } from '../domain/settings';

// ---------------------------------------------------------------------------------------------------
// The ledger, read independently

export const DAY = 86_400_000;
export const dayMs = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
export const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const plus = (date: string, days: number) => iso(dayMs(date) + days * DAY);

/** The calendar date of an instant in a time zone, by Intl (the product uses luxon). */
export function dateIn(instant: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export interface Truth {
  sendDate: string;
  overdue: InvoiceFact[];
  upcoming: InvoiceFact[];
  overdueCents: number;
  totalCents: number;
  amounts: Set<number>;
  overdueAmounts: Set<number>;
  numbers: Set<string>;
  dates: Set<string>;
  firstContact: boolean;
  thisCycleBrokenDates: Set<string>;
  thankable: PaymentFact[];
}

export function readLedger(input: DraftInput): Truth {
  const { facts } = input;
  const sendDate = dateIn(input.now, facts.timeZone);
  const open = facts.invoices.filter((i) => i.status === 'open' && i.balanceCents > 0).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const overdue = open.filter((i) => i.dueDate < sendDate);
  const upcoming = open.filter((i) => i.dueDate >= sendDate);
  const sum = (l: InvoiceFact[]) => l.reduce((s, i) => s + i.balanceCents, 0);
  const anchorIssued = open[0]?.issueDate ?? sendDate;
  // A message without its cycle (older rows) belongs to this one when it went out after the anchor was issued.
  const cycleMessages = input.earlierMessages.filter(
    (m) => m.sentAt <= input.now && (m.cycleKey !== undefined ? m.cycleKey === input.step.cycleKey : dateIn(m.sentAt, facts.timeZone) >= anchorIssued),
  );
  const thisCyclePromises = facts.promises.filter((p) => dateIn(p.createdAt, facts.timeZone) >= anchorIssued);
  const lastMessage = input.earlierMessages.map((m) => m.sentAt).filter((s) => s <= input.now).sort().pop();

  const amounts = new Set<number>([sum(overdue), sum(upcoming), sum(open)]);
  for (const i of open) amounts.add(i.balanceCents).add(i.amountCents);
  // What an invoice charges for, line by line, when its source sent lines: true amounts of this ledger.
  for (const i of facts.invoices) for (const l of i.lines ?? []) amounts.add(Math.abs(l.amountCents));
  const numbers = new Set(open.map((i) => i.number));
  const byId = new Map(facts.invoices.map((i) => [i.id, i]));
  for (const p of facts.payments) {
    amounts.add(p.amountCents);
    for (const a of p.allocations ?? []) {
      amounts.add(a.amountCents);
      numbers.add(byId.get(a.invoiceId)!.number);
    }
  }
  for (const p of thisCyclePromises) if (p.amountCents) amounts.add(p.amountCents);
  const overdueAmounts = new Set<number>([sum(overdue)]);
  for (const i of overdue) overdueAmounts.add(i.balanceCents).add(i.amountCents);

  const dates = new Set<string>([sendDate]);
  for (const i of open) dates.add(i.dueDate).add(i.issueDate);
  for (const p of facts.payments) dates.add(dateIn(p.receivedAt, facts.timeZone));
  for (const p of thisCyclePromises) dates.add(p.promisedDate);
  for (const m of cycleMessages) dates.add(dateIn(m.sentAt, facts.timeZone));
  if (input.step.interruptionDate) dates.add(input.step.interruptionDate);
  // A deadline the product chose: in the future, within a fortnight.
  for (let d = 1; d <= 14; d++) dates.add(plus(sendDate, d));

  return {
    sendDate,
    overdue,
    upcoming,
    overdueCents: sum(overdue),
    totalCents: sum(open),
    amounts,
    overdueAmounts,
    numbers,
    dates,
    firstContact: cycleMessages.length === 0,
    thisCycleBrokenDates: new Set(thisCyclePromises.filter((p) => p.status === 'broken').map((p) => p.promisedDate)),
    thankable: facts.payments.filter(
      (p) => (!lastMessage || p.receivedAt > lastMessage) && p.receivedAt >= `${anchorIssued}T00:00:00Z` && (p.kind ?? 'payment') === 'payment' && (p.allocations ?? []).length > 0,
    ),
  };
}

// ---------------------------------------------------------------------------------------------------
// What a message says, read independently

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MON = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*';
const month = (m: string) => MONTHS.findIndex((x) => x.startsWith(m.slice(0, 3).toLowerCase())) + 1;
const pad = (n: number) => String(n).padStart(2, '0');

function datesIn(text: string): Array<{ raw: string; iso: string; order: 'mdy' | 'dmy' }> {
  const out: Array<{ raw: string; iso: string; order: 'mdy' | 'dmy' }> = [];
  for (const m of text.matchAll(new RegExp(`\\b${MON}\\.? (\\d{1,2}), (\\d{4})\\b`, 'g')))
    out.push({ raw: m[0], iso: `${m[3]}-${pad(month(m[1]))}-${pad(+m[2])}`, order: 'mdy' });
  for (const m of text.matchAll(new RegExp(`\\b(\\d{1,2}) ${MON}\\.? (\\d{4})\\b`, 'g')))
    out.push({ raw: m[0], iso: `${m[3]}-${pad(month(m[2]))}-${pad(+m[1])}`, order: 'dmy' });
  return out;
}

const AMOUNT = /(?:CA\$|A\$|NZ\$|[$£€])\s?(\d{1,3}(?:,\d{3})*(?:\.\d{2})?)/g;
export const amountsIn = (text: string) => [...text.matchAll(AMOUNT)].map((m) => ({ raw: m[0], cents: Math.round(Number(m[1].replace(/,/g, '')) * 100) }));

function htmlText(html: string): string {
  return html
    .replace(/<(br|\/p|\/tr|\/li)\b[^>]*>/gi, '\n')
    .replace(/<\/t[dh]>/gi, '  ')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

const OVERDUE = /\b(overdue|past due|late)\b/i;
const NOT_YET = /not yet (due|overdue)|coming due/i;
export const EARLIER =
  /second reminder|follow(ing)?[- ]?up|we wrote|we have written|earlier message|previous|again|final notice|despite our|not been answered|heard from you|remains unpaid/i;

/**
 * What a drafted message says that the ledger does not: each line names where (subject, text, html)
 * and what. Empty means every amount, date, invoice and claim checked here is true at the send date.
 */
export function untruths(input: DraftInput, draft: Pick<DraftOutput, 'subject' | 'bodyText' | 'bodyHtml'>): string[] {
  const truth = readLedger(input);
  const lateFees: LateFees = input.lateFees ?? { kind: 'none' };
  const problems: string[] = [];
  const currency = input.facts.currency;
  // Without a country on file, pounds mean the UK and dollars the US.
  const country = input.facts.country ?? ({ GBP: 'GB', USD: 'US' } as Record<string, string>)[currency] ?? null;
  const us = country === 'US';

  for (const [where, text] of [
    ['subject', draft.subject],
    ['text', draft.bodyText],
    ['html', htmlText(draft.bodyHtml)],
  ] as const) {
    for (const a of amountsIn(text)) if (!truth.amounts.has(a.cents)) problems.push(`${where}: ${a.raw} is not an amount of this ledger`);
    for (const d of datesIn(text)) {
      if (!truth.dates.has(d.iso)) problems.push(`${where}: ${d.raw} is not a date of this ledger`);
      if (d.order !== (us ? 'mdy' : 'dmy')) problems.push(`${where}: ${d.raw} is not written the way a client in ${country ?? currency} writes dates`);
    }
    for (const m of text.matchAll(/\bINV-\d+\b/g)) if (!truth.numbers.has(m[0])) problems.push(`${where}: ${m[0]} is not an open invoice or one a payment went to`);

    for (const sentence of text.split(/(?<=\.)\s+(?=[A-Z])|\n+/)) {
      if (!OVERDUE.test(sentence) || NOT_YET.test(sentence)) continue;
      for (const a of amountsIn(sentence))
        if (!truth.overdueAmounts.has(a.cents) && (a.cents === truth.totalCents || truth.upcoming.some((i) => i.balanceCents === a.cents)))
          problems.push(`${where}: "${sentence.trim()}" calls ${a.raw} overdue; only ${truth.overdueCents} cents are`);
      for (const i of truth.upcoming) if (sentence.includes(i.number)) problems.push(`${where}: "${sentence.trim()}" calls upcoming ${i.number} overdue`);
    }
    if (truth.firstContact) {
      const m = EARLIER.exec(text);
      if (m) problems.push(`${where}: a first contact says "${m[0]}"`);
    }
    for (const m of text.matchAll(/payment would be made by ([^;]+);/g)) {
      const d = datesIn(m[1])[0];
      if (!d || !truth.thisCycleBrokenDates.has(d.iso)) problems.push(`${where}: cites a promise for ${m[1]} that was not broken in this cycle`);
    }
    if (lateFees.kind === 'none' && /late fee|late charge|interest/i.test(text)) problems.push(`${where}: mentions late fees the agreement does not have`);
    if (/\bACH\b/.test(text) && !us) problems.push(`${where}: asks for ACH outside the US`);
    if (/\bBACS\b/.test(text) && country !== 'GB') problems.push(`${where}: asks for BACS outside the UK`);
    if (/\bSEPA\b/.test(text) && currency !== 'EUR') problems.push(`${where}: asks for SEPA without euros`);
    if (/within 30 days|net 30/i.test(text) && !truth.overdue.concat(truth.upcoming).some((i) => dayMs(i.dueDate) - dayMs(i.issueDate) === 30 * DAY))
      problems.push(`${where}: states 30-day terms no invoice has`);
  }
  // Table rows: an upcoming invoice's row says so.
  for (const line of draft.bodyText.split('\n')) {
    const inv = truth.upcoming.find((i) => line.includes(i.number) && line.trim().startsWith(i.number));
    if (inv && !/Not yet due/.test(line)) problems.push(`text: the row of upcoming ${inv.number} does not say "Not yet due"`);
  }
  if (truth.totalCents > 0 && !amountsIn(draft.bodyText).some((a) => a.cents === truth.totalCents)) problems.push('text: the total owed is not stated');
  for (const p of truth.thankable) {
    const money = amountsIn(draft.bodyText).some((a) => a.cents === p.amountCents);
    if (!money || !/Thank you for your payment/.test(draft.bodyText)) problems.push(`text: the payment of ${p.amountCents} cents received since the last message is not thanked`);
  }
  return problems;
}
