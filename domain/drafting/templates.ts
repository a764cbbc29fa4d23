/**
 * The built-in template drafter: the offline default and the fallback for every model draft that
 * fails its fact check. Written the way a good AR clerk writes — one message per account covering
 * every open invoice, the ask shaped by the payment method, consequences only where the step allows.
 */
import type { PaymentMethod, Tone } from '../facts';
import type { StepKind } from '../policy/schema';
import { buildDraftContext, daysBetween, formatDate, formatMoney, formatShortDate, localDate } from './context';
import type { DraftContext } from './context';
import type { DraftInput, DraftOutput, Drafter, DrafterAnswer } from './types';

export const TEMPLATE_VERSION = 'template-v1';

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
  const ctx = buildDraftContext(input);
  const claims = { amountsCents: new Set<number>(), invoiceNumbers: new Set<string>(), dates: new Set<string>() };
  const w: Writer = {
    money: (c) => (claims.amountsCents.add(c), formatMoney(c, ctx.currency)),
    date: (d) => (claims.dates.add(d), formatDate(d)),
    shortDate: (d) => (claims.dates.add(d), formatShortDate(d)),
    invoice: (n) => (claims.invoiceNumbers.add(n), n),
  };
  const tone = input.step.tone;
  const { subject, blocks } = compose(input, ctx, w, tone);
  const table = invoiceTable(ctx, w);
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

