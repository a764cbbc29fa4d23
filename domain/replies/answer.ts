/**
 * Answers to routine questions, rendered by the product from the account's facts — no model prose,
 * so every amount, date and link is the ledger's. A topic the facts cannot answer (what a charge is
 * for: invoice lines are not in the facts) gives null and the question waits for a person.
 */
import type { AccountFacts } from '../facts';
import { payLinkFor, type Settings } from '../settings';
import type { QuestionTopic } from './types';

const money = (cents: number, currency: string) => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);

export interface DraftedAnswer {
  subject: string;
  text: string;
}

export function answerQuestion(topic: QuestionTopic, facts: AccountFacts, settings: Settings, originalSubject: string): DraftedAnswer | null {
  const open = facts.invoices.filter((i) => i.status === 'open').sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const who = facts.contacts[0]?.name?.split(/\s+/)[0];
  const hello = who ? `Hi ${who},` : 'Hello,';
  const sign = `${settings.sender_identity.name}\n${settings.sender_identity.company}`;
  const subject = /^re:/i.test(originalSubject.trim()) ? originalSubject.trim() : `Re: ${originalSubject.trim()}`;
  const lines = (body: string[]) => ({ subject, text: [hello, '', ...body, '', 'Thanks,', sign].join('\n') });

  switch (topic) {
    case 'invoice_copy':
      if (!open.length) return null;
      return lines([
        open.length === 1 ? 'Here is the invoice you asked for:' : 'Here are your open invoices:',
        ...open.map((i) => `- ${i.number}, ${money(i.balanceCents, facts.currency)} due ${i.dueDate}: ${payLinkFor(settings.pay_link_template, { accountId: facts.accountId, invoiceNumber: i.number })}`),
      ]);
    case 'payment_methods':
      return lines([
        `You can pay online by card or bank transfer at ${payLinkFor(settings.pay_link_template, { accountId: facts.accountId, invoiceNumber: open[0]?.number })}.`,
        `Checks can be mailed to: ${settings.sender_identity.remittanceAddress.join(', ')}.`,
      ]);
    case 'payment_status': {
      const last = [...facts.payments].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))[0];
      const owed = open.reduce((s, i) => s + i.balanceCents, 0);
      return lines([
        last
          ? `The last payment we received was ${money(last.amountCents, facts.currency)} on ${last.receivedAt.slice(0, 10)}.`
          : 'We have not received a payment from you in the last 13 months.',
        owed > 0 ? `Still open: ${money(owed, facts.currency)} across ${open.length} invoice${open.length === 1 ? '' : 's'}.` : 'Nothing is open on your account.',
      ]);
    }
    case 'charge_explanation':
    case 'bank_details':
      return null;
  }
}
