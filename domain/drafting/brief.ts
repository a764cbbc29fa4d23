/**
 * What the model is told about the account: only what the message needs, with amounts and dates
 * already formatted so it can copy them rather than compute them. No internal ids, no contact
 * details beyond a name, nothing about other clients.
 */
import { buildDraftContext, formatDate, formatMoney, localDate } from './context';
import type { DraftInput } from './types';

export interface ModelBrief {
  today: string;
  client: { name: string; contactName: string | null; clientSince: string; paymentMethod: string; paymentTermsDays: number };
  step: {
    kind: string;
    tone: string;
    daysPastDue: number;
    requiresPayLink: boolean;
    language: { consequences: boolean; interruption: boolean; finalWord: boolean; collections: boolean };
    interruptionDate: string | null;
    replyBy: string | null;
  };
  invoices: Array<{ number: string; issued: string; due: string; amount: string; balance: string }>;
  totalOwed: string;
  partialPayments: Array<{ amount: string; received: string; invoice: string }>;
  brokenPromise: { promisedDate: string } | null;
  earlierMessages: Array<{ sent: string; subject: string }>;
  payLink: string;
  sender: { name: string; company: string; email: string; remittanceAddress: string[] | null };
}

export function modelBrief(input: DraftInput): ModelBrief {
  const ctx = buildDraftContext(input);
  const { facts, step } = input;
  const money = (c: number) => formatMoney(c, ctx.currency);
  const deadlineSteps = ['second_reminder', 'final_notice', 'service_pause', 'collections'];
  return {
    today: formatDate(ctx.today),
    client: {
      name: facts.name,
      contactName: facts.contacts[0]?.name ?? null,
      clientSince: facts.clientSince.slice(0, 4),
      paymentMethod: facts.paymentMethod,
      paymentTermsDays: facts.paymentTermsDays,
    },
    step: {
      kind: step.kind,
      tone: step.tone,
      daysPastDue: step.daysPastDue,
      requiresPayLink: input.rules.requiresPayLink,
      language: ctx.permissions,
      interruptionDate: ctx.interruptionDate ? formatDate(ctx.interruptionDate) : null,
      replyBy: deadlineSteps.includes(step.kind) ? formatDate(ctx.replyBy) : null,
    },
    invoices: ctx.openInvoices.map((i) => ({
      number: i.number,
      issued: formatDate(i.issueDate),
      due: formatDate(i.dueDate),
      amount: money(i.amountCents),
      balance: money(i.balanceCents),
    })),
    totalOwed: money(ctx.totalCents),
    partialPayments: ctx.partialPayments.map((p) => ({ amount: money(p.amountCents), received: formatDate(p.receivedOn), invoice: p.invoiceNumber })),
    brokenPromise: ctx.brokenPromise ? { promisedDate: formatDate(ctx.brokenPromise.promisedDate) } : null,
    earlierMessages: input.earlierMessages.map((m) => ({ sent: formatDate(localDate(m.sentAt, facts.timeZone)), subject: m.subject })),
    payLink: input.payLink,
    sender: {
      name: input.sender.name,
      company: input.sender.company,
      email: input.sender.email,
      remittanceAddress: input.sender.remittanceAddress ?? null,
    },
  };
}
