/**
 * GET /api/accounts/:id/feed — the account's story for people, read from the facts themselves
 * (invoices, payments, messages, calls, promises, disputes, replies, notes) rather than from the
 * engine's events, so nothing a person did or the client said is missing because no event named it.
 */
import { and, desc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import * as t from '../../db/schema';
import { loadSettings } from '../../db/facts';
import { AccountFeed, type AccountFeedItem, type FeedInvoice } from '../../domain/api/accounts';
import { daysBetween, localDate } from '../../domain/calendar';
import { payLinkFor } from '../../domain/settings';
import { route } from '../routing';
import { accountFor, IdParams, iso } from './support';

const LIMIT = 200;
const noonOf = (day: string) => `${day}T12:00:00.000Z`;
const stepNames: Record<string, string> = {
  prevention: 'upcoming-invoice reminder',
  first_reminder: 'first reminder',
  second_reminder: 'second reminder',
  final_notice: 'final notice',
  call: 'phone call',
  service_pause: 'service pause letter',
  collections: 'collections referral',
};
const stepWords = (id: string) => stepNames[id] ?? id.replace(/_/g, ' ');
const money = (cents: number, currency: string) => new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);

const outcomeWords: Record<string, string> = {
  promise: 'promised to pay',
  dispute: 'disputed',
  no_answer: 'no answer',
  wrong_number: 'wrong number',
  paid: 'says it is paid',
  other: 'other',
};

