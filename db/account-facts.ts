/**
 * Reads one account's facts from PostgreSQL into the shape the domain decides from. The database is
 * the source of truth for money; this is the only place that translates rows into AccountFacts.
 */
import { and, desc, eq, gte, inArray, ne, or, sql } from 'drizzle-orm';
import { perDatabase, type Db } from './client';
import * as t from './schema';
import { defaultPolicies, policyForSegment } from '../domain/policy/default-policy';
import { PolicyDefinition } from '../domain/policy/schema';
import { BusinessHours, type AccountFacts, type SentFact } from '../domain/facts';
import { statementLocale } from '../domain/drafting/statement';
import { publicHolidays } from './public-holidays';
import { payLinkFor as fillPayLink, settingsFromRows, type Settings } from '../domain/settings';
import { ANSWER_STEP_ID } from '../domain/messages';

export async function loadSettings(db: Db): Promise<Settings> {
  return settingsFromRows(await db.select().from(t.settings));
}

/** The newest active version of each policy; the built-in ones when none is stored. */
export async function loadPolicies(db: Db): Promise<{ policies: PolicyDefinition[]; versions: Map<string, number> }> {
  const rows = await db.select().from(t.policies).where(eq(t.policies.active, true)).orderBy(desc(t.policies.version));
  const newest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (!newest.has(r.name)) newest.set(r.name, r);
  const policies: PolicyDefinition[] = [];
  const versions = new Map<string, number>();
  for (const r of newest.values()) {
    const parsed = PolicyDefinition.safeParse(r.definition);
    if (!parsed.success) continue; // validated on write; an unreadable row must not stop every account
    policies.push(parsed.data);
    versions.set(parsed.data.name, r.version);
  }
  return policies.length > 0 ? { policies, versions } : { policies: [...defaultPolicies], versions };
}

export interface LoadedAccount {
  facts: AccountFacts;
  factsVersion: number;
  policy: PolicyDefinition;
  policyVersion: number;
  settings: Settings;
  /** Call tasks still open, read with the facts so a planning round needs no second look. */
  openCallTasks: { id: string; stepId: string; cycleKey: string; assignedTo: string | null }[];
}

/**
 * The account and everything hanging off it, in one prepared statement (the children as JSON arrays):
 * it runs on every planning round of every account. Read as twelve separate queries it cost the worker
 * a fifth of its CPU in building SQL and a socket write and a server wake-up per query; it also reads
 * all of an account's facts at one snapshot.
 */
const accountQuery = perDatabase((db: Db) =>
  db.query.accounts
    .findFirst({
      where: eq(t.accounts.id, sql.placeholder('accountId')),
      with: {
        contacts: { orderBy: [desc(t.contacts.isPrimary)] },
        invoices: { where: or(eq(t.invoices.status, 'open'), gte(t.invoices.updatedAt, sql.placeholder('since'))) },
        // Money an import found already paid, with no date, is in the balances but is no dated payment.
        payments: {
          where: and(gte(t.payments.receivedAt, sql.placeholder('since')), eq(t.payments.dated, true)),
          with: { allocations: { columns: { invoiceId: true, amountCents: true } } },
        },
        promises: true,
        disputes: true,
        messages: {
          columns: { stepId: true, cycleKey: true, status: true, sentAt: true, decidedAt: true, createdAt: true, tone: true },
          // A message that may have gone out (in flight, or waiting for a person to confirm) counts as a
          // step taken: planning it again would risk the very duplicate the send's states prevent.
          // An answer to a client's question (db/facts/answers.ts) is not a step of the escalation: it
          // neither moves the cool-down nor counts as the follow-up a broken promise calls for.
          where: and(inArray(t.messages.status, ['sent', 'rejected', 'suppressed', 'sending', 'unconfirmed']), ne(t.messages.stepId, ANSWER_STEP_ID)),
        },
        callTasks: { columns: { id: true, stepId: true, cycleKey: true, createdAt: true, status: true, assignedTo: true } },
        recommendations: { columns: { kind: true, cycleKey: true, createdAt: true } },
      },
    })
    .prepare('load_account_facts'),
);

