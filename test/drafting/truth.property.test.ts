/**
 * Every template message tells the truth about the ledger at its send date. Accounts are generated
 * (mixed due dates and terms, partial payments and credits with their invoices, promises of this and
 * earlier cycles, several currencies and countries, first contacts and follow-ups, every step and
 * tone), and each message's subject, text and HTML are read back by THIS file's own reading of the
 * ledger — not by the statement the templates were built from.
 */
import fc from 'fast-check';
import { renderTemplateDraft } from '../../domain/drafting/templates';
import type { AccountFacts, InvoiceFact, PaymentFact, PaymentMethod, PromiseFact, Tone } from '../../domain/facts';
import type { StepKind } from '../../domain/policy/schema';
import type { DraftInput, EarlierMessage } from '../../domain/drafting/types';
import type { LateFees } from '../../domain/settings';
import { PAY_LINK, RULES } from './builders';

// ---------------------------------------------------------------------------------------------------
// The ledger, read independently

const DAY = 86_400_000;
const dayMs = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const plus = (date: string, days: number) => iso(dayMs(date) + days * DAY);

/** The calendar date of an instant in a time zone, by Intl (the product uses luxon). */
function dateIn(instant: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(instant));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

interface Truth {
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

function readLedger(input: DraftInput): Truth {
  const { facts } = input;
  const sendDate = dateIn(input.now, facts.timeZone);
  const open = facts.invoices.filter((i) => i.status === 'open' && i.balanceCents > 0).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const overdue = open.filter((i) => i.dueDate < sendDate);
  const upcoming = open.filter((i) => i.dueDate >= sendDate);
  const sum = (l: InvoiceFact[]) => l.reduce((s, i) => s + i.balanceCents, 0);
  const anchorIssued = open[0]?.issueDate ?? sendDate;
  const cycleMessages = input.earlierMessages.filter((m) => m.cycleKey === input.step.cycleKey && m.sentAt <= input.now);
  const thisCyclePromises = facts.promises.filter((p) => dateIn(p.createdAt, facts.timeZone) >= anchorIssued);
  const lastMessage = input.earlierMessages.map((m) => m.sentAt).filter((s) => s <= input.now).sort().pop();

  const amounts = new Set<number>([sum(overdue), sum(upcoming), sum(open)]);
  for (const i of open) amounts.add(i.balanceCents).add(i.amountCents);
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
const amountsIn = (text: string) => [...text.matchAll(AMOUNT)].map((m) => ({ raw: m[0], cents: Math.round(Number(m[1].replace(/,/g, '')) * 100) }));

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
const EARLIER =
  /second reminder|follow(ing)?[- ]?up|we wrote|we have written|earlier message|previous|again|final notice|despite our|not been answered|heard from you|remains unpaid/i;

function untruths(input: DraftInput, lateFees: LateFees): string[] {
  const truth = readLedger(input);
  const draft = renderTemplateDraft(input);
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

// ---------------------------------------------------------------------------------------------------
// Generated accounts

const PLACES = [
  { country: 'US', currency: 'USD', timeZone: 'America/Chicago' },
  { country: 'GB', currency: 'GBP', timeZone: 'Europe/London' },
  { country: 'DE', currency: 'EUR', timeZone: 'Europe/Berlin' },
  { country: 'IE', currency: 'EUR', timeZone: 'Europe/Dublin' },
  { country: 'CA', currency: 'CAD', timeZone: 'America/Toronto' },
  { country: null, currency: 'USD', timeZone: 'America/New_York' },
  { country: null, currency: 'GBP', timeZone: 'Europe/London' },
];
const KINDS: StepKind[] = ['prevention', 'first_reminder', 'second_reminder', 'final_notice', 'call', 'service_pause', 'collections'];
const SEND_DAY = '2026-12-04';

const invoiceArb = fc.record({
  dueOffset: fc.integer({ min: -75, max: 40 }),
  terms: fc.constantFrom(0, 7, 14, 15, 30, 45, 60),
  amountCents: fc.integer({ min: 1_000, max: 2_500_000 }),
  paidShare: fc.constantFrom(0, 0, 0, 0.25, 0.5, 0.9),
  credit: fc.boolean(),
});

const accountArb = fc.record({
  place: fc.constantFrom(...PLACES),
  hour: fc.integer({ min: 0, max: 23 }),
  invoices: fc.array(invoiceArb, { minLength: 1, maxLength: 5 }),
  history: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom(...KINDS),
  tone: fc.constantFrom<Tone>('warm', 'neutral', 'firm'),
  method: fc.constantFrom<PaymentMethod>('ach', 'card', 'check', 'wire', 'other'),
  messagesThisCycle: fc.integer({ min: 0, max: 3 }),
  messagesEarlierCycle: fc.integer({ min: 0, max: 2 }),
  promiseNow: fc.option(fc.constantFrom<PromiseFact['status']>('broken', 'kept', 'open', 'cancelled'), { nil: undefined }),
  promiseEarlier: fc.boolean(),
  lateFees: fc.constantFrom<LateFees>({ kind: 'none' }, { kind: 'clause', text: 'a late fee of 1.5% a month on balances more than 30 days overdue' }),
  contact: fc.boolean(),
  remittance: fc.boolean(),
});

type GeneratedAccount = typeof accountArb extends fc.Arbitrary<infer T> ? T : never;

function buildInput(a: GeneratedAccount): { input: DraftInput; lateFees: LateFees } {
  const now = new Date(Date.parse(`${SEND_DAY}T00:00:00Z`) + a.hour * 3_600_000).toISOString();
  const sendDate = dateIn(now, a.place.timeZone);
  const invoices: InvoiceFact[] = [];
  const payments: PaymentFact[] = [];
  a.invoices.forEach((g, n) => {
    const dueDate = plus(sendDate, g.dueOffset);
    const issueDate = plus(dueDate, -g.terms);
    const paid = Math.round(g.amountCents * g.paidShare);
    const id = `inv_${n}`;
    invoices.push({ id, number: `INV-${2241 + n * 40}`, issueDate, dueDate, amountCents: g.amountCents, balanceCents: g.amountCents - paid, status: 'open' });
    if (paid > 0) {
      const receivedOn = plus(sendDate, -Math.max(1, Math.min(20, Math.floor(g.amountCents % 17) + 1)));
      const when = receivedOn > issueDate ? receivedOn : plus(issueDate, 1) <= sendDate ? plus(issueDate, 1) : sendDate;
      payments.push({
        id: `pay_${n}`,
        receivedAt: `${when}T12:00:00.000Z`,
        amountCents: paid,
        method: 'ach',
        kind: g.credit ? 'credit_note' : 'payment',
        allocations: [{ invoiceId: id, amountCents: paid }],
        invoiceId: id,
      });
    }
  });
  const open = [...invoices].sort((x, y) => x.dueDate.localeCompare(y.dueDate));
  const anchor = open[0];
  const cycleKey = `${anchor.id}:${anchor.dueDate}`;
  const longAgo = plus(anchor.issueDate, -120);
  // Paid history, all settled long before this cycle began.
  for (let h = 0; h < a.history; h++) {
    const due = plus(longAgo, -30 * h);
    invoices.push({ id: `old_${h}`, number: `INV-${1000 + h}`, issueDate: plus(due, -30), dueDate: due, amountCents: 99_900, balanceCents: 0, status: 'paid', paidAt: `${plus(due, 3)}T12:00:00.000Z` });
  }
  const promises: PromiseFact[] = [];
  if (a.promiseEarlier) promises.push({ id: 'pr_old', promisedDate: plus(longAgo, 10), amountCents: null, status: 'broken', createdAt: `${longAgo}T12:00:00.000Z` });
  if (a.promiseNow) {
    const made = anchor.issueDate < sendDate ? plus(anchor.issueDate, 1) : sendDate;
    promises.push({ id: 'pr_now', promisedDate: plus(made, 5), amountCents: null, status: a.promiseNow, createdAt: `${made}T12:00:00.000Z` });
  }
  const earlierMessages: EarlierMessage[] = [];
  for (let m = 0; m < a.messagesEarlierCycle; m++)
    earlierMessages.push({ stepId: 'first_reminder', cycleKey: 'old:2025-01-01', sentAt: `${plus(longAgo, m * 7)}T15:00:00.000Z`, subject: 'Reminder' });
  for (let m = 0; m < a.messagesThisCycle; m++) {
    const on = plus(sendDate, -(a.messagesThisCycle - m) * 5);
    earlierMessages.push({ stepId: KINDS[m + 1], cycleKey, sentAt: `${on}T15:00:00.000Z`, subject: `About your account (${KINDS[m + 1]})` });
  }
  const facts: AccountFacts = {
    accountId: 'acc_prop',
    name: 'Harrow & Finch Dental',
    segment: 'standard',
    mode: 'copilot',
    timeZone: a.place.timeZone,
    businessHours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] },
    holidays: [],
    clientSince: '2021-03-01',
    paymentTermsDays: 30,
    paymentMethod: a.method,
    paused: false,
    contacts: a.contact ? [{ name: 'Dana Whitfield', email: 'dana@harrow.example', phone: null, role: null }] : [],
    invoices,
    payments,
    promises,
    disputes: [],
    sent: [],
    currency: a.place.currency,
    country: a.place.country,
  };
  const openNow = invoices.filter((i) => i.status === 'open' && i.balanceCents > 0);
  const input: DraftInput = {
    facts,
    step: {
      stepId: a.kind,
      kind: a.kind,
      channel: a.kind === 'call' ? 'call_task' : 'email',
      tone: a.tone,
      cycleKey,
      invoiceIds: openNow.map((i) => i.id),
      balanceCents: openNow.reduce((s, i) => s + i.balanceCents, 0),
      daysPastDue: Math.round((dayMs(sendDate) - dayMs(anchor.dueDate)) / DAY),
      sensitiveReasons: [],
      ...(a.kind === 'final_notice' || a.kind === 'service_pause' ? { interruptionDate: plus(sendDate, 10) } : {}),
    },
    now,
    payLink: PAY_LINK,
    sender: {
      name: 'Morgan Ellis',
      company: 'Northbridge IT Services',
      email: 'billing@northbridge.example',
      ...(a.remittance ? { remittanceAddress: ['Northbridge IT Services', '400 Commerce Way, Suite 210', 'Columbus, OH 43215'] } : {}),
    },
    earlierMessages,
    rules: RULES[a.kind],
    lateFees: a.lateFees,
  };
  return { input, lateFees: a.lateFees };
}

describe('every template message is true of the ledger at its send date', () => {
  it('holds for generated accounts: amounts, dates, invoices, overdue vs upcoming, first contact, fees, rails, terms, thanks', () => {
    fc.assert(
      fc.property(accountArb, (a) => {
        const { input, lateFees } = buildInput(a);
        expect(untruths(input, lateFees)).toEqual([]);
      }),
      { numRuns: 600, seed: Number(process.env.FC_SEED ?? 20261204) },
    );
  });

  it('can fail: the reader catches a message that sums upcoming into overdue or implies an earlier contact', () => {
    const { input, lateFees } = buildInput({
      place: PLACES[0], hour: 15, history: 0, kind: 'second_reminder', tone: 'neutral', method: 'ach', messagesThisCycle: 0, messagesEarlierCycle: 1,
      promiseNow: undefined, promiseEarlier: true, lateFees: { kind: 'none' }, contact: true, remittance: true,
      invoices: [
        { dueOffset: -12, terms: 30, amountCents: 185_000, paidShare: 0, credit: false },
        { dueOffset: 21, terms: 30, amountCents: 808_500, paidShare: 0, credit: false },
      ],
    });
    // The ledger's own reading of the case: one invoice overdue, one upcoming, nothing written this cycle.
    const truth = readLedger(input);
    expect([truth.overdueCents, truth.totalCents, truth.firstContact]).toEqual([185_000, 993_500, true]);
    const lie = 'We are following up on your overdue balance of $9,935.00. Late fees will apply.';
    const problems = [...amountsIn(lie)].filter((m) => !truth.overdueAmounts.has(m.cents)).length + (EARLIER.test(lie) ? 1 : 0);
    expect(problems).toBe(2);
    expect(untruths(input, lateFees)).toEqual([]);
  });
});
