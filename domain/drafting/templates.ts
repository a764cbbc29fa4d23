/**
 * The built-in template drafter: the offline default and the fallback for every model draft that
 * fails its fact check. Written the way a good AR clerk writes — one message per account covering
 * every open invoice, the ask shaped by the payment method, consequences only where the step allows.
 */
import type { PaymentMethod, Tone } from '../facts';
import type { StepKind } from '../policy/schema';
import { daysBetween } from './context';
import { buildStatement, formatterFor } from './statement';
import type { BankRail, Statement, StatementInvoice } from './statement';
import type { DraftInput, DraftOutput, Drafter, DrafterAnswer } from './types';

export const TEMPLATE_VERSION = 'template-v2';

type Segment = string | { link: string; label: string };
type Block = { kind: 'p'; parts: Segment[] } | { kind: 'table' } | { kind: 'lines'; lines: string[] };

interface Writer {
  money(cents: number): string;
  date(iso: string): string;
  shortDate(iso: string): string;
  invoice(number: string): string;
}

export function createTemplateDrafter(): Drafter {
  return {
    name: 'template',
    async draft(input: DraftInput): Promise<DrafterAnswer> {
      return { ...renderTemplateDraft(input), promptVersion: TEMPLATE_VERSION };
    },
  };
}

export function renderTemplateDraft(input: DraftInput): DraftOutput {
  const st = buildStatement(input);
  const f = formatterFor(st.locale);
  const claims = { amountsCents: new Set<number>(), invoiceNumbers: new Set<string>(), dates: new Set<string>() };
  const w: Writer = {
    money: (c) => (claims.amountsCents.add(c), f.money(c)),
    date: (d) => (claims.dates.add(d), f.date(d)),
    shortDate: (d) => (claims.dates.add(d), f.shortDate(d)),
    invoice: (n) => (claims.invoiceNumbers.add(n), n),
  };
  const tone = input.step.tone;
  const { subject, blocks } = compose(input, st, w, tone);
  const table = invoiceTable(st, w);
  const bodyText = renderText(blocks, table);
  const bodyHtml = renderHtml(blocks, table);
  return {
    subject,
    bodyText,
    bodyHtml,
    tone,
    claims: {
      amountsCents: [...claims.amountsCents],
      invoiceNumbers: [...claims.invoiceNumbers],
      dates: [...claims.dates],
      links: bodyText.includes(input.payLink) ? [input.payLink] : [],
    },
    confidence: 0.95,
  };
}

// ---------------------------------------------------------------------------------------------------

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "invoice INV-1" / "2 invoices" for a list of invoices. */
function name(list: StatementInvoice[], w: Writer): string {
  return list.length === 1 ? `invoice ${w.invoice(list[0].number)}` : `${list.length} invoices`;
}

/**
 * What is overdue, said once and right: the overdue total, never the total owed, and nothing that is
 * not yet due. `verb` is "is"/"are" agreement for "X is overdue".
 */
function overduePhrase(st: Statement, w: Writer): string {
  const o = st.overdue;
  if (o.length === 1) return `invoice ${w.invoice(o[0].number)}, due on ${w.date(o[0].dueDate)}, has ${w.money(o[0].balanceCents)} overdue`;
  return `${o.length} invoices totalling ${w.money(st.overdueCents)} are overdue, the oldest due on ${w.date(o[0].dueDate)}`;
}

/** Upcoming invoices may be mentioned, as upcoming, and never inside an overdue total. */
function upcomingSentence(st: Statement, w: Writer): string | undefined {
  const u = st.upcoming;
  if (!u.length || !st.overdue.length) return undefined;
  const list = u.map((i) => `invoice ${w.invoice(i.number)} for ${w.money(i.balanceCents)} on ${w.date(i.dueDate)}`);
  const joined = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
  return `Also coming due, and not yet overdue: ${joined}. The total owed on your account, including ${u.length === 1 ? 'it' : 'them'}, is ${w.money(st.totalOwedCents)}.`;
}