export async function loadAccount(db: Db, accountId: string, now: Date): Promise<LoadedAccount | null> {
  const yearAgo = new Date(now.getTime() - 400 * 86_400_000);
  const [account, settings, { policies, versions }, holds] = await Promise.all([
    accountQuery(db).execute({ accountId, since: yearAgo.toISOString() }),
    loadSettings(db),
    loadPolicies(db),
    replyHoldsOf(db, accountId, now),
  ]);
  if (!account) return null;
  const { contacts, invoices, payments, promises, disputes, messages, callTasks: calls, recommendations: recs } = account;

  const base = policyForSegment(policies, account.segment);
  const recommendationStepId = (kind: string) => base.steps.find((s) => s.kind === kind)?.id ?? kind;
  // A step is done once it went out, or a person rejected it, or its call/recommendation exists.
  const sent: SentFact[] = [
    ...messages.map((m) => ({
      stepId: m.stepId,
      cycleKey: m.cycleKey,
      sentAt: (m.sentAt ?? m.decidedAt ?? m.createdAt).toISOString(),
      tone: m.tone,
      delivered: m.status === 'sent',
    })),
    ...calls.map((c) => ({ stepId: c.stepId, cycleKey: c.cycleKey, sentAt: c.createdAt.toISOString() })),
    ...recs.map((r) => ({ stepId: recommendationStepId(r.kind), cycleKey: r.cycleKey, sentAt: r.createdAt.toISOString() })),
  ];

  // Sends are planned at most weeks ahead: this year's and next year's holidays cover them.
  const country = statementLocale(account.country, account.currency).country;
  const year = now.getUTCFullYear();
  const countryHolidays = settings.observe_public_holidays && country ? publicHolidays(country, [year, year + 1]) : [];

  const facts: AccountFacts = {
    accountId: account.id,
    name: account.name,
    segment: account.segment,
    mode: account.mode,
    timeZone: account.timeZone,
    businessHours: BusinessHours.safeParse(account.businessHours).data ?? settings.business_hours,
    holidays: [...new Set([...settings.holidays.map((h) => h.date), ...account.holidays, ...countryHolidays])].sort(),
    clientSince: account.clientSince,
    paymentTermsDays: account.paymentTermsDays,
    paymentMethod: account.paymentMethod,
    paused: account.paused,
    replyHolds: holds,
    currency: account.currency,
    country: account.country,
    contacts: contacts.map((c) => ({ name: c.name, email: c.email, phone: c.phone, role: c.role })),
    invoices: invoices.map((i) => ({
      id: i.id,
      number: i.number,
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      amountCents: i.amountCents,
      balanceCents: i.balanceCents,
      status: i.status,
      paidAt: i.paidAt?.toISOString() ?? null,
      lines: i.lines,
    })),
    payments: payments.map((p) => ({
      id: p.id,
      receivedAt: p.receivedAt.toISOString(),
      amountCents: p.amountCents,
      method: p.method,
      kind: p.kind,
      allocations: p.allocations.map((a) => ({ invoiceId: a.invoiceId, amountCents: a.amountCents })),
      invoiceId: p.allocations.length === 1 ? p.allocations[0].invoiceId : null,
    })),
    promises: promises.map((p) => ({
      id: p.id,
      promisedDate: p.promisedDate,
      amountCents: p.amountCents,
      status: p.status,
      createdAt: p.createdAt.toISOString(),
    })),
    disputes: disputes.map((d) => ({
      id: d.id,
      invoiceId: d.invoiceId,
      status: d.status,
      reason: d.reason,
      openedAt: d.openedAt.toISOString(),
      resolvedAt: d.resolvedAt?.toISOString() ?? null,
    })),
    sent,
  };
  const policy = { ...base, rules: { ...base.rules, collectionsFloorCents: settings.collections_floor_cents } };
  const openCallTasks = calls.filter((c) => c.status === 'open').map((c) => ({ id: c.id, stepId: c.stepId, cycleKey: c.cycleKey, assignedTo: c.assignedTo }));
  return { facts, factsVersion: account.factsVersion, policy, policyVersion: versions.get(policy.name) ?? 0, settings, openCallTasks };
}

/** Reply statuses that hold written reminders until the reply's `hold_until` (db/replies.ts). */
export const HOLDING_REPLY_STATUSES = ['verifying', 'holding', 'proposed'] as const;

/** The client's replies that hold written reminders back at `now`: their own fact, apart from a manager's pause. */
export async function replyHoldsOf(db: Pick<Db, 'select'>, accountId: string, now: Date): Promise<{ until: string; reason: string }[]> {
  const rows = await db
    .select({ until: t.replies.holdUntil, status: t.replies.status, outcome: t.replies.outcome })
    .from(t.replies)
    .where(and(eq(t.replies.accountId, accountId), inArray(t.replies.status, [...HOLDING_REPLY_STATUSES]), sql`${t.replies.holdUntil} > ${now.toISOString()}::timestamptz`));
  return rows.map((r) => ({ until: r.until!.toISOString(), reason: r.outcome ?? `the client replied (${r.status})` }));
}

export function payLinkFor(settings: Settings, accountId: string, invoiceNumber?: string): string {
  return fillPayLink(settings.pay_link_template, { accountId, invoiceNumber });
}
