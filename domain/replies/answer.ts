/**
 * Answers to routine questions, rendered by the product from the account's facts — no model prose,
 * so every amount, date and link is the ledger's. A topic the facts cannot answer (what a charge is
 * for: invoice lines are not in the facts) gives null and the question waits for a person.
 */
import { factCheck } from '../drafting/fact-check';
import type { DraftResult } from '../drafting/types';
import type { AccountFacts, Instant } from '../facts';
import { ANSWER_STEP_ID } from '../messages';
import type { PlannedStep } from '../policy/types';
import { localDate } from '../calendar';
import { formatterFor, statementLocale } from '../drafting/statement';
import { payLinkFor, type Settings } from '../settings';
import type { QuestionTopic } from './types';

/** Words in a client's reply that may contest the bill: a draft written after it waits for a person. */
export const DISPUTE_IN_REPLY =
  /\b(?:disput\w*|disagree\w*|incorrect|wrong (?:amount|invoice|charge|bill)\w*|overcharg\w*|over-?billed|double[- ]?(?:billed|charged)|billed twice|never (?:received|got)|(?:not|didn't|did not) receive\w*|refund\w*|chargeback|not what (?:we|was) agreed|not (?:our|my) invoice)/i;

export const ANSWER_VERSION = 'answer-v1';

export interface DraftedAnswer {
  subject: string;
  text: string;
}

/**
 * The answer's text. Amounts and dates are written the way the client's country writes them, as the
 * reminders write them; the one link is the account's pay link on a line of its own (no sentence
 * punctuation glued to it); the total still open is stated whenever something is open.
 */
export function answerQuestion(topic: QuestionTopic, facts: AccountFacts, settings: Settings, originalSubject: string, question = ''): DraftedAnswer | null {
  const open = facts.invoices.filter((i) => i.status === 'open' && i.balanceCents > 0).sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const locale = statementLocale(facts.country, facts.currency);
  const f = formatterFor(locale);
  const owed = open.reduce((s, i) => s + i.balanceCents, 0);
  const link = payLinkFor(settings.pay_link_template, { accountId: facts.accountId, invoiceNumber: open[0]?.number });
  const who = facts.contacts[0]?.name?.split(/\s+/)[0];
  const hello = who ? `Hi ${who},` : 'Hello,';
  const sign = `${settings.sender_identity.name}\n${settings.sender_identity.company}`;
  const subject = /^re:/i.test(originalSubject.trim()) ? originalSubject.trim() : `Re: ${originalSubject.trim()}`;
  const total = owed > 0 ? [`Your open balance is ${f.money(owed)}.`] : [];
  // Payments towards what is open now are thanked first, as the reminders thank them.
  const since = open[0] ? `${open[0].issueDate}T00:00:00Z` : null;
  const thanked = since ? facts.payments.filter((p) => (p.kind ?? 'payment') === 'payment' && (p.allocations ?? []).length > 0 && p.receivedAt >= since) : [];
  const thanks = thanked.length
    ? [`Thank you for your payment${thanked.length > 1 ? 's' : ''} of ${thanked.map((p) => `${f.money(p.amountCents)} (received ${f.date(localDate(p.receivedAt, facts.timeZone))})`).join(' and ')}.`, '']
    : [];
  const lines = (body: string[]) => ({ subject, text: [hello, '', ...thanks, ...body, '', 'Thanks,', sign].join('\n') });

  switch (topic) {
    case 'invoice_copy':
      if (!open.length) return null;
      return lines([
        open.length === 1 ? 'Here are the details of your open invoice:' : 'Here are the details of your open invoices:',
        ...open.map((i) => `- ${i.number}: ${f.money(i.balanceCents)}, due ${f.date(i.dueDate)}`),
        ...(open.length > 1 ? [`Total open: ${f.money(owed)}`] : []),
        '',
        `You can view and pay ${open.length === 1 ? 'it' : 'them'} on our secure payment page:`,
        link,
      ]);
    case 'payment_methods': {
      const address = settings.sender_identity.remittanceAddress;
      const cheque = locale.chequeWord;
      return lines([
        ...total,
        'You can pay on our secure payment page:',
        link,
        '',
        ...(address?.length
          ? [`If you pay by ${cheque}, please make it payable to ${settings.sender_identity.company} and mail it to:`, ...address]
          : [`If you would rather pay by ${cheque}, reply to this email and we will send our remittance address.`]),
        '',
        'Please never act on changed bank details received by email alone; if you need to verify ours, reply and we will confirm them by phone.',
      ]);
    }
    case 'payment_status': {
      const [last] = lastPaymentOf(facts);
      return lines([
        last
          ? `The last payment we received was ${f.money(last.amountCents)}, on ${f.date(localDate(last.receivedAt, facts.timeZone))}.`
          : 'We have not received a payment from you in the last 13 months.',
        owed > 0 ? `Still open: ${f.money(owed)} across ${open.length} invoice${open.length === 1 ? '' : 's'}.` : 'Nothing is open on your account.',
        ...(owed > 0 ? ['', 'You can pay on our secure payment page:', link] : []),
      ]);
    }
    case 'charge_explanation': {
      // The invoice the client names, else the one open invoice; answered only from lines its source sent.
      const named = open.filter((i) => new RegExp(`(^|[^\\w-])${escapeRe(i.number)}([^\\w-]|$)`, 'i').test(`${originalSubject}\n${question}`));
      const about = named.length ? named : open.length === 1 ? open : [];
      if (!about.length || about.some((i) => !i.lines?.length)) return null;
      return lines([
        ...about.flatMap((i) => [
          `Invoice ${i.number} (${f.money(i.amountCents)}, issued ${f.date(i.issueDate)}) charges for:`,
          ...i.lines!.map((l) => `- ${l.description}${l.quantity !== null && l.quantity !== 1 ? ` (quantity ${l.quantity})` : ''}: ${l.amountCents < 0 ? '-' : ''}${f.money(Math.abs(l.amountCents))}`),
          i.status === 'open' ? `Still open on it: ${f.money(i.balanceCents)}.` : 'It is paid in full.',
          '',
        ]),
        ...total,
        ...(owed > 0 ? ['You can pay on our secure payment page:', link] : []),
        '',
        'If a line does not match what you expected, reply and tell us which one: a person will look into it.',
      ]);
    }
    case 'bank_details':
      return null;
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The client's most recent payment (not a credit note), as a list of at most one. */
const lastPaymentOf = (facts: AccountFacts) => facts.payments.filter((p) => (p.kind ?? 'payment') === 'payment').sort((a, b) => b.receivedAt.localeCompare(a.receivedAt)).slice(0, 1);

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const linkify = (s: string) => escapeHtml(s).replace(/https?:\/\/[^\s<]+/g, (u) => `<a href="${u}">${u}</a>`);

/** The text as simple HTML: paragraphs, and a list where the text has one. */
export function answerHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((l) => l.startsWith('- '))) return `<ul>${lines.map((l) => `<li>${linkify(l.slice(2))}</li>`).join('')}</ul>`;
      const head = lines.filter((l) => !l.startsWith('- '));
      const items = lines.filter((l) => l.startsWith('- '));
      return `<p>${head.map(linkify).join('<br>')}</p>${items.length ? `<ul>${items.map((l) => `<li>${linkify(l.slice(2))}</li>`).join('')}</ul>` : ''}`;
    })
    .join('');
}

