/**
 * Accounts: the list and detail read PostgreSQL; every change is written through db/facts first
 * and then signalled to the account's workflow with the new facts version.
 */
import { and, asc, desc, eq, ilike, lt, sql, type SQL } from 'drizzle-orm';
import * as store from '../../db/facts';
import * as t from '../../db/schema';
import { nextAction, sensitiveReasonLabels, type SensitiveReason } from '../../domain/policy/next-action';
import { previewSchedule } from '../../domain/policy/preview';
import { stepKinds } from '../../domain/policy/schema';
import type { IdleReason } from '../../domain/policy/types';
import {
  AccountDetail,
  AccountListQuery,
  AccountLiveState,
  AccountPage,
  AccountPreviewQuery,
  AutonomousPreview,
  ModeRequest,
  NoteRequest,
  NoteResponse,
  OpenDisputeRequest,
  PauseRequest,
  PromiseRequest,
  ResolveDisputeRequest,
  ResumeRequest,
  TimelinePage,
  TimelineQuery,
} from '../../domain/api/accounts';
import { FactWriteResponse, Uuid } from '../../domain/api/common';
import { route } from '../routing';
import { accountFor, IdParams, iso, isoOrNull, signalFacts, userIdOf } from './support';
import { z } from 'zod';
import { WorkflowUnavailableError } from '../gateway';
import { problems } from '../problems';
import { promiseDateProblem } from '../../domain/dates';
import { payLinkFor, settingsFromRows } from '../../domain/settings';

/**
 * The outer account's id, always table-qualified: drizzle writes a bare `"id"` in single-table selects,
 * which inside these subqueries would mean the invoice's (or dispute's) own id and match nothing.
 */
const outerAccountId = sql`${t.accounts}.${sql.identifier(t.accounts.id.name)}`;
const oldestDue = sql<string | null>`(select min(i.due_date)::text from ${t.invoices} i where i.account_id = ${outerAccountId} and i.status = 'open' and i.balance_cents > 0)`;
const openInvoiceIds = sql`coalesce((select array_agg(i.id) from ${t.invoices} i where i.account_id = ${outerAccountId} and i.status = 'open' and i.balance_cents > 0), '{}')`;
const stepOrder = sql.raw(`array[${stepKinds.map((k) => `'${k}'`).join(', ')}]`);
/**
 * The furthest step the account has reached for what it owes now: a message sent, approved or waiting
 * about an open invoice, or a call made for it. The engine's own `stage` column only names a step
 * while it is acting, so a reminded account waiting for its next step read as "not started".
 */
export const reachedStage = sql<string | null>`coalesce((
  select s.step from (
    select m.step_id as step from ${t.messages} m
    where m.account_id = ${outerAccountId} and m.status in ('sent', 'approved', 'pending_approval') and m.invoice_ids && ${openInvoiceIds}
    union all
    select c.step_id from ${t.callTasks} c
    where c.account_id = ${outerAccountId} and c.status <> 'cancelled'
      and c.created_at >= (select min(i.due_date) from ${t.invoices} i where i.account_id = ${outerAccountId} and i.status = 'open' and i.balance_cents > 0)
  ) s order by array_position(${stepOrder}, s.step) desc nulls last limit 1), ${t.accounts}.${sql.identifier(t.accounts.stage.name)})`;
const disputeOpen = sql<boolean>`exists (select 1 from ${t.disputes} d where d.account_id = ${outerAccountId} and d.status = 'open')`;

const listItem = (a: t.Account, extra: { oldestDue: string | null; disputeOpen: boolean; stage?: string | null }) => ({
  id: a.id,
  externalRef: a.externalRef,
  name: a.name,
  segment: a.segment,
  mode: a.mode,
  paused: a.paused,
  balanceCents: a.balanceCents,
  stage: extra.stage === undefined ? a.stage : extra.stage,
  nextAction: a.nextAction,
  nextActionAt: isoOrNull(a.nextActionAt),
  oldestDueDate: extra.oldestDue,
  disputeOpen: Boolean(extra.disputeOpen),
});