/** The invoice's own terms, never an assumed "within 30 days". */
function termsSentence(st: Statement): string {
  const terms = new Set(st.overdue.map((i) => i.termsDays));
  const [only] = [...terms];
  if (terms.size === 1 && only > 0)
    return `Under the terms of ${st.overdue.length === 1 ? 'the invoice' : 'these invoices'}, payment was due within ${only} days of the invoice date.`;
  return 'Each invoice was payable by the due date shown below.';
}

function compose(input: DraftInput, st: Statement, w: Writer, tone: Tone): { subject: string; blocks: Block[] } {
  const { facts, step, sender } = input;
  const contact = facts.contacts[0];
  const firstName = contact ? contact.name.split(/\s+/)[0] : '';
  const greeting =
    !contact ? `Hello ${facts.name} team,` : tone === 'warm' ? `Hi ${firstName},` : tone === 'neutral' ? `Hello ${firstName},` : `Dear ${contact.name},`;

  const link = { link: input.payLink, label: 'Pay securely online' };
  const since = st.clientSince.slice(0, 4);
  const longStanding = daysBetween(st.clientSince, st.sendDate) >= 365 * 2;
  const last = st.lastMessage;
  const count = st.messagesThisCycle.length;
  const nothingOverdue = st.overdue.length === 0;

  const blocks: Block[] = [];
  const p = (...parts: Segment[]) => blocks.push({ kind: 'p', parts });
  const pIf = (text: string | undefined) => text && p(text);
  p(greeting);

  let subject: string;
  // A step can only be what the ledger and the history make it: nothing overdue is a heads-up, and a
  // late step with nothing sent before it opens the conversation instead of pretending to continue it.
  let kind: StepKind = step.kind;
  if (nothingOverdue && kind !== 'call') kind = 'prevention';
  else if (!nothingOverdue && kind === 'prevention') kind = 'first_reminder';
  else if (st.firstContact && (kind === 'second_reminder' || kind === 'final_notice' || kind === 'service_pause' || kind === 'collections'))
    kind = 'first_reminder';

  switch (kind) {
    case 'prevention': {
      const u = st.upcoming;
      const first = u[0];
      const what = first ? name(u, w) : 'your account';
      const dueOn = first ? w.date(first.dueDate) : w.date(st.sendDate);
      const total = w.money(st.upcomingCents);
      subject = {
        warm: `Heads-up: ${what} due ${dueOn}`,
        neutral: `Upcoming payment: ${what} due ${dueOn}`,
        firm: `Payment due ${dueOn}: ${what} (${total})`,
      }[tone];
      const due = u.length > 1 ? `you have ${what} totalling ${total} coming due, the first on ${dueOn}` : `${what} for ${total} is due on ${dueOn}`;
      p(
        {
          warm: `${longStanding ? `Thank you for working with us since ${since}. ` : ''}A quick, friendly heads-up that ${due}.`,
          neutral: `This is a courtesy reminder that ${due}.`,
          firm: `Please note that ${due}. Please arrange payment so that it reaches us by then.`,
        }[tone],
      );
      pushReceived(blocks, st, w);
      if (u.length > 1) p('Here is what is open on your account:');
      blocks.push({ kind: 'table' });
      pushPaymentAsk(blocks, input, st, w, link, 'before');
      p(
        {
          warm: 'If anything on the invoice looks off, just reply and we will sort it out.',
          neutral: 'If you have a question about an invoice, reply to this email.',
          firm: 'If you have a question about an invoice, please raise it before the due date.',
        }[tone],
      );
      break;
    }
    case 'first_reminder': {
      const overdue = w.money(st.overdueCents);
      const what = name(st.overdue, w);
      // A late first contact is firm but says nothing of earlier messages: there were none.
      const lateStart = step.kind !== 'first_reminder' && step.kind !== 'prevention';
      const t: Tone = lateStart && tone === 'warm' ? 'neutral' : tone;
      subject = {
        warm: `Quick reminder: ${what} overdue (${overdue})`,
        neutral: `Reminder: ${what} overdue (${overdue})`,
        firm: `Payment overdue: ${what} (${overdue})`,
      }[t];
      const phrase = overduePhrase(st, w);
      p(
        {
          warm: `Just a quick note: our records show that ${phrase}. It may simply have slipped through, or already be on its way; if so, thank you and please disregard this.`,
          neutral: `Our records show that ${phrase}. If payment is already on its way, thank you; please disregard this note.`,
          firm: `${cap(phrase)}. Please arrange payment of ${overdue} now.`,
        }[t],
      );
      pIf(upcomingSentence(st, w));
      pushReceived(blocks, st, w);
      blocks.push({ kind: 'table' });
      pushPaymentAsk(blocks, input, st, w, link, 'after');
      p(
        {
          warm: 'If there is a question about any of these invoices, just reply; I am happy to help.',
          neutral: 'If there is a question about any of these invoices, reply to this email and we will help.',
          firm: 'If there is a problem with any of these invoices, reply to this email so we can resolve it.',
        }[t],
      );
      break;
    }
    case 'second_reminder': {
      const by = w.date(st.replyBy);
      const overdue = w.money(st.overdueCents);
      const what = name(st.overdue, w);
      subject = {
        warm: `Second reminder: ${overdue} overdue`,
        neutral: `Second reminder: ${overdue} overdue, please pay by ${by}`,
        firm: `Overdue balance of ${overdue}: payment required by ${by}`,
      }[tone];
      const earlier = last ? `We wrote on ${w.date(last.sentOn)} about ${what}` : `We are writing again about ${what}`;
      p(
        {
          warm: `${earlier}, and have not yet received payment. ${overdue} is now overdue.`,
          neutral: `${earlier}. ${overdue} is now overdue, and we have not received payment.`,
          firm: `${earlier}. The overdue balance of ${overdue} remains unpaid.`,
        }[tone],
      );
      pIf(upcomingSentence(st, w));
      pushBrokenPromise(blocks, st, w);
      pushReceived(blocks, st, w);
      blocks.push({ kind: 'table' });
      p(`${termsSentence(st)} Please arrange payment of ${overdue} by ${by}.`);
      pushConsequence(blocks, st, tone, 'second');
      pushPaymentAsk(blocks, input, st, w, link, 'after');
      p(
        {
          warm: 'If something is holding this up, such as a question about an invoice or a change on your side, just reply and we will work it out together.',
          neutral: 'If something is holding this up, reply to this email and we can agree a way forward.',
          firm: `If there is a problem with any of these invoices, tell us by ${by}.`,
        }[tone],
      );
      break;
    }
    case 'final_notice': {
      const stop = st.permissions.interruption && st.step.interruptionDate ? w.date(st.step.interruptionDate) : undefined;
      const by = stop ?? w.date(st.replyBy);
      const overdue = w.money(st.overdueCents);
      subject = stop ? `Final notice: ${overdue} overdue, services interrupted from ${stop}` : `Final notice: ${overdue} overdue, payment required by ${by}`;
      const times = count === 1 ? 'once' : `${count} times`;
      p(
        {
          warm: `This is our final notice about the overdue balance of ${overdue} on your account. We have written ${times} about ${name(st.overdue, w)}, and we would genuinely like to resolve this with you.`,
          neutral: `This is our final notice about the overdue balance of ${overdue} on your account. We have written ${times} about ${name(st.overdue, w)} without receiving payment.`,
          firm: `This is our final notice. The overdue balance of ${overdue} on your account remains unpaid, and our ${count === 1 ? 'earlier message has' : `${count} earlier messages have`} not been answered with payment.`,
        }[tone],
      );
      pIf(upcomingSentence(st, w));
      pushBrokenPromise(blocks, st, w);
      pushReceived(blocks, st, w);
      blocks.push({ kind: 'table' });
      if (stop)
        p(
          `If the overdue balance is not paid, and no payment plan has been agreed, the managed services under our agreement will be interrupted on ${stop}. Service is restored once the overdue balance is paid.`,
        );
      else if (st.permissions.interruption) p(`Unless the overdue balance is paid by ${by}, the managed services under our agreement may be interrupted.`);
      else if (!pushConsequence(blocks, st, 'firm', 'final')) p(`Please arrange payment of ${overdue} by ${by}.`);
      pushPaymentAsk(blocks, input, st, w, link, 'after');
      p(
        {
          warm: 'If you cannot pay the full amount now, reply or call us: we can agree a payment plan that works for both of us.',
          neutral: 'If you cannot pay the full amount now, reply to agree a payment plan.',
          firm: `If you need a payment plan, contact us before ${by}.`,
        }[tone],
      );
      break;
    }
    case 'call': {
      const owed = w.money(st.totalOwedCents);
      const overdue = w.money(st.overdueCents);
      subject = {
        warm: `Can we talk about your account?`,
        neutral: nothingOverdue ? `Call about your balance of ${owed}` : `Call about your overdue balance of ${overdue}`,
        firm: nothingOverdue ? `Call about your balance of ${owed}` : `Call about your overdue balance of ${overdue}`,
      }[tone];
      const about = nothingOverdue ? `the balance of ${owed} on your account` : `the overdue balance of ${overdue} on your account`;
      p(
        {
          warm: `We would like to talk with you about ${about} and find a way forward that works for you.`,
          neutral: `We would like to speak with you about ${about}.`,
          firm: `We need to speak with you about ${about}.`,
        }[tone],
      );
      pIf(upcomingSentence(st, w));
      pushReceived(blocks, st, w);
      blocks.push({ kind: 'table' });
      p(`${sender.name} will call you in the next few business days. If you would rather pick a time, just reply with one that suits you.`);
      pushPaymentAsk(blocks, input, st, w, link, 'after');
      break;
    }
    case 'service_pause': {
      const on = w.date(st.step.interruptionDate ?? st.replyBy);
      const overdue = w.money(st.overdueCents);
      subject = `Service pause on your account from ${on}`;
      p(
        `As we have not received payment of the overdue balance of ${overdue}, and no payment arrangement is in place, the managed services under our agreement will be paused on ${on}.`,
      );
      pIf(upcomingSentence(st, w));
      pushReceived(blocks, st, w);
      blocks.push({ kind: 'table' });
      p(
        'While services are paused we cannot provide support, monitoring or maintenance under the agreement. Your data and configuration are kept as they are.',
      );
      p('Services are restored as soon as the overdue balance is paid in full, or a payment plan is agreed, usually within one business day.');
      pushPaymentAsk(blocks, input, st, w, link, 'after');
      p(
        {
          warm: 'We value working with you and would much rather keep everything running: please reply or call us and we will find a way.',
          neutral: 'To discuss a payment plan, reply to this email or call us.',
          firm: 'To discuss a payment plan, reply to this email or call us before that date.',
        }[tone],
      );
      break;
    }
    case 'collections': {
      const by = w.date(st.replyBy);
      const overdue = w.money(st.overdueCents);
      subject = `Notice of referral to collections: ${overdue} overdue`;
      p(
        `Despite our ${count === 1 ? 'earlier message' : 'earlier messages'}, the overdue balance of ${overdue} on your account remains unpaid. Unless it is paid in full, or a payment plan is agreed, by ${by}, we will refer the account to a collection agency.`,
      );
      pIf(upcomingSentence(st, w));
      pushReceived(blocks, st, w);
      blocks.push({ kind: 'table' });
      pushPaymentAsk(blocks, input, st, w, link, 'after');
      p(`If you believe any of these invoices is wrong, tell us in writing before ${by} so we can review it first.`);
      break;
    }
  }

  blocks.push({
    kind: 'lines',
    lines: [{ warm: 'Thanks so much,', neutral: 'Kind regards,', firm: 'Regards,' }[tone], sender.name, sender.company, sender.email],
  });
  return { subject, blocks };
}

