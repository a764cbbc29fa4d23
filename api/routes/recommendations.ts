/**
 * Service pauses and collections referrals, recommended by the policy (the workflow records them) and
 * decided by a manager. Approving a service pause records the decision for the MSP to act on (it
 * suspends the client's services; Tactful's own follow-up continues). Approving a collections referral
 * also puts the paper trail's summary on the record as `collections.referred`.
 */
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import * as facts from '../../db/facts';
import * as t from '../../db/schema';
import { problemTypes } from '../../domain/api/problems';
import {
  RecommendationDecisionRequest,
  RecommendationDecisionResponse,
  RecommendationListQuery,
  RecommendationPage,
  type RecommendationItem,
} from '../../domain/api/recommendations';
import type { Executor } from '../../db/facts';
import { HttpProblem } from '../problems';
import { route } from '../routing';
import { IdParams, iso, isoOrNull } from './support';

const decider = alias(t.users, 'decider');
const acc = t.accounts.id;
const trail = {
  openInvoices: sql<number>`(select count(*)::int from ${t.invoices} i where i.account_id = ${acc} and i.status = 'open' and i.balance_cents > 0)`,
  oldestDueDate: sql<string | null>`(select min(i.due_date)::text from ${t.invoices} i where i.account_id = ${acc} and i.status = 'open' and i.balance_cents > 0)`,
  messagesSent: sql<number>`(select count(*)::int from ${t.messages} m where m.account_id = ${acc} and m.status = 'sent')`,
  callsLogged: sql<number>`(select count(*)::int from ${t.callTasks} c where c.account_id = ${acc} and c.status = 'done')`,
  promisesBroken: sql<number>`(select count(*)::int from ${t.promises} p where p.account_id = ${acc} and p.status = 'broken')`,
  disputesOpened: sql<number>`(select count(*)::int from ${t.disputes} d where d.account_id = ${acc})`,
};

type Row = { r: typeof t.recommendations.$inferSelect; a: t.Account; decidedBy: string | null } & { [K in keyof typeof trail]: (typeof trail)[K]['_']['type'] };

const daysSince = (date: string | null, now: Date) => (date ? Math.max(0, Math.floor((now.getTime() - Date.parse(`${date}T00:00:00Z`)) / 86_400_000)) : 0);

function item(row: Row, now: Date): RecommendationItem {
  return {
    id: row.r.id,
    accountId: row.a.id,
    accountName: row.a.name,
    kind: row.r.kind,
    status: row.r.status,
    balanceCents: row.r.balanceCents,
    daysOverdue: row.r.daysOverdue,
    createdAt: iso(row.r.createdAt),
    decidedAt: isoOrNull(row.r.decidedAt),
    decidedBy: row.decidedBy,
    reason: row.r.reason,
    paperTrail: {
      balanceCents: row.a.balanceCents,
      openInvoices: row.openInvoices,
      oldestDueDate: row.oldestDueDate,
      daysOverdue: daysSince(row.oldestDueDate, now),
      messagesSent: row.messagesSent,
      callsLogged: row.callsLogged,
      promisesBroken: row.promisesBroken,
      disputesOpened: row.disputesOpened,
    },
  };
}

const select = (db: Executor) =>
  db
    .select({ r: t.recommendations, a: t.accounts, decidedBy: decider.name, ...trail })
    .from(t.recommendations)
    .innerJoin(t.accounts, eq(t.accounts.id, t.recommendations.accountId))
    .leftJoin(decider, eq(decider.id, t.recommendations.decidedBy));

export const recommendationRoutes = [
  route({
    method: 'get',
    path: '/api/recommendations',
    summary: 'Service pauses and collections referrals (pending by default), oldest first, with each account’s paper trail',
    tag: 'recommendations',
    access: { kind: 'permission', permission: 'recommendations:read' },
    query: RecommendationListQuery,
    response: RecommendationPage,
    async handler({ deps, query, now }) {
      const where: SQL[] = [eq(t.recommendations.status, query.status)];
      if (query.kind) where.push(eq(t.recommendations.kind, query.kind));
      if (query.accountId) where.push(eq(t.recommendations.accountId, query.accountId));
      const rows = await select(deps.db.db)
        .where(and(...where))
        .orderBy(query.status === 'pending' ? asc(t.recommendations.createdAt) : desc(t.recommendations.decidedAt), asc(t.recommendations.id))
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      const [{ total }] = await deps.db.db.select({ total: sql<number>`count(*)::int` }).from(t.recommendations).where(and(...where));
      return { items: rows.map((r) => item(r as Row, now)), page: query.page, pageSize: query.pageSize, total };
    },
  }),
  route({
    method: 'post',
    path: '/api/recommendations/:id/decision',
    summary: 'Approve or decline a service pause or collections referral, with the reason (managers)',
    tag: 'recommendations',
    access: { kind: 'permission', permission: 'recommendations:decide' },
    params: IdParams,
    body: RecommendationDecisionRequest,
    response: RecommendationDecisionResponse,
    async handler({ deps, params, body, actor, principal, now }) {
      try {
        await facts.decideRecommendation(
          deps.db.db,
          {
            recommendationId: params.id,
            decision: body.decision,
            reason: body.reason,
            userId: principal.kind === 'user' ? principal.id : null,
            now,
            paperTrail: async (tx) => item((await select(tx).where(eq(t.recommendations.id, params.id)))[0] as Row, now).paperTrail,
          },
          actor,
        );
      } catch (e) {
        if (e instanceof facts.RecommendationDecided) throw new HttpProblem(409, problemTypes.alreadyDecided, 'Already decided', e.message);
        throw e;
      }
      const [after] = await select(deps.db.db).where(eq(t.recommendations.id, params.id));
      return item(after as Row, now);
    },
  }),
];
