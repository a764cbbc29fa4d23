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
import { DAY, EARLIER, amountsIn, dateIn, dayMs, plus, readLedger, untruths } from '../../scripts/ledger-reading';

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
        expect(untruths(input, renderTemplateDraft(input))).toEqual([]);
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
    expect(untruths(input, renderTemplateDraft(input))).toEqual([]);
  });
});