/**
 * Late fees exist only where the installation says the agreement has them, and are stated in the
 * agreement's own words. Without a clause the consequence named is the next step, which is true.
 */
function pushConsequence(blocks: Block[], st: Statement, tone: Tone, at: 'second' | 'final'): boolean {
  if (!st.permissions.consequences) return false;
  const fees = st.installation.lateFees;
  const p = (text: string) => blocks.push({ kind: 'p', parts: [text] });
  if (fees.kind === 'clause') {
    const clause = fees.text.replace(/[.\s]+$/, '');
    p(
      {
        warm: `We would rather not get there, but please note that our agreement provides for ${clause}.`,
        neutral: `Please note that our agreement provides for ${clause}.`,
        firm: `Our agreement provides for ${clause}, and it will be applied if payment has not reached us by then.`,
      }[tone],
    );
    return true;
  }
  if (at === 'second')
    p(
      {
        warm: 'If we have not heard from you by then, our next message will be a formal notice.',
        neutral: 'If we have not received payment or heard from you by then, our next message will be a formal notice.',
        firm: 'If payment has not reached us by then, our next message will be a formal notice.',
      }[tone],
    );
  return at === 'second';
}

/** Payments and credits since the last message, each with the invoices it went to. */
function pushReceived(blocks: Block[], st: Statement, w: Writer): void {
  for (const m of st.receivedSinceLastMessage) {
    const to = m.allocations.map((a) =>
      m.allocations.length === 1 ? `invoice ${w.invoice(a.invoiceNumber)}` : `${w.money(a.amountCents)} to invoice ${w.invoice(a.invoiceNumber)}`,
    );
    const toward = to.length === 0 ? '' : to.length === 1 ? ` toward ${to[0]}` : `, applied as ${to.slice(0, -1).join(', ')} and ${to[to.length - 1]}`;
    const text =
      m.kind === 'credit_note'
        ? `A credit of ${w.money(m.amountCents)} was applied on ${w.date(m.receivedOn)}${toward}.`
        : `Thank you for your payment of ${w.money(m.amountCents)} on ${w.date(m.receivedOn)}${toward}.`;
    blocks.push({ kind: 'p', parts: [text] });
  }
  if (st.receivedSinceLastMessage.length && st.invoices.length) blocks.push({ kind: 'p', parts: ['What remains open is shown below.'] });
}