const timelineItem = (e: t.EventRow) => ({
  id: e.id,
  type: e.type,
  actor: { type: e.actorType, id: e.actorId, name: e.actorName },
  data: (e.data ?? {}) as Record<string, unknown>,
  createdAt: iso(e.createdAt),
});

const write = { kind: 'permission' as const };

const idleNotes: Record<IdleReason, string> = {
  no_open_balance: 'Nothing is owed, so nothing would be sent.',
  dispute_open: 'A dispute is open: automation stays stopped until a person resolves it.',
  paused: 'Follow-up is paused for this account.',
  escalation_complete: 'Every step of the policy has already been taken for this cycle.',
  awaiting_decision: 'A draft is waiting for a decision.',
};

const reasonLabel = (r: string) => sensitiveReasonLabels[r as SensitiveReason] ?? r;

export const accountRoutes = [
  route({
    method: 'get',
    path: '/api/accounts',
    summary: 'Accounts with stage, next action, mode and balance',
    tag: 'accounts',
    access: { kind: 'permission', permission: 'accounts:read' },
    query: AccountListQuery,
    response: AccountPage,
    async handler({ deps, query, principal }) {
      const where: SQL[] = [];
      if (query.search) {
        const q = `%${query.search.replace(/[\\%_]/g, '\\$&')}%`;
        where.push(sql`(${ilike(t.accounts.name, q)} or ${ilike(t.accounts.externalRef, q)})`);
      }
      if (query.stage) where.push(sql`${reachedStage} = ${query.stage}`);
      if (query.mode) where.push(eq(t.accounts.mode, query.mode));
      if (query.segment) where.push(eq(t.accounts.segment, query.segment));
      // A caller's list is their call list's accounts; object rules apply to lists too.
      if (principal.kind === 'user' && principal.role === 'caller')
        where.push(sql`exists (select 1 from ${t.callTasks} c where c.account_id = ${t.accounts.id} and c.status = 'open' and (c.assigned_to = ${principal.id} or c.assigned_to is null))`);
      const dir = (query.order ?? (query.sort === 'balance' ? 'desc' : 'asc')) === 'asc' ? asc : desc;
      const key = query.sort === 'balance' ? t.accounts.balanceCents : query.sort === 'next_action' ? t.accounts.nextActionAt : t.accounts.name;
      const rows = await deps.db.db
        .select({ a: t.accounts, oldestDue, disputeOpen, stage: reachedStage, total: sql<number>`count(*) over ()::int` })
        .from(t.accounts)
        .where(where.length ? and(...where) : undefined)
        .orderBy(sql`${dir(key)} nulls last`, asc(t.accounts.id))
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      return { items: rows.map((r) => listItem(r.a, r)), page: query.page, pageSize: query.pageSize, total: rows[0]?.total ?? 0 };
    },
  }),
  route({
    method: 'get',
    path: '/api/accounts/:id',
    summary: 'One account: invoices, payments, promises, disputes, contacts and the latest timeline',
    tag: 'accounts',
    access: { kind: 'permission', permission: 'accounts:read' },
    params: IdParams,
    response: AccountDetail,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      const db = ctx.deps.db.db;
      const settings = settingsFromRows(await db.select().from(t.settings));
      const [[extra], contacts, invoices, payments, promises, disputes, events, recommendations] = await Promise.all([
        db.select({ oldestDue, disputeOpen, stage: reachedStage }).from(t.accounts).where(eq(t.accounts.id, acc.id)),
        db.select().from(t.contacts).where(eq(t.contacts.accountId, acc.id)).orderBy(desc(t.contacts.isPrimary), asc(t.contacts.name)),
        db.select().from(t.invoices).where(eq(t.invoices.accountId, acc.id)).orderBy(desc(t.invoices.dueDate), desc(t.invoices.number)),
        db
          .select({
            p: t.payments,
            applied: sql<string>`coalesce((select sum(a.amount_cents) from ${t.paymentAllocations} a where a.payment_id = ${t.payments.id}), 0)`,
          })
          .from(t.payments)
          .where(eq(t.payments.accountId, acc.id))
          .orderBy(desc(t.payments.receivedAt)),
        db.select().from(t.promises).where(eq(t.promises.accountId, acc.id)).orderBy(desc(t.promises.createdAt)),
        db.select().from(t.disputes).where(eq(t.disputes.accountId, acc.id)).orderBy(desc(t.disputes.openedAt)),
        db.select().from(t.events).where(eq(t.events.accountId, acc.id)).orderBy(desc(t.events.id)).limit(100),
        db
          .select()
          .from(t.recommendations)
          .where(and(eq(t.recommendations.accountId, acc.id), eq(t.recommendations.status, 'pending')))
          .orderBy(desc(t.recommendations.createdAt)),
      ]);
      return {
        account: {
          ...listItem(acc, extra),
          timeZone: acc.timeZone,
          paymentTermsDays: acc.paymentTermsDays,
          paymentMethod: acc.paymentMethod,
          clientSince: acc.clientSince,
          currency: acc.currency,
          factsVersion: acc.factsVersion,
          workflowSeenVersion: acc.workflowSeenVersion,
        },
        contacts: contacts.map((c) => ({ id: c.id, name: c.name, email: c.email, phone: c.phone, role: c.role, isPrimary: c.isPrimary })),
        invoices: invoices.map((i) => ({
          id: i.id,
          number: i.number,
          issueDate: i.issueDate,
          dueDate: i.dueDate,
          amountCents: i.amountCents,
          balanceCents: i.balanceCents,
          status: i.status,
          paidAt: isoOrNull(i.paidAt),
          payUrl: i.status === 'open' ? payLinkFor(settings.pay_link_template, { accountId: acc.id, invoiceNumber: i.number }) : null,
        })),
        payments: payments.map(({ p, applied }) => ({ id: p.id, kind: p.kind, amountCents: p.amountCents, receivedAt: iso(p.receivedAt), method: p.method, reference: p.reference, unappliedCents: p.amountCents - Number(applied), dated: p.dated })),
        promises: promises.map((p) => ({ id: p.id, promisedDate: p.promisedDate, amountCents: p.amountCents, status: p.status, createdAt: iso(p.createdAt) })),
        disputes: disputes.map((d) => ({ id: d.id, invoiceId: d.invoiceId, reason: d.reason, status: d.status, openedAt: iso(d.openedAt), resolvedAt: isoOrNull(d.resolvedAt), resolution: d.resolution })),
        timeline: events.map(timelineItem),
        recommendations: recommendations.map((r) => ({ id: r.id, kind: r.kind, status: r.status, balanceCents: r.balanceCents, daysOverdue: r.daysOverdue, createdAt: iso(r.createdAt) })),
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/accounts/:id/timeline',
    summary: "The account's paper trail, newest first",
    tag: 'accounts',
    access: { kind: 'permission', permission: 'accounts:read' },
    params: IdParams,
    query: TimelineQuery,
    response: TimelinePage,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      const rows = await ctx.deps.db.db
        .select()
        .from(t.events)
        .where(and(eq(t.events.accountId, acc.id), ctx.query.before ? lt(t.events.id, ctx.query.before) : undefined))
        .orderBy(desc(t.events.id))
        .limit(ctx.query.limit);
      return { items: rows.map(timelineItem), nextBefore: rows.length === ctx.query.limit ? rows[rows.length - 1].id : null };
    },
  }),
  route({
    method: 'get',
    path: '/api/accounts/:id/preview',
    summary: 'What the policy would send this account over the coming days in a mode (default: autonomous, 30 days), if nothing else changed',
    tag: 'accounts',
    access: { kind: 'permission', permission: 'accounts:preview' },
    params: IdParams,
    query: AccountPreviewQuery,
    response: AutonomousPreview,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      const loaded = await store.loadAccount(ctx.deps.db.db, acc.id, ctx.now);
      if (!loaded) throw problems.notFound('This account');
      const { mode, days } = ctx.query;
      const now = ctx.now.toISOString();
      const facts = { ...loaded.facts, mode };
      const items = previewSchedule({ policy: loaded.policy, facts, now, days, mode });
      const notes: string[] = [];
      const first = nextAction({ policy: loaded.policy, facts, now });
      if (first.type === 'idle') notes.push(idleNotes[first.reason]);
      if (first.type === 'wait' && first.reason === 'promise_open') notes.push(`Waiting on a promise to pay until ${first.until.slice(0, 10)}.`);
      for (const s of first.skipped) notes.push(`${s.stepId} is skipped: ${s.reason}.`);
      const [pending] = await ctx.deps.db.db
        .select({ stepId: t.messages.stepId })
        .from(t.messages)
        .where(and(eq(t.messages.accountId, acc.id), eq(t.messages.status, 'pending_approval')))
        .limit(1);
      if (pending) notes.push(`A ${pending.stepId} draft is already waiting in the queue; the preview assumes it is decided.`);
      if (items.length === 0 && first.type !== 'idle') notes.push(`Nothing would be sent in the next ${days} days.`);
      notes.push('Assumes no payment, reply or promise arrives in the meantime.');
      return {
        from: now,
        until: new Date(ctx.now.getTime() + days * 86_400_000).toISOString(),
        items: items.map((i) => ({
          at: i.at,
          stepId: i.stepId,
          channel: i.channel,
          tone: i.tone,
          amountCents: i.balanceCents,
          autonomous: !i.waitsForApproval,
          reasons: [...new Set([...i.sensitiveReasons.map(reasonLabel), ...(mode === 'copilot' ? ['Copilot mode: every message waits for approval'] : [])])],
          subject: null,
        })),
        notes,
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/accounts/:id/state',
    summary: "Live state from the account's workflow (query); says so when Temporal cannot be asked",
    tag: 'accounts',
    access: { kind: 'permission', permission: 'accounts:read' },
    params: IdParams,
    response: AccountLiveState,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      try {
        const state = await ctx.deps.temporal.state(acc.id);
        return state
          ? { available: true, state: state as unknown as Record<string, unknown> }
          : { available: true, state: null, message: 'No workflow is running for this account yet.' };
      } catch (err) {
        if (err instanceof WorkflowUnavailableError)
          return { available: false, state: null, message: 'The workflow engine is unreachable; the stored list columns are shown instead.' };
        throw err;
      }
    },
  }),
  route({
    method: 'post',
    path: '/api/accounts/:id/mode',
    summary: 'Switch between copilot and autonomous (managers)',
    tag: 'accounts',
    access: { ...write, permission: 'accounts:mode' },
    params: IdParams,
    body: ModeRequest,
    response: FactWriteResponse,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      const r = await store.withConflictRetry(() => store.setMode(ctx.deps.db.db, { accountId: acc.id, mode: ctx.body.mode, reason: ctx.body.reason }, ctx.actor));
      const workflow = r.changed ? await signalFacts(ctx.deps, acc.id, r.factsVersion, 'mode_changed', ctx.wfActor) : { signaled: false, message: 'Already in this mode.' };
      return { accountId: acc.id, factsVersion: r.factsVersion, workflow };
    },
  }),
  route({
    method: 'post',
    path: '/api/accounts/:id/pause',
    summary: 'Pause automatic follow-up for this account (managers)',
    tag: 'accounts',
    access: { ...write, permission: 'accounts:pause' },
    params: IdParams,
    body: PauseRequest,
    response: FactWriteResponse,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      const r = await store.withConflictRetry(() => store.setPaused(ctx.deps.db.db, { accountId: acc.id, paused: true, reason: ctx.body.reason }, ctx.actor));
      const workflow = r.changed ? await signalFacts(ctx.deps, acc.id, r.factsVersion, 'paused', ctx.wfActor) : { signaled: false, message: 'Already paused.' };
      return { accountId: acc.id, factsVersion: r.factsVersion, workflow };
    },
  }),
  route({
    method: 'post',
    path: '/api/accounts/:id/resume',
    summary: 'Resume automatic follow-up (managers)',
    tag: 'accounts',
    access: { ...write, permission: 'accounts:pause' },
    params: IdParams,
    body: ResumeRequest,
    response: FactWriteResponse,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      const r = await store.withConflictRetry(() => store.setPaused(ctx.deps.db.db, { accountId: acc.id, paused: false, reason: ctx.body.reason }, ctx.actor));
      const workflow = r.changed ? await signalFacts(ctx.deps, acc.id, r.factsVersion, 'resumed', ctx.wfActor) : { signaled: false, message: 'Not paused.' };
      return { accountId: acc.id, factsVersion: r.factsVersion, workflow };
    },
  }),
  route({
    method: 'post',
    path: '/api/accounts/:id/promises',
    summary: 'Record a promise to pay: escalation waits until the promised date plus grace',
    tag: 'accounts',
    access: { ...write, permission: 'accounts:promise' },
    params: IdParams,
    body: PromiseRequest,
    response: FactWriteResponse.extend({ promiseId: Uuid }),
    status: 201,
    async handler(ctx) {
      const dateProblem = promiseDateProblem(ctx.body.promisedDate, ctx.now.toISOString().slice(0, 10));
      if (dateProblem) throw problems.validation(`body.promisedDate: ${dateProblem}`, [{ path: ['body', 'promisedDate'], message: dateProblem }]);
      const acc = await accountFor(ctx, ctx.params.id);
      const r = await store.withConflictRetry(() => store.recordPromise(ctx.deps.db.db, { accountId: acc.id, ...ctx.body, userId: userIdOf(ctx.principal) }, ctx.actor));
      return { accountId: acc.id, factsVersion: r.factsVersion, promiseId: r.promiseId, workflow: await signalFacts(ctx.deps, acc.id, r.factsVersion, 'promise_recorded', ctx.wfActor) };
    },
  }),
  route({
    method: 'post',
    path: '/api/accounts/:id/disputes',
    summary: 'Open a dispute: automation stops for this account until it is resolved',
    tag: 'accounts',
    access: { ...write, permission: 'accounts:dispute' },
    params: IdParams,
    body: OpenDisputeRequest,
    response: FactWriteResponse.extend({ disputeId: Uuid }),
    status: 201,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      const r = await store.withConflictRetry(() => store.openDispute(ctx.deps.db.db, { accountId: acc.id, ...ctx.body, userId: userIdOf(ctx.principal) }, ctx.actor));
      return { accountId: acc.id, factsVersion: r.factsVersion, disputeId: r.disputeId, workflow: await signalFacts(ctx.deps, acc.id, r.factsVersion, 'dispute_opened', ctx.wfActor) };
    },
  }),
  route({
    method: 'post',
    path: '/api/accounts/:id/disputes/:disputeId/resolve',
    summary: 'Resolve the open dispute; automation resumes',
    tag: 'accounts',
    access: { ...write, permission: 'accounts:dispute' },
    params: z.strictObject({ id: Uuid, disputeId: Uuid }),
    body: ResolveDisputeRequest,
    response: FactWriteResponse,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      const r = await store.withConflictRetry(() => store.resolveDispute(ctx.deps.db.db, { accountId: acc.id, disputeId: ctx.params.disputeId, resolution: ctx.body.resolution, userId: userIdOf(ctx.principal) }, ctx.actor));
      return { accountId: acc.id, factsVersion: r.factsVersion, workflow: await signalFacts(ctx.deps, acc.id, r.factsVersion, 'dispute_resolved', ctx.wfActor) };
    },
  }),
  route({
    method: 'post',
    path: '/api/accounts/:id/notes',
    summary: "Add a note to the account's paper trail",
    tag: 'accounts',
    access: { ...write, permission: 'accounts:note' },
    params: IdParams,
    body: NoteRequest,
    response: NoteResponse,
    status: 201,
    async handler(ctx) {
      const acc = await accountFor(ctx, ctx.params.id);
      await store.addNote(ctx.deps.db.db, { accountId: acc.id, text: ctx.body.text }, ctx.actor);
      const [last] = await ctx.deps.db.db
        .select({ id: t.events.id })
        .from(t.events)
        .where(and(eq(t.events.accountId, acc.id), eq(t.events.type, 'note.added')))
        .orderBy(desc(t.events.id))
        .limit(1);
      return { accountId: acc.id, eventId: last?.id ?? null };
    },
  }),
];
