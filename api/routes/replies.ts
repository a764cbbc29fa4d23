/**
 * The Replies view: every client reply with what it was understood as, the evidence and what Tactful
 * did, newest first; those waiting for a person counted; and a clerk's one click that turns a proposed
 * promise into a recorded one.
 */
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { confirmProposedPromise, markReplyHandled } from '../../db/replies';
import { LedgerError } from '../../db/ledger';
import * as t from '../../db/schema';
import { problemTypes } from '../../domain/api/problems';
import { ConfirmPromiseResponse, HandledRequest, HandledResponse, ReplyListQuery, ReplyPage, type ReplyItem } from '../../domain/api/replies';
import { HttpProblem, problems } from '../problems';
import { route } from '../routing';
import { assertAccountAccess, IdParams, iso, isoOrNull, signalFacts, userIdOf } from './support';

const item = (r: t.ReplyRow, accountName: string | null): ReplyItem => ({
  id: r.id,
  accountId: r.accountId,
  accountName,
  from: r.fromEmail,
  subject: r.subject,
  receivedAt: iso(r.receivedAt),
  kind: r.kind,
  confidence: r.confidence,
  evidence: r.evidence,
  details: r.details as Record<string, unknown>,
  flags: r.flags,
  match: r.matchQuality,
  knownSender: r.knownSender,
  action: (r.action as { type: string }).type,
  status: r.status,
  outcome: r.outcome,
  holdUntil: isoOrNull(r.holdUntil),
  answerText: r.answerText,
  text: r.visibleText,
  resolvedAt: isoOrNull(r.resolvedAt),
});

export const replyRoutes = [
  route({
    method: 'get',
    path: '/api/replies',
    summary: 'Client replies, newest first, with what each was understood as, its evidence and what was done; `waiting` counts those a person must look at',
    tag: 'replies',
    access: { kind: 'permission', permission: 'queue:read' },
    query: ReplyListQuery,
    response: ReplyPage,
    async handler({ deps, query }) {
      const db = deps.db.db;
      const where: SQL[] = [];
      if (query.status) where.push(eq(t.replies.status, query.status));
      if (query.accountId) where.push(eq(t.replies.accountId, query.accountId));
      const rows = await db
        .select({ r: t.replies, name: t.accounts.name })
        .from(t.replies)
        .leftJoin(t.accounts, eq(t.accounts.id, t.replies.accountId))
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(t.replies.receivedAt), desc(t.replies.id))
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      const [{ total }] = await db.select({ total: sql<number>`count(*)::int` }).from(t.replies).where(where.length ? and(...where) : undefined);
      const [{ waiting }] = await db.select({ waiting: sql<number>`count(*)::int` }).from(t.replies).where(inArray(t.replies.status, ['waiting', 'proposed']));
      return { items: rows.map((x) => item(x.r, x.name)), page: query.page, pageSize: query.pageSize, total, waiting };
    },
  }),
  route({
    method: 'post',
    path: '/api/replies/:id/confirm-promise',
    summary: "Confirm the promise a client's reply proposed: it is recorded and holds the escalation until its date plus the policy's grace",
    tag: 'replies',
    access: { kind: 'permission', permission: 'queue:decide' },
    params: IdParams,
    response: ConfirmPromiseResponse,
    async handler(ctx) {
      const { deps, params, actor, principal, wfActor } = ctx;
      const [r] = await deps.db.db.select({ accountId: t.replies.accountId }).from(t.replies).where(eq(t.replies.id, params.id));
      if (!r || !r.accountId) throw problems.notFound('This reply');
      await assertAccountAccess(ctx, r.accountId);
      let w;
      try {
        w = await confirmProposedPromise(deps.db.db, { replyId: params.id, userId: userIdOf(principal) }, actor);
      } catch (e) {
        if (e instanceof LedgerError && e.kind === 'conflict') throw new HttpProblem(409, problemTypes.alreadyDecided, 'Already decided', e.message);
        throw e;
      }
      const workflow = await signalFacts(deps, w.accountId, w.factsVersion, w.change, wfActor);
      return { accountId: w.accountId, factsVersion: w.factsVersion, workflow };
    },
  }),
  route({
    method: 'post',
    path: '/api/replies/:id/handled',
    summary: 'A person dealt with a reply waiting for one (answered it by phone or their own e-mail, checked it): it is done with their note, and counts as answered',
    tag: 'replies',
    access: { kind: 'permission', permission: 'queue:decide' },
    params: IdParams,
    body: HandledRequest,
    response: HandledResponse,
    async handler(ctx) {
      const { deps, params, body, actor, principal, now } = ctx;
      const [r] = await deps.db.db.select({ accountId: t.replies.accountId }).from(t.replies).where(eq(t.replies.id, params.id));
      if (!r) throw problems.notFound('This reply');
      if (r.accountId) await assertAccountAccess(ctx, r.accountId);
      try {
        const done = await markReplyHandled(deps.db.db, { replyId: params.id, note: body.note, userId: userIdOf(principal), now }, actor);
        return { id: done.id, status: 'done' as const, outcome: done.outcome };
      } catch (e) {
        if (e instanceof LedgerError && e.kind === 'conflict') throw new HttpProblem(409, problemTypes.alreadyDecided, 'Already decided', e.message);
        throw e;
      }
    },
  }),
];
