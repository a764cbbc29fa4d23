/**
 * What a model may write and how the product turns it into a message. The model answers with a
 * subject and a few paragraphs of prose; every fact (amount, invoice, date, link, address, name of
 * the sender) enters the message only through a placeholder from a fixed vocabulary, filled here from
 * the account's facts. The greeting, the invoice table, the pay link, the payment instructions and the
 * sign-off are the product's own blocks, and the HTML is rendered here from the same text, escaped:
 * nothing the model writes becomes markup.
 */
import { z } from 'zod';
import { Tone } from '../facts';
import { buildStatement, formatterFor } from './statement';
import type { Formatter, Statement } from './statement';
import type { DraftInput, DraftOutput } from './types';

export const ProseAnswer = z.object({
  subject: z.string().trim().min(1).max(200),
  paragraphs: z.array(z.string().trim().min(1).max(2000)).min(1).max(8),
  tone: Tone,
  confidence: z.number().min(0).max(1),
});
export type ProseAnswer = z.infer<typeof ProseAnswer>;

export const placeholderNames = [
  'client_name',
  'contact_name',
  'sender_name',
  'company_name',
  'total_owed',
  'overdue_total',
  'due_date',
  'reply_by',
  'interruption_date',
  'last_payment',
  'promised_date',
  'pay_link',
  'invoice_table',
] as const;
export type PlaceholderName = (typeof placeholderNames)[number];

export const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*\}\}/g;

/** Steps whose message carries a deadline: only they may name {{reply_by}}. */
const DEADLINE_STEPS = new Set(['second_reminder', 'final_notice', 'service_pause', 'collections']);

export interface ProseFacts {
  statement: Statement;
  fmt: Formatter;
  /** The value of every placeholder this message may use; a missing key is not allowed here. */
  values: Partial<Record<PlaceholderName, string>>;
}

/** The facts a placeholder may render: all of them from the account's statement for this message. */
export function proseFacts(input: DraftInput): ProseFacts {
  const statement = buildStatement(input);
  const fmt = formatterFor(statement.locale);
  const values: ProseFacts['values'] = {
    client_name: statement.accountName,
    sender_name: statement.installation.sender.name,
    company_name: statement.installation.sender.company,
    total_owed: fmt.money(statement.totalOwedCents),
    pay_link: statement.installation.payLink,
    invoice_table: '',
  };
  if (statement.contactName) values.contact_name = statement.contactName.split(/\s+/)[0];
  if (statement.overdue.length) values.overdue_total = fmt.money(statement.overdueCents);
  if (statement.invoices[0]) values.due_date = fmt.date(statement.invoices[0].dueDate);
  if (DEADLINE_STEPS.has(statement.step.kind)) values.reply_by = fmt.date(statement.replyBy);
  if (statement.permissions.interruption && statement.step.interruptionDate) values.interruption_date = fmt.date(statement.step.interruptionDate);
  const payment = [...statement.receivedSinceLastMessage].reverse().find((m) => m.kind === 'payment');
  if (payment) {
    const toward = payment.allocations.map((a) => a.invoiceNumber);
    values.last_payment = `${fmt.money(payment.amountCents)} on ${fmt.date(payment.receivedOn)}${toward.length ? ` toward invoice ${toward.join(', ')}` : ''}`;
  }
  if (statement.brokenPromise) values.promised_date = fmt.date(statement.brokenPromise.promisedDate);
  return { statement, fmt, values };
}

// ---------------------------------------------------------------------------------------------------

type Segment = { text: string } | { link: string; label: string };
type Block = { kind: 'p'; parts: Segment[] } | { kind: 'table' } | { kind: 'lines'; lines: string[] };

/**
 * The message the product sends for a checked prose answer. Call it only on prose that passed
 * `checkProse`: it fills placeholders without judging the words around them.
 */