function pushBrokenPromise(blocks: Block[], st: Statement, w: Writer): void {
  // Only a promise of this cycle, and only while no payment has come in since it was made.
  const b = st.brokenPromise;
  if (!b || st.receivedSinceLastMessage.length) return;
  blocks.push({ kind: 'p', parts: [`You let us know payment would be made by ${w.date(b.promisedDate)}; we have not received it yet.`] });
}

const RAIL_WORDS: Record<BankRail, string> = {
  ach: 'ACH bank transfer',
  bacs: 'bank transfer (BACS or Faster Payments)',
  sepa: 'SEPA bank transfer',
  eft: 'EFT bank transfer',
  bank_transfer: 'bank transfer',
};

/** The ask, in the terms of how this client pays and where. */
function pushPaymentAsk(blocks: Block[], input: DraftInput, st: Statement, w: Writer, link: Segment, when: 'before' | 'after'): void {
  const method: PaymentMethod = st.paymentMethod;
  const refs = (st.overdue.length ? st.overdue : st.invoices).map((i) => w.invoice(i.number)).join(', ');
  const cheque = st.locale.chequeWord;
  const p = (...parts: Segment[]) => blocks.push({ kind: 'p', parts });
  switch (method) {
    case 'ach':
      p(`You can pay by ${RAIL_WORDS[st.locale.bankRail]} on our secure payment page: `, link);
      p(
        'If your accounts-payable team needs to add or verify our bank details first, reply to this email and we will confirm them by phone. Please never act on changed bank details received by email alone.',
      );
      break;
    case 'card':
      p(
        when === 'before'
          ? 'If the card we have on file has expired or changed, please update it before the due date so the payment goes through: '
          : 'If the card on file has expired or changed, you can update it and pay on our secure payment page: ',
        link,
      );
      break;
    case 'check': {
      const address = st.installation.remittanceAddress;
      if (address) {
        p(`If you pay by ${cheque}, please make it payable to ${input.sender.company}, write ${refs} on the memo line, and mail it to:`);
        blocks.push({ kind: 'lines', lines: address });
      } else {
        p(`If you pay by ${cheque}, please make it payable to ${input.sender.company} and write ${refs} on the memo line; reply to this email and we will send our remittance address.`);
      }
      p(`If a ${cheque} is already in the post, thank you. You can also pay online: `, link);
      break;
    }
    case 'wire':
      p(
        `You can pay by ${st.locale.bankRail === 'ach' ? 'wire transfer' : RAIL_WORDS[st.locale.bankRail]}; our payment page shows our verified bank details. Please quote ${refs} as the payment reference: `,
        link,
      );
      break;
    default:
      p('You can pay on our secure payment page: ', link);
      p('If another way of paying works better for you, just reply and let us know.');
  }
}

