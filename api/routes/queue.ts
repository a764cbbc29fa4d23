/**
 * The copilot queue. Lists come from PostgreSQL (`messages` the draft activity keeps current); a
 * decision goes to the account workflow as an Update, so the clerk gets the workflow's own answer —
 * approved, or "already decided" / "superseded by a payment" — before the button stops spinning.
 */
import { and, asc, desc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import * as t from '../../db/schema';
import { problemTypes } from '../../domain/api/problems';
import { BulkApproveRequest, BulkApproveResponse, DecisionRequest, DecisionResponse, QueueDetail, QueueItem, QueuePage, QueueQuery } from '../../domain/api/queue';
import type { DraftDecision } from '../../workflows/account/definitions';
import { isManager } from '../auth/permissions';
import { HttpProblem, problems, toProblem } from '../problems';
import { route, type AuthedCtx } from '../routing';
import { IdParams, iso, isoOrNull } from './support';
import type { z } from 'zod';

/** Service-pause letters and collections notices are a manager's decision, never a clerk's. */
const MANAGER_STEPS = new Set(['service_pause', 'collections']);
const needsManager = (m: Pick<t.Message, 'channel' | 'stepId'>) => m.channel === 'letter' || MANAGER_STEPS.has(m.stepId);

const brokenPromises = sql<number>`(select count(*)::int from ${t.promises} p where p.account_id = ${t.messages.accountId} and p.status = 'broken')`;
/** See QueueItem.risk: a ranking aid, deliberately simple enough to explain. */
const risk = sql<number>`least(100, (
  least(${t.messages.daysOverdue}, 90) * 0.6
  + least(${t.messages.amountCents} / 250000.0, 20)
  + case when cardinality(${t.messages.sensitiveReasons}) > 0 then 10 else 0 end
  + least(${brokenPromises} * 5, 10)))::int`;
const factCheckPassed = sql<boolean>`coalesce((${t.messages.factCheck}->>'passed')::boolean, false)`;

/** What a list row needs: the bodies, HTML and fact-check detail stay in the database until a draft is opened. */
const listMessage = {
  id: t.messages.id,
  stepId: t.messages.stepId,
  channel: t.messages.channel,
  subject: t.messages.subject,
  tone: t.messages.tone,
  amountCents: t.messages.amountCents,
  daysOverdue: t.messages.daysOverdue,
  sensitiveReasons: t.messages.sensitiveReasons,
  createdAt: t.messages.createdAt,
  escalatedAt: t.messages.escalatedAt,
  source: t.messages.source,
};
const listAccount = { id: t.accounts.id, name: t.accounts.name, segment: t.accounts.segment, mode: t.accounts.mode };
type ListMessage = Pick<t.Message, keyof typeof listMessage>;
type ListAccount = Pick<t.Account, keyof typeof listAccount>;

function queueItem(r: { m: ListMessage; a: ListAccount; risk: number; passed: boolean }, now: Date): z.infer<typeof QueueItem> {
  return {
    id: r.m.id,
    accountId: r.a.id,
    accountName: r.a.name,
    segment: r.a.segment,
    mode: r.a.mode,
    stepId: r.m.stepId,
    channel: r.m.channel,
    subject: r.m.subject,
    tone: r.m.tone,
    amountCents: r.m.amountCents,
    daysOverdue: r.m.daysOverdue,
    sensitiveReasons: r.m.sensitiveReasons,
    factCheckPassed: Boolean(r.passed),
    createdAt: iso(r.m.createdAt),
    waitingMinutes: Math.max(0, Math.floor((now.getTime() - r.m.createdAt.getTime()) / 60_000)),
    escalated: r.m.escalatedAt !== null,
    risk: Number(r.risk),
    ...(r.m.source === 'model' || r.m.source === 'template' ? { source: r.m.source } : {}),
  };
}

function alreadyDecided(m: t.Message): HttpProblem {
  if (m.status === 'superseded')
    return new HttpProblem(409, problemTypes.superseded, 'Superseded', `This draft was withdrawn${m.decisionReason ? `: ${m.decisionReason}` : ''}. Nothing was sent.`);
  return new HttpProblem(409, problemTypes.alreadyDecided, 'Already decided', `This draft was already ${m.status.replace('_', ' ')}${m.decidedAt ? ` at ${m.decidedAt.toISOString()}` : ''}.`);
}

async function decide(ctx: AuthedCtx<unknown, unknown, unknown>, messageId: string, decision: z.infer<typeof DecisionRequest>) {
  const db = ctx.deps.db.db;
  const [m] = await db.select().from(t.messages).where(eq(t.messages.id, messageId));
  if (!m) throw problems.notFound('This draft');
  const p = ctx.principal;
  if (p.kind === 'user' && needsManager(m) && !isManager(p.role)) await ctx.refuse('only a manager decides service pauses and collections', m.accountId);
  if (m.status !== 'pending_approval') throw alreadyDecided(m);
  const d = { ...decision, messageId, actor: ctx.wfActor } as DraftDecision;
  return ctx.deps.temporal.decideDraft(m.accountId, d);
}

/**
 * Counting every waiting draft is the one part of a queue page that grows with the queue; under many
 * clerks at once it dominated. The total for a filter is shared for two seconds (per database), so it
 * may lag by that; the page itself is always fresh.
 */
const TOTAL_TTL_MS = 2_000;
const totalsByDatabase = new WeakMap<object, Map<string, { at: number; value: Promise<number> }>>();

function sharedTotal(database: object, key: string, count: () => Promise<number>): Promise<number> {
  let cache = totalsByDatabase.get(database);
  if (!cache) totalsByDatabase.set(database, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TOTAL_TTL_MS) return hit.value;
  const value = count();
  cache.set(key, { at: Date.now(), value });
  value.catch(() => cache.delete(key));
  if (cache.size > 1000) cache.delete(cache.keys().next().value!);
  return value;
}

export const queueRoutes = [
  route({
    method: 'get',
    path: '/api/queue',
    summary: 'Drafts waiting for approval: filter, sort by age, amount or risk, paginate',
    tag: 'queue',
    access: { kind: 'permission', permission: 'queue:read' },
    query: QueueQuery,
    response: QueuePage,
    async handler({ deps, query, now }) {
      const db = deps.db.db;
      const where: SQL[] = [eq(t.messages.status, 'pending_approval')];
      if (query.accountId) where.push(eq(t.messages.accountId, query.accountId));
      if (query.stepId) where.push(eq(t.messages.stepId, query.stepId));
      if (query.sensitive !== undefined) where.push(query.sensitive ? sql`cardinality(${t.messages.sensitiveReasons}) > 0` : sql`cardinality(${t.messages.sensitiveReasons}) = 0`);
      if (query.search) where.push(ilike(t.accounts.name, `%${query.search.replace(/[\\%_]/g, '\\$&')}%`));
      const order = query.order ?? (query.sort === 'age' ? 'asc' : 'desc');
      const dir = order === 'asc' ? asc : desc;
      const key = query.sort === 'amount' ? t.messages.amountCents : query.sort === 'risk' ? risk : t.messages.createdAt;
      // The page first, then risk for its rows only: scoring every pending draft (a subquery per row)
      // before the LIMIT made the list cost grow with the queue. Age and amount walk an index
      // (messages_queue_idx, messages_queue_amount_idx); only a sort by risk still scores them all.
      const byRisk = query.sort === 'risk';
      // The account join filters nothing (account_id is a non-null foreign key) unless searching by name.
      const countFrom = query.search
        ? db.select({ n: sql<number>`count(*)::int` }).from(t.messages).innerJoin(t.accounts, eq(t.accounts.id, t.messages.accountId))
        : db.select({ n: sql<number>`count(*)::int` }).from(t.messages);
      const [rows, total] = await Promise.all([
        db
          .select({ m: listMessage, a: listAccount, passed: factCheckPassed, ...(byRisk ? { risk } : {}) })
          .from(t.messages)
          .innerJoin(t.accounts, eq(t.accounts.id, t.messages.accountId))
          .where(and(...where))
          .orderBy(dir(key), asc(t.messages.id))
          .limit(query.pageSize)
          .offset((query.page - 1) * query.pageSize),
        sharedTotal(deps.db, JSON.stringify([query.accountId, query.stepId, query.sensitive, query.search]), async () => (await countFrom.where(and(...where)))[0].n),
      ]);
      const risks = new Map<string, number>();
      if (!byRisk && rows.length > 0) {
        const scored = await db
          .select({ id: t.messages.id, risk })
          .from(t.messages)
          .where(inArray(t.messages.id, rows.map((r) => r.m.id)));
        for (const r of scored) risks.set(r.id, r.risk);
      }
      const items = rows.map((r) => queueItem({ ...r, risk: 'risk' in r ? Number(r.risk) : (risks.get(r.m.id) ?? 0) }, now));
      return { items, page: query.page, pageSize: query.pageSize, total };
    },
  }),
  route({
    method: 'get',
    path: '/api/queue/:id',
    summary: "One draft with the account's context and its fact-check result",
    tag: 'queue',
    access: { kind: 'permission', permission: 'queue:read' },
    params: IdParams,
    response: QueueDetail,
    async handler({ deps, params, now }) {
      const db = deps.db.db;
      const [r] = await db
        .select({ m: t.messages, a: t.accounts, risk, passed: factCheckPassed })
        .from(t.messages)
        .innerJoin(t.accounts, eq(t.accounts.id, t.messages.accountId))
        .where(eq(t.messages.id, params.id));
      if (!r) throw problems.notFound('This draft');
      const [invoices, history, [dispute], [promise]] = await Promise.all([
        r.m.invoiceIds.length ? db.select().from(t.invoices).where(inArray(t.invoices.id, r.m.invoiceIds)).orderBy(asc(t.invoices.dueDate)) : Promise.resolve([]),
        db
          .select()
          .from(t.messages)
          .where(and(eq(t.messages.accountId, r.a.id), sql`${t.messages.id} <> ${r.m.id}`))
          .orderBy(desc(t.messages.createdAt))
          .limit(20),
        db.select({ id: t.disputes.id }).from(t.disputes).where(and(eq(t.disputes.accountId, r.a.id), eq(t.disputes.status, 'open'))),
        db.select().from(t.promises).where(and(eq(t.promises.accountId, r.a.id), eq(t.promises.status, 'open'))).orderBy(desc(t.promises.createdAt)).limit(1),
      ]);
      const fc = (r.m.factCheck ?? {}) as { passed?: unknown; failures?: unknown; issues?: unknown };
      return {
        message: {
          ...queueItem(r, now),
          status: r.m.status,
          toEmail: r.m.toEmail,
          bodyText: r.m.bodyText,
          bodyHtml: r.m.bodyHtml,
          draftSubject: r.m.draftSubject,
          draftBodyText: r.m.draftBodyText,
          source: r.m.source,
          model: r.m.model,
          confidence: r.m.confidence,
          cycleKey: r.m.cycleKey,
          scheduledFor: isoOrNull(r.m.scheduledFor),
          decidedAt: isoOrNull(r.m.decidedAt),
          decisionReason: r.m.decisionReason,
        },
        factCheck: {
          passed: fc.passed === true,
          failures: Array.isArray(fc.failures) ? fc.failures.map(String) : [],
          ...(Array.isArray(fc.issues)
            ? { issues: fc.issues.map((i: { category?: unknown; message?: unknown }) => ({ category: String(i?.category ?? ''), message: String(i?.message ?? '') })) }
            : {}),
        },
        account: {
          id: r.a.id,
          name: r.a.name,
          segment: r.a.segment,
          mode: r.a.mode,
          balanceCents: r.a.balanceCents,
          stage: r.a.stage,
          paused: r.a.paused,
          clientSince: r.a.clientSince,
          paymentMethod: r.a.paymentMethod,
          timeZone: r.a.timeZone,
          disputeOpen: Boolean(dispute),
          openPromise: promise ? { promisedDate: promise.promisedDate, amountCents: promise.amountCents } : null,
        },
        invoices: invoices.map((i) => ({ id: i.id, number: i.number, issueDate: i.issueDate, dueDate: i.dueDate, amountCents: i.amountCents, balanceCents: i.balanceCents, status: i.status })),
        history: history.map((h) => ({ id: h.id, stepId: h.stepId, status: h.status, subject: h.subject, createdAt: iso(h.createdAt), sentAt: isoOrNull(h.sentAt) })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/queue/:id/decision',
    summary: 'Approve, approve with edits, or reject a draft (answers 409 when already decided or superseded)',
    tag: 'queue',
    access: { kind: 'permission', permission: 'queue:decide' },
    params: IdParams,
    body: DecisionRequest,
    response: DecisionResponse,
    handler: (ctx) => decide(ctx, ctx.params.id, ctx.body),
  }),
  route({
    method: 'post',
    path: '/api/queue/bulk-approve',
    summary: 'Approve several drafts; each answers on its own',
    tag: 'queue',
    access: { kind: 'permission', permission: 'queue:decide' },
    body: BulkApproveRequest,
    response: BulkApproveResponse,
    async handler(ctx) {
      const results: z.infer<typeof BulkApproveResponse>['results'] = [];
      // One at a time: each is an Update on a (possibly shared) account workflow, and order keeps answers readable.
      for (const messageId of [...new Set(ctx.body.messageIds)]) {
        try {
          const r = await decide(ctx, messageId, { decision: 'approve' });
          results.push({ messageId, ok: true, status: r.status });
        } catch (err) {
          const p = toProblem(err);
          if (p.status === 500) throw err;
          results.push({ messageId, ok: false, problem: p.type, detail: p.detail });
        }
      }
      return { results };
    },
  }),
];