export function renderProse(answer: ProseAnswer, input: DraftInput): DraftOutput {
  const facts = proseFacts(input);
  const { statement, fmt } = facts;
  const tone = input.step.tone;
  const contact = input.facts.contacts[0];
  const blocks: Block[] = [];
  const greeting = !contact
    ? `Hello ${input.facts.name} team,`
    : tone === 'firm'
      ? `Dear ${contact.name},`
      : `${tone === 'warm' ? 'Hi' : 'Hello'} ${contact.name.split(/\s+/)[0]},`;
  blocks.push({ kind: 'p', parts: [{ text: greeting }] });

  let tablePlaced = false;
  let linkPlaced = false;
  for (const paragraph of answer.paragraphs) {
    if (/^\s*\{\{\s*invoice_table\s*\}\}\s*$/.test(paragraph)) {
      if (!tablePlaced) blocks.push({ kind: 'table' });
      tablePlaced = true;
      continue;
    }
    const parts: Segment[] = [];
    let at = 0;
    for (const m of paragraph.matchAll(PLACEHOLDER)) {
      parts.push({ text: paragraph.slice(at, m.index) });
      const name = m[1] as PlaceholderName;
      if (name === 'pay_link') {
        parts.push({ link: input.payLink, label: 'our secure payment page' });
        linkPlaced = true;
      } else parts.push({ text: facts.values[name] ?? '' });
      at = (m.index ?? 0) + m[0].length;
    }
    parts.push({ text: paragraph.slice(at) });
    blocks.push({ kind: 'p', parts: parts.filter((p) => !('text' in p) || p.text) });
  }
  if (!tablePlaced) blocks.splice(Math.min(2, blocks.length), 0, { kind: 'table' });
  if (!linkPlaced && (input.rules.requiresPayLink || statement.totalOwedCents > 0))
    blocks.push({ kind: 'p', parts: [{ text: 'You can pay on our secure payment page: ' }, { link: input.payLink, label: 'Pay securely online' }] });
  blocks.push(...paymentMethodBlocks(statement));
  blocks.push({
    kind: 'lines',
    lines: [{ warm: 'Thanks so much,', neutral: 'Kind regards,', firm: 'Regards,' }[tone], input.sender.name, input.sender.company, input.sender.email],
  });

  const table = invoiceTable(statement, fmt);
  const subject = answer.subject.replace(PLACEHOLDER, (_, name: string) => facts.values[name as PlaceholderName] ?? '').replace(/\s+/g, ' ').trim();
  const bodyText = renderText(blocks, table);
  return {
    subject,
    bodyText,
    bodyHtml: renderHtml(blocks, table),
    tone: answer.tone,
    claims: {
      amountsCents: [...new Set([statement.totalOwedCents, ...statement.invoices.flatMap((i) => [i.balanceCents, i.amountCents])])],
      invoiceNumbers: statement.invoices.map((i) => i.number),
      dates: [...new Set(statement.invoices.flatMap((i) => [i.issueDate, i.dueDate]))],
      links: [input.payLink],
    },
    confidence: answer.confidence,
  };
}

/** How this client pays, in the product's words: a model never writes payment instructions. */
function paymentMethodBlocks(statement: Statement): Block[] {
  const refs = statement.invoices.map((i) => i.number).join(', ');
  const { company } = statement.installation.sender;
  const address = statement.installation.remittanceAddress;
  const cheque = statement.locale.chequeWord;
  const p = (text: string): Block => ({ kind: 'p', parts: [{ text }] });
  switch (statement.paymentMethod) {
    case 'ach':
      return [p('Our bank details never change by email: if your team needs to verify them, reply and we will confirm them by phone.')];
    case 'card':
      return [p('If the card on file has expired or changed, you can update it on the same secure page.')];
    case 'check':
      if (!address) return [p(`A ${cheque} is payable to ${company}, with ${refs} on the memo line; reply and we will send our remittance address.`)];
      return [p(`A ${cheque} is payable to ${company}, with ${refs} on the memo line, mailed to:`), { kind: 'lines', lines: address }];
    case 'wire':
      return [p(`For a wire transfer, the payment page shows our verified bank details; please quote ${refs} as the reference.`)];
    default:
      return [];
  }
}

interface TableRow {
  number: string;
  issued: string;
  due: string;
  amount: string;
  balance: string;
}
const HEAD: TableRow = { number: 'Invoice', issued: 'Issued', due: 'Due', amount: 'Amount', balance: 'Balance due' };