// ---------------------------------------------------------------------------------------------------

interface TableRow {
  number: string;
  issued: string;
  due: string;
  status: string;
  amount: string;
  balance: string;
}

interface Table {
  rows: TableRow[];
  /** Label and amount lines under the table: overdue and not yet due apart, then the total owed. */
  totals: Array<[string, string]>;
}

function invoiceTable(st: Statement, w: Writer): Table {
  const totals: Array<[string, string]> =
    st.overdue.length && st.upcoming.length
      ? [
          ['Overdue', w.money(st.overdueCents)],
          ['Not yet due', w.money(st.upcomingCents)],
          ['Total owed', w.money(st.totalOwedCents)],
        ]
      : [[st.overdue.length ? 'Total overdue' : 'Total due', w.money(st.totalOwedCents)]];
  return {
    rows: st.invoices.map((i) => ({
      number: w.invoice(i.number),
      issued: w.shortDate(i.issueDate),
      due: w.shortDate(i.dueDate),
      status: i.state === 'overdue' ? 'Overdue' : 'Not yet due',
      amount: w.money(i.amountCents),
      balance: w.money(i.balanceCents),
    })),
    totals,
  };
}

const HEAD: TableRow = { number: 'Invoice', issued: 'Issued', due: 'Due', status: 'Status', amount: 'Amount', balance: 'Balance due' };
const COLS: Array<keyof TableRow> = ['number', 'issued', 'due', 'status', 'amount', 'balance'];

