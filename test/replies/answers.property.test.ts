/**
 * Every answer Tactful drafts to a client's routine question is true of the ledger, and passes the
 * same fact check a reminder must pass to go out on its own — over generated accounts: several
 * currencies and countries, one to five invoices with partial payments and credit notes, paid-up
 * accounts, with and without a remittance address. The answer is read back by the independent
 * ledger reader of the drafting property (scripts/ledger-reading.ts), not by the code that wrote it.
 */
import fc from 'fast-check';
import { buildAnswerDraft } from '../../domain/replies/answer';
import type { AccountFacts, InvoiceFact, PaymentFact } from '../../domain/facts';
import type { DraftInput } from '../../domain/drafting/types';
import { defaultSettings, payLinkFor, type Settings } from '../../domain/settings';
import type { QuestionTopic } from '../../domain/replies/types';
import { untruths } from '../../scripts/ledger-reading';

const PLACES = [
  { country: 'US', currency: 'USD', timeZone: 'America/Chicago' },
  { country: 'GB', currency: 'GBP', timeZone: 'Europe/London' },
  { country: 'DE', currency: 'EUR', timeZone: 'Europe/Berlin' },
  { country: 'CA', currency: 'CAD', timeZone: 'America/Toronto' },
  { country: null, currency: 'USD', timeZone: 'America/New_York' },
  { country: null, currency: 'GBP', timeZone: 'Europe/London' },
];
const TOPICS: QuestionTopic[] = ['invoice_copy', 'payment_methods', 'payment_status', 'charge_explanation'];
const ITEMS = ['Managed endpoint (per device)', 'Microsoft 365 Business Premium', 'On-site support, 2 hours', 'Backup storage 500 GB', 'Discount: annual prepay'];
const NOW = '2026-12-04T15:30:00.000Z';