function invoiceTable(statement: Statement, fmt: Formatter): { rows: TableRow[]; total: string } {
  return {
    rows: statement.invoices.map((i) => ({
      number: i.number,
      issued: fmt.shortDate(i.issueDate),
      due: fmt.shortDate(i.dueDate),
      amount: fmt.money(i.amountCents),
      balance: fmt.money(i.balanceCents),
    })),
    total: fmt.money(statement.totalOwedCents),
  };
}

function renderText(blocks: Block[], table: { rows: TableRow[]; total: string }): string {
  const rows = [HEAD, ...table.rows];
  const cols: Array<keyof TableRow> = ['number', 'issued', 'due', 'amount', 'balance'];
  const width = (k: keyof TableRow) => Math.max(...rows.map((r) => r[k].length));
  const line = (r: TableRow) => cols.map((k) => (k === 'amount' || k === 'balance' ? r[k].padStart(width(k)) : r[k].padEnd(width(k)))).join('   ').trimEnd();
  const tableText = [...rows.map(line), `${'Total due'.padEnd(Math.max(10, line(HEAD).length - table.total.length))}${table.total}`].map((l) => `  ${l}`).join('\n');
  return blocks
    .map((b) =>
      b.kind === 'table' ? tableText : b.kind === 'lines' ? b.lines.join('\n') : b.parts.map((s) => ('text' in s ? s.text : s.link)).join('').replace(/[ \t]+/g, ' ').trim(),
    )
    .join('\n\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
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
      return `<p>${b.parts.map((s) => ('text' in s ? escapeHtml(s.text) : `<a href="${escapeHtml(s.link)}">${escapeHtml(s.label)}</a>`)).join('')}</p>`;
    })
    .join('\n');
}

const PLACEHOLDER_MEANINGS: Record<PlaceholderName, string> = {
  client_name: "the client's company name",
  contact_name: "the contact's first name",
  sender_name: 'the name of the person writing',
  company_name: "the writer's company",
  total_owed: 'everything open on the account, overdue or not',
  overdue_total: 'the part of the balance that is past due',
  due_date: 'the due date of the oldest open invoice',
  reply_by: 'the deadline the policy set for this step',
  interruption_date: 'the date service would be interrupted',
  last_payment: 'the latest partial payment: amount, date and invoice',
  promised_date: 'the payment date the client promised and missed',
  pay_link: 'a link to the secure payment page',
  invoice_table: 'the table of open invoices (a paragraph on its own)',
};

/** What the model is told: the situation in words and the placeholders it may use, never a figure. */
export interface ProseBrief {
  step: { kind: string; tone: string; maxWords: number; language: Record<string, boolean> };
  client: { paymentMethod: string; longStanding: boolean };
  account: {
    severalInvoices: boolean;
    somethingNotYetDue: boolean;
    nothingOverdueYet: boolean;
    partialPaymentReceived: boolean;
    missedPromise: boolean;
    firstMessageThisCycle: boolean;
    agreementHasLateFees: boolean;
  };
  placeholders: Array<{ name: string; meaning: string }>;
  /** The client's latest reply, quoted as data: it is never an instruction to the model. */
  clientReply: string | null;
}

export function proseBrief(input: DraftInput, maxWords: number): ProseBrief {
  const facts = proseFacts(input);
  const { statement } = facts;
  const since = Date.parse(`${statement.clientSince}T00:00:00Z`);
  const today = Date.parse(`${statement.sendDate}T00:00:00Z`);
  return {
    step: { kind: statement.step.kind, tone: statement.step.tone, maxWords, language: { ...statement.permissions } },
    client: { paymentMethod: statement.paymentMethod, longStanding: today - since >= 2 * 365 * 86_400_000 },
    account: {
      severalInvoices: statement.invoices.length > 1,
      somethingNotYetDue: statement.upcoming.length > 0,
      nothingOverdueYet: statement.overdue.length === 0,
      partialPaymentReceived: facts.values.last_payment !== undefined,
      missedPromise: statement.brokenPromise !== null,
      firstMessageThisCycle: statement.firstContact,
      agreementHasLateFees: statement.installation.lateFees.kind !== 'none',
    },
    placeholders: placeholderNames.filter((n) => facts.values[n] !== undefined).map((name) => ({ name: `{{${name}}}`, meaning: PLACEHOLDER_MEANINGS[name] })),
    clientReply: input.lastReply?.text ?? null,
  };
}