function renderText(blocks: Block[], table: Table): string {
  const rows = [HEAD, ...table.rows];
  const width = (k: keyof TableRow) => Math.max(...rows.map((r) => r[k].length));
  const line = (r: TableRow) =>
    COLS.map((k) => (k === 'amount' || k === 'balance' ? r[k].padStart(width(k)) : r[k].padEnd(width(k)))).join('   ').trimEnd();
  const full = line(HEAD).length;
  const tableText = [...rows.map(line), ...table.totals.map(([label, amount]) => `${label.padEnd(Math.max(label.length + 1, full - amount.length))}${amount}`)]
    .map((l) => `  ${l}`)
    .join('\n');
  return blocks
    .map((b) => (b.kind === 'table' ? tableText : b.kind === 'lines' ? b.lines.join('\n') : b.parts.map((s) => (typeof s === 'string' ? s : s.link)).join('')))
    .join('\n\n');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function renderHtml(blocks: Block[], table: Table): string {
  const cell = 'style="padding:4px 12px 4px 0;text-align:left"';
  const num = 'style="padding:4px 0 4px 12px;text-align:right"';
  const tr = (r: TableRow, tag: 'td' | 'th') =>
    `<tr>${COLS.map((k) => `<${tag} ${k === 'amount' || k === 'balance' ? num : cell}>${escapeHtml(r[k])}</${tag}>`).join('')}</tr>`;
  const foot = table.totals.map(([label, amount]) => `<tr><th ${cell} colspan="5">${escapeHtml(label)}</th><th ${num}>${escapeHtml(amount)}</th></tr>`).join('');
  const tableHtml =
    `<table style="border-collapse:collapse;margin:8px 0"><thead>${tr(HEAD, 'th')}</thead><tbody>${table.rows.map((r) => tr(r, 'td')).join('')}</tbody>` +
    `<tfoot>${foot}</tfoot></table>`;
  return blocks
    .map((b) => {
      if (b.kind === 'table') return tableHtml;
      if (b.kind === 'lines') return `<p>${b.lines.map(escapeHtml).join('<br>')}</p>`;
      return `<p>${b.parts.map((s) => (typeof s === 'string' ? escapeHtml(s) : `<a href="${escapeHtml(s.link)}">${escapeHtml(s.label)}</a>`)).join('')}</p>`;
    })
    .join('\n');
}