const plus = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const accountArb = fc.record({
  place: fc.constantFrom(...PLACES),
  topic: fc.constantFrom(...TOPICS),
  invoices: fc.array(
    fc.record({
      dueOffset: fc.integer({ min: -90, max: 45 }),
      amountCents: fc.integer({ min: 1_000, max: 2_500_000 }),
      paidShare: fc.constantFrom(0, 0, 0.25, 0.5, 1),
      credit: fc.boolean(),
      // Lines as the invoices API sends them: shares of the amount, a discount line sometimes; none at all sometimes.
      lines: fc.option(fc.array(fc.record({ item: fc.nat(ITEMS.length - 1), share: fc.integer({ min: 1, max: 5 }), quantity: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }) }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  names: fc.boolean(),
  contact: fc.boolean(),
  remittance: fc.boolean(),
  subject: fc.constantFrom('Invoice reminder', 'Re: Your invoice INV-2241', 'RE: Payment', 'question'),
});

function build(a: typeof accountArb extends fc.Arbitrary<infer T> ? T : never) {
  const today = NOW.slice(0, 10);
  const invoices: InvoiceFact[] = [];
  const payments: PaymentFact[] = [];
  a.invoices.forEach((g, n) => {
    const dueDate = plus(today, g.dueOffset);
    const paid = Math.round(g.amountCents * g.paidShare);
    const id = `inv_${n}`;
    const balance = g.amountCents - paid;
    let lines: InvoiceFact['lines'];
    if (g.lines) {
      const parts = g.lines.reduce((s, l) => s + l.share, 0);
      lines = g.lines.map((l) => ({ description: ITEMS[l.item], quantity: l.quantity, amountCents: Math.floor((g.amountCents * l.share) / parts) }));
      lines[0].amountCents += g.amountCents - lines.reduce((s, l) => s + l.amountCents, 0);
    }
    invoices.push({ id, number: `INV-${2241 + n * 40}`, issueDate: plus(dueDate, -30), dueDate, amountCents: g.amountCents, balanceCents: balance, status: balance === 0 ? 'paid' : 'open', lines });
    if (paid > 0)
      payments.push({
        id: `pay_${n}`,
        receivedAt: `${plus(today, -(n + 2))}T23:30:00.000Z`,
        amountCents: paid,
        method: 'ach',
        kind: g.credit ? 'credit_note' : 'payment',
        allocations: [{ invoiceId: id, amountCents: paid }],
        invoiceId: id,
      });
  });
  const facts: AccountFacts = {
    accountId: 'acc_answer',
    name: 'Harrow & Finch Dental',
    segment: 'standard',
    mode: 'autonomous',
    timeZone: a.place.timeZone,
    businessHours: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5] },
    holidays: [],
    clientSince: '2021-03-01',
    paymentTermsDays: 30,
    paymentMethod: 'ach',
    paused: false,
    contacts: a.contact ? [{ name: 'Dana Whitfield', email: 'dana@harrow.example', phone: null, role: null }] : [],
    invoices,
    payments,
    promises: [],
    disputes: [],
    sent: [],
    currency: a.place.currency,
    country: a.place.country,
  };
  const settings: Settings = {
    ...defaultSettings,
    sender_identity: {
      name: 'Morgan Ellis',
      company: 'Northbridge IT Services',
      email: 'billing@northbridge.example',
      ...(a.remittance ? { remittanceAddress: ['Northbridge IT Services', '400 Commerce Way, Suite 210', 'Columbus, OH 43215'] } : { remittanceAddress: undefined as unknown as string[] }),
    },
  };
  return { facts, settings };
}

describe('answers to routine questions', () => {
  it('are true of the ledger and pass the fact check, for generated accounts and every routine topic', () => {
    let answered = 0;
    fc.assert(
      fc.property(accountArb, (a) => {
        const { facts, settings } = build(a);
        const open = facts.invoices.filter((i) => i.status === 'open');
        const question = a.names && open.length ? `What is this charge on ${open[open.length - 1].number} for?` : 'What is this charge for?';
        const built = buildAnswerDraft({ replyId: 'reply-1', topic: a.topic, facts, settings, subject: a.subject, now: NOW, question });
        if (!built) {
          // Nothing to say: a copy of invoices when none is open; what a charge is for when the invoice
          // asked about is not clear or its source sent no lines.
          const about = a.names && open.length ? [open[open.length - 1]] : open.length === 1 ? open : [];
          if (a.topic === 'charge_explanation') expect(about.length === 0 || about.some((i) => !i.lines?.length) || a.subject.includes('INV-')).toBe(true);
          else expect([a.topic, open.length]).toEqual(['invoice_copy', 0]);
          return;
        }
        if (a.topic === 'charge_explanation') for (const l of built.step.invoiceIds.length ? facts.invoices.filter((i) => built.draft.bodyText.includes(`Invoice ${i.number} `)).flatMap((i) => i.lines ?? []) : []) expect(built.draft.bodyText).toContain(l.description);
        answered++;
        expect(built.draft.factCheck).toEqual({ passed: true, failures: [] });
        expect(built.draft.sensitiveReasons).toEqual([]);
        const input: DraftInput = {
          facts,
          step: built.step,
          now: NOW,
          payLink: payLinkFor(settings.pay_link_template, { accountId: facts.accountId, invoiceNumber: open[0]?.number }),
          sender: settings.sender_identity,
          earlierMessages: [],
          rules: { requiresPayLink: false, allowsConsequences: false, statesInterruption: false },
        };
        // The subject quotes the client's own ("Re: Your invoice INV-2241"); what Tactful wrote is read.
        expect(built.draft.subject).toBe(/^re:/i.test(a.subject) ? a.subject : `Re: ${a.subject}`);
        expect(untruths(input, { ...built.draft, subject: 'Re: your question' })).toEqual([]);
        // A credit note is not a payment the client made.
        if (a.topic === 'payment_status' && !facts.payments.some((p) => p.kind === 'payment')) expect(built.draft.bodyText).toMatch(/not received a payment/);
      }),
      { numRuns: 400, seed: Number(process.env.FC_SEED ?? 20261205) },
    );
    expect(answered).toBeGreaterThan(250);
  });

  it('can fail: a question that may contest the bill makes the answer wait for a person, and the reader catches a wrong amount', () => {
    const { facts, settings } = build({
      place: PLACES[1],
      topic: 'invoice_copy',
      invoices: [{ dueOffset: -10, amountCents: 125_000, paidShare: 0, credit: false, lines: undefined }],
      names: false,
      contact: true,
      remittance: true,
      subject: 'question',
    });
    const built = buildAnswerDraft({ replyId: 'r', topic: 'invoice_copy', facts, settings, subject: 'Invoice', now: NOW, question: 'We never received this invoice, can you resend it?' })!;
    expect(built.draft.sensitiveReasons).toEqual(['the client\'s question may contest the bill ("never received")']);
    expect(built.draft.bodyText).toContain('INV-2241: £1,250.00, due 24 November 2026');
    const input: DraftInput = { facts, step: built.step, now: NOW, payLink: 'x', sender: settings.sender_identity, earlierMessages: [], rules: { requiresPayLink: false, allowsConsequences: false, statesInterruption: false } };
    const wrong = { ...built.draft, bodyText: built.draft.bodyText.replace('£1,250.00', '£1,520.00') };
    expect(untruths(input, wrong).join(' ')).toMatch(/£1,520\.00 is not an amount of this ledger/);
  });
});