function compose(input: DraftInput, ctx: DraftContext, w: Writer, tone: Tone): { subject: string; blocks: Block[] } {
  const { facts, step, sender } = input;
  const contact = facts.contacts[0];
  const firstName = contact ? contact.name.split(/\s+/)[0] : '';
  const greeting =
    !contact ? `Hello ${facts.name} team,` : tone === 'warm' ? `Hi ${firstName},` : tone === 'neutral' ? `Hello ${firstName},` : `Dear ${contact.name},`;

  const total = w.money(ctx.totalCents);
  const oldest = ctx.openInvoices[0];
  const several = ctx.openInvoices.length > 1;
  const what = oldest ? (several ? `${ctx.openInvoices.length} open invoices` : `invoice ${w.invoice(oldest.number)}`) : 'your account';
  const What = what.charAt(0).toUpperCase() + what.slice(1);
  const dueOn = oldest ? w.date(oldest.dueDate) : w.date(ctx.today);
  const link = { link: input.payLink, label: 'Pay securely online' };
  const lastMessage = [...input.earlierMessages].sort((a, b) => b.sentAt.localeCompare(a.sentAt))[0];
  const lastWrote = lastMessage ? w.date(localDate(lastMessage.sentAt, facts.timeZone)) : undefined;
  const since = facts.clientSince.slice(0, 4);
  const longStanding = daysBetween(facts.clientSince, ctx.today) >= 365 * 2;

  const blocks: Block[] = [];
  const p = (...parts: Segment[]) => blocks.push({ kind: 'p', parts });
  p(greeting);

  let subject: string;
  const kind: StepKind = step.kind;
  switch (kind) {
    case 'prevention': {
      subject = {
        warm: `Heads-up: ${what} due ${dueOn}`,
        neutral: `Upcoming payment: ${what} due ${dueOn}`,
        firm: `Payment due ${dueOn}: ${what} (${total})`,
      }[tone];
      const due = several ? `you have ${what} totalling ${total}, the first due on ${dueOn}` : `${what} for ${total} is due on ${dueOn}`;
      p(
        {
          warm: `${longStanding ? `Thank you for working with us since ${since}. ` : ''}A quick, friendly heads-up that ${due}.`,
          neutral: `This is a courtesy reminder that ${due}.`,
          firm: `Please note that ${due}. Please arrange payment so that it reaches us by then.`,
        }[tone],
      );
      if (several) p('Here is what is open on your account:');
      blocks.push({ kind: 'table' });
      pushPaymentAsk(blocks, input, ctx, w, link, 'before');
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
      subject = {
        warm: `Quick reminder: ${what} (${total})`,
        neutral: `Reminder: ${what} past due (${total})`,
        firm: `Payment overdue: ${what} (${total})`,
      }[tone];
      const was = several ? `${what}, the oldest due on ${dueOn}, with ${total} outstanding` : `${what}, due on ${dueOn}, with ${total} outstanding`;
      p(
        {
          warm: `Just a quick note: we have not yet received payment for ${was}. It may simply have slipped through, or already be on its way; if so, thank you and please disregard this.`,
          neutral: `Our records show ${was}. If payment is already on its way, thank you; please disregard this note.`,
          firm: `${several ? `${What} are` : `${What} is`} now past due (the oldest was due on ${dueOn}). The balance is ${total}. Please arrange payment now.`,
        }[tone],
      );
      pushPartialPayments(blocks, ctx, w);
      blocks.push({ kind: 'table' });
      pushPaymentAsk(blocks, input, ctx, w, link, 'after');
      p(
        {
          warm: 'If there is a question about any of these invoices, just reply; I am happy to help.',
          neutral: 'If there is a question about any of these invoices, reply to this email and we will help.',
          firm: 'If there is a problem with any of these invoices, reply to this email so we can resolve it.',
        }[tone],
      );
      break;
    }
    case 'second_reminder': {
      const by = w.date(ctx.replyBy);
      subject = {
        warm: `Second reminder: ${total} past due`,
        neutral: `Second reminder: ${total} overdue, please pay by ${by}`,
        firm: `Overdue balance of ${total}: payment required by ${by}`,
      }[tone];
      const earlier = lastWrote ? `We wrote on ${lastWrote} about ` : 'We are following up on ';
      p(
        {
          warm: `${earlier}${several ? `the ${what} on your account` : what}, and have not yet received payment. ${total} is now past due.`,
          neutral: `${earlier}${several ? `the ${what} on your account` : what}. The balance of ${total} is now past due, and we have not received payment or heard from you.`,
          firm: `${earlier}${several ? `the ${what} on your account` : what}. The balance of ${total} remains unpaid.`,
        }[tone],
      );
      pushBrokenPromise(blocks, ctx, w);
      pushPartialPayments(blocks, ctx, w);
      blocks.push({ kind: 'table' });
      p(
        `Under our service agreement, invoices are payable within ${facts.paymentTermsDays} days of the invoice date. Please arrange payment of ${total} by ${by}.`,
      );
      if (ctx.permissions.consequences)
        p(
          {
            warm: 'We would rather not get there, but if we have not received payment or heard from you by then, late fees may apply under the agreement.',
            neutral: 'If we have not received payment or heard from you by then, late fees may apply under the agreement.',
            firm: 'If payment has not reached us by then, late fees will apply under the agreement.',
          }[tone],
        );
      pushPaymentAsk(blocks, input, ctx, w, link, 'after');
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
      const stop = ctx.permissions.interruption && ctx.interruptionDate ? w.date(ctx.interruptionDate) : undefined;
      const by = stop ?? w.date(ctx.replyBy);
      subject = stop ? `Final notice: ${total} overdue, services interrupted from ${stop}` : `Final notice: ${total} overdue, payment required by ${by}`;
      const count = input.earlierMessages.length;
      p(
        {
          warm: `This is our final notice about the overdue balance of ${total} on your account. ${count ? `We have written ${count === 1 ? 'once' : `${count} times`} about these invoices, ` : ''}and we would genuinely like to resolve this with you.`,
          neutral: `This is our final notice about the overdue balance of ${total} on your account.${count ? ` We have written ${count === 1 ? 'once' : `${count} times`} about these invoices without receiving payment.` : ''}`,
          firm: `This is our final notice. The balance of ${total} on your account is overdue${count ? `, and our ${count === 1 ? 'earlier message has' : `${count} earlier messages have`} not been answered with payment` : ''}.`,
        }[tone],
      );
      pushBrokenPromise(blocks, ctx, w);
      pushPartialPayments(blocks, ctx, w);
      blocks.push({ kind: 'table' });
      if (stop)
        p(
          `If the balance is not paid, and no payment plan has been agreed, the managed services under our agreement will be interrupted on ${stop}. Service is restored once the balance is paid.`,
        );
      else if (ctx.permissions.interruption)
        p(`Unless the balance is paid by ${by}, the managed services under our agreement may be interrupted.`);
      else if (ctx.permissions.consequences) p(`Unless the balance is paid by ${by}, late fees will apply under the agreement.`);
      else p(`Please arrange payment by ${by}.`);
      pushPaymentAsk(blocks, input, ctx, w, link, 'after');
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
      subject = { warm: `Can we talk about your account?`, neutral: `Call about your balance of ${total}`, firm: `Call about your overdue balance of ${total}` }[tone];
      p(
        {
          warm: `We would like to talk with you about the ${total} open on your account and find a way forward that works for you.`,
          neutral: `We would like to speak with you about the balance of ${total} on your account.`,
          firm: `We need to speak with you about the overdue balance of ${total} on your account.`,
        }[tone],
      );
      blocks.push({ kind: 'table' });
      p(`${sender.name} will call you in the next few business days. If you would rather pick a time, just reply with one that suits you.`);
      pushPaymentAsk(blocks, input, ctx, w, link, 'after');
      break;
    }
    case 'service_pause': {
      const on = w.date(ctx.interruptionDate ?? ctx.replyBy);
      subject = `Service pause on your account from ${on}`;
      p(
        `As we have not received payment of the overdue balance of ${total}, and no payment arrangement is in place, the managed services under our agreement will be paused on ${on}.`,
      );
      blocks.push({ kind: 'table' });
      p(
        'While services are paused we cannot provide support, monitoring or maintenance under the agreement. Your data and configuration are kept as they are.',
      );
      p('Services are restored as soon as the balance is paid in full, or a payment plan is agreed, usually within one business day.');
      pushPaymentAsk(blocks, input, ctx, w, link, 'after');
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
      const by = w.date(ctx.replyBy);
      subject = `Notice of referral to collections: ${total} overdue`;
      p(
        `Despite our earlier messages, the balance of ${total} on your account remains unpaid. Unless it is paid in full, or a payment plan is agreed, by ${by}, we will refer the account to a collection agency.`,
      );
      blocks.push({ kind: 'table' });
      pushPaymentAsk(blocks, input, ctx, w, link, 'after');
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

function pushPartialPayments(blocks: Block[], ctx: DraftContext, w: Writer): void {
  const last = ctx.partialPayments[ctx.partialPayments.length - 1];
  if (!last) return;
  blocks.push({
    kind: 'p',
    parts: [`Thank you for your payment of ${w.money(last.amountCents)} on ${w.date(last.receivedOn)} toward invoice ${w.invoice(last.invoiceNumber)}. The remaining balance is shown below.`],
  });
}

function pushBrokenPromise(blocks: Block[], ctx: DraftContext, w: Writer): void {
  if (!ctx.brokenPromise) return;
  blocks.push({
    kind: 'p',
    parts: [`You let us know payment would be made by ${w.date(ctx.brokenPromise.promisedDate)}; we have not received it yet.`],
  });
}

/** The ask, in the terms of how this client pays. */
function pushPaymentAsk(blocks: Block[], input: DraftInput, ctx: DraftContext, w: Writer, link: Segment, when: 'before' | 'after'): void {
  const method: PaymentMethod = input.facts.paymentMethod;
  const refs = ctx.openInvoices.map((i) => w.invoice(i.number)).join(', ');
  const p = (...parts: Segment[]) => blocks.push({ kind: 'p', parts });
  switch (method) {
    case 'ach':
      p('You can pay by ACH bank transfer on our secure payment page: ', link);
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
      const address = input.sender.remittanceAddress;
      if (address?.length) {
        p(`If you pay by check, please make it payable to ${input.sender.company}, write ${refs} on the memo line, and mail it to:`);
        blocks.push({ kind: 'lines', lines: address });
      } else {
        p(`If you pay by check, please make it payable to ${input.sender.company} and write ${refs} on the memo line; reply to this email and we will send our remittance address.`);
      }
      p('If a check is already in the mail, thank you. You can also pay online: ', link);
      break;
    }
    case 'wire':
      p(`You can pay by wire transfer; our payment page shows our verified bank details. Please quote ${refs} as the payment reference: `, link);
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
  amount: string;
  balance: string;
}

function invoiceTable(ctx: DraftContext, w: Writer): { rows: TableRow[]; total: string } {
  return {
    rows: ctx.openInvoices.map((i) => ({
      number: w.invoice(i.number),
      issued: w.shortDate(i.issueDate),
      due: w.shortDate(i.dueDate),
      amount: w.money(i.amountCents),
      balance: w.money(i.balanceCents),
    })),
    total: w.money(ctx.totalCents),
  };
}

const HEAD: TableRow = { number: 'Invoice', issued: 'Issued', due: 'Due', amount: 'Amount', balance: 'Balance due' };

function renderText(blocks: Block[], table: { rows: TableRow[]; total: string }): string {
  const rows = [HEAD, ...table.rows];
  const width = (k: keyof TableRow) => Math.max(...rows.map((r) => r[k].length));
  const cols: Array<keyof TableRow> = ['number', 'issued', 'due', 'amount', 'balance'];
  const line = (r: TableRow) =>
    cols.map((k) => (k === 'amount' || k === 'balance' ? r[k].padStart(width(k)) : r[k].padEnd(width(k)))).join('   ').trimEnd();
  const tableText = [...rows.map(line), `${'Total due'.padEnd(line(HEAD).length - table.total.length)}${table.total}`]
    .map((l) => `  ${l}`)
    .join('\n');
  return blocks
    .map((b) => (b.kind === 'table' ? tableText : b.kind === 'lines' ? b.lines.join('\n') : b.parts.map((s) => (typeof s === 'string' ? s : s.link)).join('')))
    .join('\n\n');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function renderHtml(blocks: Block[], table: { rows: TableRow[]; total: string }): string {
  const cell = 'style="padding:4px 12px 4px 0;text-align:left"';
  const num = 'style="padding:4px 0 4px 12px;text-align:right"';
  const tr = (r: TableRow, tag: 'td' | 'th') =>
    `<tr><${tag} ${cell}>${escapeHtml(r.number)}</${tag}><${tag} ${cell}>${escapeHtml(r.issued)}</${tag}><${tag} ${cell}>${escapeHtml(r.due)}</${tag}>` +
    `<${tag} ${num}>${escapeHtml(r.amount)}</${tag}><${tag} ${num}>${escapeHtml(r.balance)}</${tag}></tr>`;
  const tableHtml =
    `<table style="border-collapse:collapse;margin:8px 0"><thead>${tr(HEAD, 'th')}</thead><tbody>${table.rows.map((r) => tr(r, 'td')).join('')}</tbody>` +
    `<tfoot><tr><th ${cell} colspan="4">Total due</th><th ${num}>${escapeHtml(table.total)}</th></tr></tfoot></table>`;
  return blocks
    .map((b) => {
      if (b.kind === 'table') return tableHtml;
      if (b.kind === 'lines') return `<p>${b.lines.map(escapeHtml).join('<br>')}</p>`;
      return `<p>${b.parts.map((s) => (typeof s === 'string' ? escapeHtml(s) : `<a href="${escapeHtml(s.link)}">${escapeHtml(s.label)}</a>`)).join('')}</p>`;
    })
    .join('\n');
}
