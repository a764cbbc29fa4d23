/**
 * Server-sent events for the command center's live feed. Polls the append-only events table by id,
 * so it works across API processes and resumes from `Last-Event-ID` after a reconnect.
 */
import { and, eq, gt, desc, asc, notLike, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import * as t from '../../db/schema';
import { authenticate, type Principal } from '../auth/principal';
import { roleCan } from '../auth/permissions';
import { route } from '../routing';
import { isDatabaseDown } from '../problems';

const BATCH = 200;

/**
 * Sign-ins, refusals, users, tokens and suppressed-audit notes carry addresses and typed e-mails:
 * only those who manage users see them in the feed (the full trail stays in the events table).
 */
const SECURITY_EVENT_PREFIXES = ['auth.', 'authz.', 'token.', 'user.', 'audit.'];

function visibleTo(principal: Principal): SQL | undefined {
  if (principal.kind === 'user' && roleCan(principal.role, 'users:manage')) return undefined;
  return and(...SECURITY_EVENT_PREFIXES.map((p) => notLike(t.events.type, `${p}%`)));
}

export const streamRoutes = [
  route({
    method: 'get',
    path: '/api/stream',
    summary: 'Live activity as server-sent events (event `activity`, data = StreamEvent)',
    tag: 'metrics',
    access: { kind: 'permission', permission: 'stream:read' },
    query: z.strictObject({ since: z.coerce.number().int().min(0).optional() }),
    raw: true,
    async handler({ deps, req, res, query, principal }) {
      const db = deps.db.db;
      const visible = visibleTo(principal);
      const select = (where?: SQL) =>
        db
          .select({ e: t.events, accountName: t.accounts.name })
          .from(t.events)
          .leftJoin(t.accounts, eq(t.accounts.id, t.events.accountId))
          .where(and(visible, where));
      const lastHeader = Number(req.get('last-event-id'));
      let last = Number.isSafeInteger(lastHeader) && lastHeader >= 0 ? lastHeader : query.since;
      type Row = Awaited<ReturnType<ReturnType<typeof select>['execute']>>[number];
      let initial: Row[] = [];
      if (last === undefined) {
        // A fresh page gets the recent past, so the feed is not empty until something happens.
        initial = (await select().orderBy(desc(t.events.id)).limit(20)).reverse();
        last = initial.at(-1)?.e.id ?? 0;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.write('retry: 3000\n\n');
      const send = (rows: Row[]) => {
        for (const r of rows) {
          const facts = (r.e.data ?? {}) as Record<string, unknown>;
          const text = (v: unknown) => (typeof v === 'string' ? v : null);
          const data = {
            id: r.e.id,
            accountId: r.e.accountId,
            accountName: r.accountName ?? null,
            type: r.e.type,
            actorName: r.e.actorName,
            createdAt: r.e.createdAt.toISOString(),
            messageId: text(facts.messageId),
            reason: text(facts.reason),
          };
          res.write(`id: ${r.e.id}\nevent: activity\ndata: ${JSON.stringify(data)}\n\n`);
          last = r.e.id;
        }
      };
      send(initial);
      let ticks = 0;
      let busy = false;
      const timer = setInterval(async () => {
        if (busy) return;
        busy = true;
        try {
          ticks++;
          // A session that ended (logout, timeout, role change) also ends its stream.
          if (ticks % 30 === 0) {
            const auth = await authenticate(req, db, deps.config, deps.clock());
            if (!auth.principal) return stop();
          }
          send(await select(gt(t.events.id, last ?? 0)).orderBy(asc(t.events.id)).limit(BATCH));
          if (ticks % 15 === 0) res.write(': keep-alive\n\n');
        } catch (err) {
          // PostgreSQL may be briefly away; the stream stays open and catches up from `last`.
          if (!isDatabaseDown(err)) deps.logger.warn({ err }, 'activity stream poll failed');
        } finally {
          busy = false;
        }
      }, deps.config.streamPollMs);
      const stop = () => {
        clearInterval(timer);
        res.end();
      };
      req.on('close', () => clearInterval(timer));
    },
  }),
];
