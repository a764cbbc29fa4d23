/**
 * The copilot queue. Lists come from PostgreSQL (`messages` the draft activity keeps current); a
 * decision goes to the account workflow as an Update, so the clerk gets the workflow's own answer —
 * approved, or "already decided" / "superseded by a payment" — before the button stops spinning.
 */
import { and, asc, desc, eq, fillPlaceholders, ilike, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type postgres from 'postgres';
import { perDatabase, type Db } from '../../db/client';
import * as t from '../../db/schema';
import { loadAccount, payLinkFor } from '../../db/facts';
import { buildStatement } from '../../domain/drafting/statement';
import { ANSWER_STEP_ID } from '../../domain/messages';
import type { PlannedStep } from '../../domain/policy/types';
import { problemTypes } from '../../domain/api/problems';
import { BulkApproveRequest, BulkApproveResponse, DecisionRequest, DecisionResponse, QueueDetail, QueueItem, QueuePage, QueueQuery } from '../../domain/api/queue';
import { Errors, type DraftDecision } from '../../domain/messages';
import { WorkflowRejectedError } from '../gateway';
import { defaultPolicies } from '../../domain/policy/default-policy';
import { draftNeedsManager } from '../../domain/policy/manager-decisions';
import { PolicyDefinition } from '../../domain/policy/schema';
import { isManager } from '../auth/permissions';
import { HttpProblem, problems, toProblem } from '../problems';
import { JsonText, route, type AuthedCtx } from '../routing';
import { queuePage } from './queue-pages';
import { IdParams, iso, isoOrNull } from './support';
import type { z } from 'zod';

/**
 * Service-pause letters and collections notices are a manager's decision, never a clerk's: decided by
 * the kind the draft's step has in the stored policies (domain/policy/manager-decisions.ts), not by its id.
 */
async function needsManager(db: Db, m: Pick<t.Message, 'channel' | 'stepId'>): Promise<boolean> {
  const rows = await db.select({ definition: t.policies.definition }).from(t.policies);
  const stored = rows.flatMap((r) => {
    const parsed = PolicyDefinition.safeParse(r.definition);
    return parsed.success ? [parsed.data] : [];
  });
  return draftNeedsManager(m, [...stored, ...defaultPolicies]);
}

/** See QueueItem.risk: a ranking aid, deliberately simple enough to explain. */
function riskOf(m: { daysOverdue: SQLWrapper; amountCents: SQLWrapper; sensitiveReasons: SQLWrapper; accountId: SQLWrapper }) {
  const brokenPromises = sql<number>`(select count(*)::int from ${t.promises} p where p.account_id = ${m.accountId} and p.status = 'broken')`;
  return sql<number>`least(100, (
  least(${m.daysOverdue}, 90) * 0.6
  + least(${m.amountCents} / 250000.0, 20)
  + case when cardinality(${m.sensitiveReasons}) > 0 then 10 else 0 end
  + least(${brokenPromises} * 5, 10)))::int`;
}
const risk = riskOf(t.messages);
const factCheckPassedOf = (factCheck: SQLWrapper) => sql<boolean>`coalesce((${factCheck}->>'passed')::boolean, false)`;
const factCheckPassed = factCheckPassedOf(t.messages.factCheck);

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
  if (p.kind === 'user' && !isManager(p.role) && (await needsManager(db, m))) await ctx.refuse('only a manager decides service pauses and collections', m.accountId);
  if (m.status !== 'pending_approval') throw alreadyDecided(m);
  const d = { ...decision, messageId, actor: ctx.wfActor } as DraftDecision;
  const started = Date.now();
  for (;;) {
    try {
      return await ctx.deps.temporal.decideDraft(m.accountId, d);
    } catch (err) {
      // The draft was waiting when read above; if the workflow no longer knows it, something decided it
      // in between — a payment withdrawing it, most often. The row says what, and that is the answer.
      if (!(err instanceof WorkflowRejectedError && err.errorType === Errors.NoSuchDraft)) throw err;
      const [now] = await db.select().from(t.messages).where(eq(t.messages.id, messageId));
      if (now && now.status !== 'pending_approval') throw alreadyDecided(now);
      if (!now) throw err;
      // Still waiting in the database: the draft was just filed and the workflow has not taken it in
      // yet. Ask again briefly; past that, say so rather than "not found".
      if (Date.now() - started > DRAFT_CATCH_UP_MS)
        throw new HttpProblem(409, problemTypes.conflict, 'Not ready yet', 'This draft was filed a moment ago and is not ready for a decision yet. Try again in a moment.', undefined, { 'Retry-After': '1' });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** How long a decision waits for a just-filed draft to reach its workflow (within the request deadline). */
const DRAFT_CATCH_UP_MS = 1_200;

/** Which filters a list request uses and how it sorts: each distinct shape is one prepared statement. */
interface QueueShape {
  accountId: boolean;
  stepId: boolean;
  sensitive: boolean | undefined;
  search: boolean;
  sort: z.infer<typeof QueueQuery>['sort'];
  order: 'asc' | 'desc';
  key: string;
  filterKey: string;
}

function queueShape(query: z.infer<typeof QueueQuery>): QueueShape {
  const order = query.order ?? (query.sort === 'age' ? 'asc' : 'desc');
  const f = { accountId: query.accountId !== undefined, stepId: query.stepId !== undefined, sensitive: query.sensitive, search: query.search !== undefined };
  const filterKey = JSON.stringify(f);
  return { ...f, sort: query.sort, order, filterKey, key: `${filterKey}:${query.sort}:${order}` };
}

/**
 * The list is the API's hottest read: clerks page through it all day. Each shape of request is built
 * once and prepared, so PostgreSQL plans it once per connection rather than on every page. The page is
 * chosen from `messages` alone (through messages_queue_idx or messages_queue_amount_idx, joining
 * accounts only to search by name), and only its rows are then joined to their accounts and scored
 * for risk. A sort by risk still scores every waiting draft to choose the page.
 */
function prepareQueue(db: Db, shape: QueueShape) {
  const p = {
    accountId: sql.placeholder('accountId'),
    stepId: sql.placeholder('stepId'),
    search: sql.placeholder('search'),
    limit: sql.placeholder('limit'),
    offset: sql.placeholder('offset'),
  };
  const where: SQL[] = [eq(t.messages.status, 'pending_approval')];
  if (shape.accountId) where.push(eq(t.messages.accountId, p.accountId));
  if (shape.stepId) where.push(eq(t.messages.stepId, p.stepId));
  if (shape.sensitive !== undefined) where.push(shape.sensitive ? sql`cardinality(${t.messages.sensitiveReasons}) > 0` : sql`cardinality(${t.messages.sensitiveReasons}) = 0`);
  if (shape.search) where.push(ilike(t.accounts.name, p.search));
  const dir = shape.order === 'asc' ? asc : desc;
  const key = shape.sort === 'amount' ? t.messages.amountCents : shape.sort === 'risk' ? risk : t.messages.createdAt;
  // The page's own rows, read while walking the index; only these are joined and scored.
  const pageColumns = { ...listMessage, accountId: t.messages.accountId, factCheck: t.messages.factCheck };
  const chosen = (shape.search
    ? db.select(pageColumns).from(t.messages).innerJoin(t.accounts, eq(t.accounts.id, t.messages.accountId))
    : db.select(pageColumns).from(t.messages)
  )
    .where(and(...where))
    .orderBy(dir(key), asc(t.messages.id))
    .limit(p.limit)
    .offset(p.offset)
    .as('chosen');
  const outerKey = shape.sort === 'amount' ? chosen.amountCents : shape.sort === 'risk' ? riskOf(chosen) : chosen.createdAt;
  // Flat, uniquely named columns: drizzle builds the statement, the driver runs it (see ListRow).
  const { factCheck: _notListed, ...chosenFields } = chosen._.selectedFields;
  const page = db
    .select({
      ...chosenFields,
      name: t.accounts.name,
      segment: t.accounts.segment,
      mode: t.accounts.mode,
      passed: factCheckPassedOf(chosen.factCheck).as('passed'),
      risk: riskOf(chosen).as('risk'),
    })
    .from(chosen)
    .innerJoin(t.accounts, eq(t.accounts.id, chosen.accountId))
    .orderBy(dir(outerKey), asc(chosen.id))
    .toSQL();
  // The account join filters nothing (account_id is a non-null foreign key) unless searching by name.
  const counted = (shape.search ? db.select({ n: sql<number>`count(*)::int`.as('n') }).from(t.messages).innerJoin(t.accounts, eq(t.accounts.id, t.messages.accountId)) : db.select({ n: sql<number>`count(*)::int`.as('n') }).from(t.messages))
    .where(and(...where))
    .toSQL();
  return { listPage: onDriver<ListRow>(page), count: onDriver<{ n: number }>(counted) };
}

/** A statement drizzle built once, run by the driver (prepared) on the pool or inside a transaction. */
function onDriver<Row>(built: { sql: string; params: unknown[] }) {
  return (driver: postgres.Sql | postgres.TransactionSql, values: Record<string, unknown>) =>
    driver.unsafe<Row[]>(built.sql, fillPlaceholders(built.params, values) as never[], { prepare: true });
}

/**
 * A list row as the driver returns it. Mapping fifty rows of nested objects through drizzle took a
 * fifth of the API's CPU under load, so this one statement is run by the driver directly (prepared, as
 * drizzle would) and read here. drizzle asks the driver to leave timestamps as PostgreSQL's text.
 */
interface ListRow {
  id: string;
  step_id: string;
  channel: t.Message['channel'];
  subject: string;
  tone: t.Message['tone'];
  amount_cents: string;
  days_overdue: number;
  sensitive_reasons: string[];
  created_at: string;
  escalated_at: string | null;
  source: t.Message['source'];
  account_id: string;
  name: string;
  segment: t.Account['segment'];
  mode: t.Account['mode'];
  passed: boolean;
  risk: number;
}

function fromListRow(r: ListRow): { m: ListMessage; a: ListAccount; risk: number; passed: boolean } {
  return {
    m: {
      id: r.id,
      stepId: r.step_id,
      channel: r.channel,
      subject: r.subject,
      tone: r.tone,
      amountCents: Number(r.amount_cents),
      daysOverdue: r.days_overdue,
      sensitiveReasons: r.sensitive_reasons,
      createdAt: new Date(r.created_at),
      escalatedAt: r.escalated_at === null ? null : new Date(r.escalated_at),
      source: r.source,
    },
    a: { id: r.account_id, name: r.name, segment: r.segment, mode: r.mode },
    risk: r.risk,
    passed: r.passed,
  };
}

/** When the first of these rows' "minutes waiting" ticks over, seen from `at`; a kept page is not served past it. */
function nextMinuteChange(rows: ListRow[], at: number): number {
  let next = at + 60_000;
  for (const r of rows) {
    const created = Date.parse(r.created_at);
    const flip = at < created ? created + 60_000 : created + (Math.floor((at - created) / 60_000) + 1) * 60_000;
    if (flip < next) next = flip;
  }
  return next;
}

const shapesOf = perDatabase((_db: Db) => new Map<string, ReturnType<typeof prepareQueue>>());
function preparedFor(db: Db, shape: QueueShape) {
  const byShape = shapesOf(db);
  let statements = byShape.get(shape.key);
  if (!statements) byShape.set(shape.key, (statements = prepareQueue(db, shape)));
  return statements;
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
      const shape = queueShape(query);
      const values = {
        accountId: query.accountId,
        stepId: query.stepId,
        search: query.search === undefined ? undefined : `%${query.search.replace(/[\\%_]/g, '\\$&')}%`,
        limit: query.pageSize,
        offset: (query.page - 1) * query.pageSize,
      };
      const statements = preparedFor(deps.db.db, shape);
      const filter = shape.filterKey + JSON.stringify([query.accountId, query.stepId, query.search]);
      const { json, total } = await queuePage(deps.db.sql, `${shape.key}:${JSON.stringify(values)}`, filter, now.getTime(), {
        async items(tx, readAt) {
          const rows = await statements.listPage(tx, values);
          const at = new Date(readAt);
          return { json: JSON.stringify(rows.map((r) => queueItem(fromListRow(r), at))), validUntil: nextMinuteChange(rows, readAt) };
        },
        count: async (tx) => (await statements.count(tx, values))[0].n,
      });
      return new JsonText(`{"items":${json},"page":${query.page},"pageSize":${query.pageSize},"total":${total}}`);
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
      const statement = r.m.stepId === ANSWER_STEP_ID ? null : await statementFor(db, r.m, now);
      const [asked] =
        r.m.stepId === ANSWER_STEP_ID
          ? await db.select().from(t.replies).where(and(eq(t.replies.accountId, r.a.id), sql`${t.replies.id}::text = ${r.m.cycleKey}`))
          : [];
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
          sendNote: r.m.sendNote,
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
        statement,
        question: asked ? { replyId: asked.id, from: asked.fromEmail, subject: asked.subject, receivedAt: iso(asked.receivedAt), text: asked.visibleText } : null,
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

/**
 * The facts panel reads the same statement the draft was written from, at the moment it goes out (or
 * now, for a draft still waiting): the panel and the message cannot disagree about what is overdue or
 * whether this is the first contact.
 */
async function statementFor(db: Db, m: typeof t.messages.$inferSelect, now: Date): Promise<z.infer<typeof QueueDetail>['statement']> {
  const at = m.sentAt ?? m.scheduledFor ?? (m.status === 'pending_approval' ? now : m.createdAt);
  const loaded = await loadAccount(db, m.accountId, at);
  if (!loaded) return null;
  const sent = await db
    .select({ stepId: t.messages.stepId, cycleKey: t.messages.cycleKey, sentAt: t.messages.sentAt, subject: t.messages.subject })
    .from(t.messages)
    .where(and(eq(t.messages.accountId, m.accountId), eq(t.messages.status, 'sent'), sql`${t.messages.id} <> ${m.id}`));
  const step: PlannedStep = {
    stepId: m.stepId,
    kind: (loaded.policy.steps.find((s) => s.id === m.stepId)?.kind ?? 'first_reminder'),
    channel: 'email',
    tone: m.tone,
    cycleKey: m.cycleKey,
    invoiceIds: m.invoiceIds,
    balanceCents: m.amountCents,
    daysPastDue: 0,
    sensitiveReasons: [],
  };
  const st = buildStatement({
    facts: loaded.facts,
    step,
    now: at.toISOString(),
    payLink: payLinkFor(loaded.settings, m.accountId),
    sender: loaded.settings.sender_identity,
    earlierMessages: sent.filter((x) => x.sentAt && x.sentAt < at).map((x) => ({ stepId: x.stepId, cycleKey: x.cycleKey, sentAt: x.sentAt!.toISOString(), subject: x.subject })),
    rules: { requiresPayLink: false, allowsConsequences: false, statesInterruption: false },
    lateFees: loaded.settings.late_fees,
  });
  return {
    sendDate: st.sendDate,
    overdueCents: st.overdueCents,
    upcomingCents: st.upcomingCents,
    totalOwedCents: st.totalOwedCents,
    currency: st.locale.currency,
    firstContact: st.firstContact,
    messagesThisCycle: st.messagesThisCycle.length,
    invoices: st.invoices.map((i) => ({ id: i.id, state: i.state, daysPastDue: i.daysPastDue })),
  };
}
