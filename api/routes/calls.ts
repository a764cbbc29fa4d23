/** The call list, call-prep sheets and call outcomes (through the workflow's logCallOutcome update). */
import { aliasedTable, and, asc, desc, eq, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import * as t from '../../db/schema';
import { CallClaimResponse, CallDetail, CallListQuery, CallOutcomeRequest, CallOutcomeResponse, CallPage } from '../../domain/api/calls';
import * as facts from '../../db/facts';
import type { CallOutcome } from '../../domain/messages';
import { problems } from '../problems';
import { promiseDateProblem } from '../../domain/dates';
import { route, type AuthedCtx } from '../routing';
import { IdParams, iso, isoOrNull } from './support';

const assignee = aliasedTable(t.users, 'assignee');
const attempts = sql<{ n: number; last: string | null }>`(
  select json_build_object('n', count(*), 'last', max(e.created_at)) from ${t.events} e
  where e.account_id = ${t.callTasks.accountId} and e.type = 'call.logged' and e.data->>'callTaskId' = ${t.callTasks.id}::text)`;
const primaryContact = sql<{ name: string; phone: string | null; email: string } | null>`(
  select json_build_object('name', c.name, 'phone', c.phone, 'email', c.email) from ${t.contacts} c
  where c.account_id = ${t.callTasks.accountId} order by c.is_primary desc, c.name limit 1)`;

function select(ctx: AuthedCtx<unknown, unknown, unknown>) {
  return ctx.deps.db.db
    .select({ c: t.callTasks, a: t.accounts, assigneeName: assignee.name, contact: primaryContact, attempts, total: sql<number>`count(*) over ()::int` })
    .from(t.callTasks)
    .innerJoin(t.accounts, eq(t.accounts.id, t.callTasks.accountId))
    .leftJoin(assignee, eq(assignee.id, t.callTasks.assignedTo));
}

type Row = Awaited<ReturnType<ReturnType<typeof select>['execute']>>[number];
const item = (r: Row) => ({
  id: r.c.id,
  accountId: r.a.id,
  accountName: r.a.name,
  balanceCents: r.a.balanceCents,
  stepId: r.c.stepId,
  status: r.c.status,
  dueAt: iso(r.c.dueAt),
  assignedTo: r.c.assignedTo,
  assignedToName: r.assigneeName ?? null,
  primaryContact: r.contact ? { name: r.contact.name, phone: r.contact.phone ?? null, email: r.contact.email } : null,
  outcome: r.c.outcome,
  completedAt: isoOrNull(r.c.completedAt),
  attempts: Number(r.attempts?.n ?? 0),
  lastAttemptAt: r.attempts?.last ? new Date(r.attempts.last).toISOString() : null,
});

/** A caller works their own calls and unassigned ones; everyone else with the permission may work any. */
async function taskFor(ctx: AuthedCtx<unknown, unknown, unknown>, id: string): Promise<Row> {
  const [r] = await select(ctx).where(eq(t.callTasks.id, id));
  if (!r) throw problems.notFound('This call');
  const p = ctx.principal;
  if (p.kind === 'user' && p.role === 'caller' && r.c.assignedTo !== null && r.c.assignedTo !== p.id)
    await ctx.refuse('this call is assigned to another caller', r.a.id);
  return r;
}

export const callRoutes = [
  route({
    method: 'get',
    path: '/api/calls',
    summary: 'The call list: open calls (due now, or mine), soonest first',
    tag: 'calls',
    access: { kind: 'permission', permission: 'calls:read' },
    query: CallListQuery,
    response: CallPage,
    async handler(ctx) {
      const { query, principal, now } = ctx;
      const where: SQL[] = [eq(t.callTasks.status, query.status)];
      if (query.due) where.push(lte(t.callTasks.dueAt, now));
      const me = principal.kind === 'user' ? principal.id : null;
      if (query.mine && me) where.push(eq(t.callTasks.assignedTo, me));
      if (principal.kind === 'user' && principal.role === 'caller') where.push(or(eq(t.callTasks.assignedTo, principal.id), isNull(t.callTasks.assignedTo))!);
      const rows = await select(ctx)
        .where(and(...where))
        .orderBy(query.status === 'open' ? asc(t.callTasks.dueAt) : desc(t.callTasks.completedAt), asc(t.callTasks.id))
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      return { items: rows.map(item), page: query.page, pageSize: query.pageSize, total: rows[0]?.total ?? 0 };
    },
  }),
  route({
    method: 'get',
    path: '/api/calls/:id',
    summary: 'One call with its latest call-prep sheet',
    tag: 'calls',
    access: { kind: 'permission', permission: 'calls:read' },
    params: IdParams,
    response: CallDetail,
    async handler(ctx) {
      const r = await taskFor(ctx, ctx.params.id);
      const [sheet] = await ctx.deps.db.db
        .select()
        .from(t.callSheets)
        .where(eq(t.callSheets.callTaskId, r.c.id))
        .orderBy(desc(t.callSheets.version))
        .limit(1);
      return {
        task: { ...item(r), outcomeNotes: r.c.outcomeNotes, promisedDate: r.c.promisedDate },
        sheet: sheet ? { version: sheet.version, source: sheet.source, createdAt: iso(sheet.createdAt), sheet: sheet.sheet } : null,
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/calls/:id/outcome',
    summary: 'Log how a call went: promise (with date), dispute, no answer, wrong number',
    tag: 'calls',
    access: { kind: 'permission', permission: 'calls:log' },
    params: IdParams,
    body: CallOutcomeRequest,
    response: CallOutcomeResponse,
    async handler(ctx) {
      if (ctx.body.outcome === 'promise') {
        const dateProblem = promiseDateProblem(ctx.body.promisedDate, ctx.now.toISOString().slice(0, 10));
        if (dateProblem) throw problems.validation(`body.promisedDate: ${dateProblem}`, [{ path: ['body', 'promisedDate'], message: dateProblem }]);
      }
      const r = await taskFor(ctx, ctx.params.id);
      if (r.c.status !== 'open') throw problems.conflict(`This call is already ${r.c.status}${r.c.outcome ? ` (${r.c.outcome.replace('_', ' ')})` : ''}.`);
      const outcome = { ...ctx.body, callTaskId: r.c.id, actor: ctx.wfActor } as CallOutcome;
      return ctx.deps.temporal.logCallOutcome(r.a.id, outcome);
    },
  }),
  route({
    method: 'post',
    path: '/api/calls/:id/claim',
    summary: 'Put an open, unassigned call on my list; answers 409 if someone else has it',
    tag: 'calls',
    access: { kind: 'permission', permission: 'calls:log' },
    params: IdParams,
    response: CallClaimResponse,
    async handler(ctx) {
      const p = ctx.principal;
      if (p.kind !== 'user') throw problems.conflict('Only a person can claim a call.');
      const r = await taskFor(ctx, ctx.params.id);
      if (r.c.status !== 'open') throw problems.conflict(`This call is already ${r.c.status}.`);
      // The guard in the update, not a read before it, decides a race between two callers.
      const claimed = await facts.claimCall(ctx.deps.db.db, { accountId: r.a.id, callTaskId: r.c.id, userId: p.id, wasAssignedTo: r.c.assignedTo }, ctx.actor);
      if (!claimed) {
        const [now] = await select(ctx).where(eq(t.callTasks.id, r.c.id));
        throw problems.conflict(`${now?.assigneeName ?? 'Someone else'} has already claimed this call.`);
      }
      return { callTaskId: r.c.id, assignedTo: p.id, assignedToName: p.name ?? null };
    },
  }),
  route({
    method: 'post',
    path: '/api/calls/:id/release',
    summary: 'Hand a call I claimed back to everyone (managers may release anyone’s)',
    tag: 'calls',
    access: { kind: 'permission', permission: 'calls:log' },
    params: IdParams,
    response: CallClaimResponse,
    async handler(ctx) {
      const p = ctx.principal;
      const r = await taskFor(ctx, ctx.params.id);
      if (r.c.status !== 'open') throw problems.conflict(`This call is already ${r.c.status}.`);
      if (r.c.assignedTo === null) return { callTaskId: r.c.id, assignedTo: null, assignedToName: null };
      const mayReleaseOthers = p.kind === 'user' && (p.role === 'manager' || p.role === 'admin');
      if (p.kind !== 'user' || (r.c.assignedTo !== p.id && !mayReleaseOthers)) await ctx.refuse('this call is claimed by another caller', r.a.id);
      await facts.releaseCall(ctx.deps.db.db, { accountId: r.a.id, callTaskId: r.c.id, from: r.c.assignedTo, fromName: r.assigneeName }, ctx.actor);
      return { callTaskId: r.c.id, assignedTo: null, assignedToName: null };
    },
  }),
];