/**
 * The answer as a draft, checked like every draft: the same fact check a reminder passes (amounts,
 * invoice numbers, links and dates against the ledger), with no consequence allowed. A question
 * that may contest the bill ("we never received it") makes the answer wait for a person.
 */
export function buildAnswerDraft(input: { replyId: string; topic: QuestionTopic; facts: AccountFacts; settings: Settings; subject: string; now: Instant; question: string }): { step: PlannedStep; draft: DraftResult } | null {
  const { facts, settings } = input;
  const answer = answerQuestion(input.topic, facts, settings, input.subject, input.question);
  if (!answer) return null;
  const open = facts.invoices.filter((i) => i.status === 'open').sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  const step: PlannedStep = {
    stepId: ANSWER_STEP_ID,
    kind: 'prevention',
    channel: 'email',
    tone: 'warm',
    cycleKey: input.replyId,
    invoiceIds: open.map((i) => i.id),
    balanceCents: open.reduce((s, i) => s + i.balanceCents, 0),
    daysPastDue: 0,
    sensitiveReasons: [],
  };
  const output = { subject: answer.subject, bodyText: answer.text, bodyHtml: answerHtml(answer.text) };
  // The subject is the client's own, quoted after "Re:" so the answer threads with the question; it
  // is their words (an invoice number they named may be paid since), not a claim of ours. Everything
  // Tactful wrote is checked.
  const check = factCheck({ ...output, subject: 'Re: your question' }, {
    facts,
    step,
    now: input.now,
    payLink: payLinkFor(settings.pay_link_template, { accountId: facts.accountId, invoiceNumber: open[0]?.number }),
    sender: settings.sender_identity,
    earlierMessages: [],
    rules: { requiresPayLink: false, allowsConsequences: false, statesInterruption: false },
    lateFees: settings.late_fees,
    statedPaymentIds: input.topic === 'payment_status' ? lastPaymentOf(facts).map((p) => p.id) : [],
    statedLinesOf: input.topic === 'charge_explanation' ? facts.invoices.filter((i) => i.lines?.length).map((i) => i.id) : [],
  });
  const sensitiveReasons: string[] = [];
  const contest = DISPUTE_IN_REPLY.exec(input.question);
  if (contest) sensitiveReasons.push(`the client's question may contest the bill ("${contest[0]}")`);
  if (!check.passed) sensitiveReasons.push(`the answer failed its fact check: ${check.failures.join('; ')}`);
  return {
    step,
    draft: {
      ...output,
      tone: 'warm',
      claims: { amountsCents: [], invoiceNumbers: [], dates: [], links: [] },
      confidence: 1,
      source: 'template',
      promptVersion: ANSWER_VERSION,
      factCheck: { passed: check.passed, failures: check.failures },
      attempts: 1,
      sensitiveReasons,
    },
  };
}