export const accountFeedRoutes = [
  route({
    method: 'get',
    path: '/api/accounts/:id/feed',
    summary: 'The account feed: invoices issued, payments, credits, messages with their text, calls, decisions, notes and client replies; and invoices with days overdue and pay links',
    tag: 'accounts',
    access: { kind: 'permission', permission: 'accounts:read' },
    params: IdParams,
    response: AccountFeed,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      const db = ctx.deps.db.db;
      const decider = alias(t.users, 'decider');
      const caller = alias(t.users, 'caller');
      const [[account], invoices, payments, messages, calls, promises, disputes, replies, notes, settings] = await Promise.all([
        db.select({ timeZone: t.accounts.timeZone, currency: t.accounts.currency }).from(t.accounts).where(eq(t.accounts.id, acc.id)),
        db.select().from(t.invoices).where(eq(t.invoices.accountId, acc.id)).orderBy(desc(t.invoices.dueDate), desc(t.invoices.number)),
        db.select().from(t.payments).where(eq(t.payments.accountId, acc.id)).orderBy(desc(t.payments.receivedAt)).limit(LIMIT),
        db
          .select({ m: t.messages, deciderName: decider.name })
          .from(t.messages)
          .leftJoin(decider, eq(decider.id, t.messages.decidedBy))
          .where(eq(t.messages.accountId, acc.id))
          .orderBy(desc(t.messages.createdAt))
          .limit(LIMIT),
        db
          .select({ c: t.callTasks, callerName: caller.name })
          .from(t.callTasks)
          .leftJoin(caller, eq(caller.id, t.callTasks.completedBy))
          .where(eq(t.callTasks.accountId, acc.id))
          .orderBy(desc(t.callTasks.createdAt))
          .limit(LIMIT),
        db.select({ p: t.promises, by: t.users.name }).from(t.promises).leftJoin(t.users, eq(t.users.id, t.promises.createdBy)).where(eq(t.promises.accountId, acc.id)).limit(LIMIT),
        db.select({ d: t.disputes, by: t.users.name }).from(t.disputes).leftJoin(t.users, eq(t.users.id, t.disputes.openedBy)).where(eq(t.disputes.accountId, acc.id)).limit(LIMIT),
        db.select().from(t.replies).where(eq(t.replies.accountId, acc.id)).orderBy(desc(t.replies.receivedAt)).limit(LIMIT),
        db
          .select()
          .from(t.events)
          .where(and(eq(t.events.accountId, acc.id), eq(t.events.type, 'note.added')))
          .orderBy(desc(t.events.id))
          .limit(LIMIT),
        loadSettings(db),
      ]);
      const currency = account.currency;
      const cur = (c: number) => money(c, currency);
      const items: AccountFeedItem[] = [];
      const add = (i: Omit<AccountFeedItem, 'day' | 'amountCents' | 'actorName' | 'body' | 'dateKnown'> & Partial<AccountFeedItem>) =>
        items.push({ day: null, dateKnown: true, amountCents: null, actorName: null, body: null, ...i });

      for (const inv of invoices) {
        add({ id: `invoice:${inv.id}`, kind: 'invoice', at: noonOf(inv.issueDate), day: inv.issueDate, title: `Invoice ${inv.number} issued for ${cur(inv.amountCents)}`, amountCents: inv.amountCents });
        if (inv.status === 'void') add({ id: `invoice-void:${inv.id}`, kind: 'invoice', at: iso(inv.updatedAt), title: `Invoice ${inv.number} voided` });
      }
      for (const p of payments) {
        const credit = p.kind === 'credit_note';
        // An import that only knew an invoice was paid gives no payment day: say so rather than invent one.
        const title = credit ? `Credit note ${p.reference ?? ''} for ${cur(p.amountCents)}`.replace('  ', ' ') : `Payment of ${cur(p.amountCents)} received${p.reference ? ` (reference ${p.reference})` : ''}`;
        add({ id: `payment:${p.id}`, kind: credit ? 'credit' : 'payment', at: iso(p.receivedAt), dateKnown: p.dated !== false, title: p.dated === false ? `${title}, paid before it was imported (day not known)` : title, amountCents: p.amountCents });
      }
      for (const { m, deciderName } of messages) {
        const step = stepWords(m.stepId);
        if (m.sentAt && m.status === 'sent')
          add({ id: `message:${m.id}`, kind: 'message', at: iso(m.sentAt), title: `Sent the ${step} to ${m.toEmail}: “${m.subject}”`, body: m.bodyText, amountCents: m.amountCents });
        if (m.decidedAt && m.decidedBy && (m.status === 'approved' || m.status === 'rejected' || m.status === 'sent' || m.status === 'sending'))
          add({
            id: `decision:${m.id}`,
            kind: 'decision',
            at: iso(m.decidedAt),
            title: m.status === 'rejected' ? `${deciderName ?? 'A person'} rejected the ${step}` : `${deciderName ?? 'A person'} approved the ${step}`,
            body: m.decisionReason,
            actorName: deciderName,
          });
      }
      for (const { c, callerName } of calls) {
        add({ id: `call:${c.id}`, kind: 'call', at: iso(c.createdAt), title: `Call to make (${stepWords(c.stepId)})` });
        if (c.completedAt && c.outcome)
          add({
            id: `call-done:${c.id}`,
            kind: 'call',
            at: iso(c.completedAt),
            title: `${callerName ?? 'A caller'} called: ${outcomeWords[c.outcome] ?? stepWords(c.outcome)}${c.promisedDate ? `, to pay by ${c.promisedDate}` : ''}`,
            body: c.outcomeNotes,
            actorName: callerName,
          });
      }
      for (const { p, by } of promises)
        add({ id: `promise:${p.id}`, kind: 'promise', at: iso(p.createdAt), title: `Promise to pay${p.amountCents ? ` ${cur(p.amountCents)}` : ''} by ${p.promisedDate}${p.status === 'open' ? '' : ` (${p.status})`}`, actorName: by });
      for (const { d, by } of disputes) {
        add({ id: `dispute:${d.id}`, kind: 'dispute', at: iso(d.openedAt), title: 'Dispute opened', body: d.reason, actorName: by });
        if (d.resolvedAt) add({ id: `dispute-resolved:${d.id}`, kind: 'dispute', at: iso(d.resolvedAt), title: 'Dispute resolved', body: d.resolution });
      }
      // A reply on the timeline says what it was understood as, on what evidence, and what Tactful did.
      for (const r of replies) {
        const understood = `Understood as ${r.kind.replace(/_/g, ' ')} (${Math.round(r.confidence * 100)}% sure)${r.evidence ? `, from: “${r.evidence}”` : ''}.`;
        add({
          id: `reply:${r.id}`,
          kind: 'reply',
          at: iso(r.receivedAt),
          title: `Reply from ${r.fromEmail}: “${r.subject}”`,
          body: [r.visibleText.trim(), '', understood, `What Tactful did: ${(r.outcome ?? 'nothing yet').replace(/\.$/, '')}.`].join('\n'),
        });
      }
      for (const n of notes) {
        const text = (n.data as { text?: unknown } | null)?.text;
        add({ id: `note:${n.id}`, kind: 'note', at: iso(n.createdAt), title: `Note by ${n.actorName ?? 'someone'}`, body: typeof text === 'string' ? text : null, actorName: n.actorName });
      }
      items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id.localeCompare(b.id)));

      const today = localDate(iso(ctx.now), account.timeZone);
      const feedInvoices: FeedInvoice[] = invoices.map((inv) => {
        const overdue = inv.status === 'open' && inv.balanceCents > 0 ? daysBetween(inv.dueDate, today) : null;
        return {
          id: inv.id,
          number: inv.number,
          issueDate: inv.issueDate,
          dueDate: inv.dueDate,
          amountCents: inv.amountCents,
          balanceCents: inv.balanceCents,
          status: inv.status,
          daysOverdue: overdue !== null && overdue > 0 ? overdue : null,
          payLink: inv.status === 'open' && inv.balanceCents > 0 ? payLinkFor(settings.pay_link_template, { accountId: acc.id, invoiceNumber: inv.number }) : null,
        };
      });
      return { currency, items: items.slice(0, LIMIT * 2), invoices: feedInvoices };
    },
  }),
];
