/**
 * Re-signals accounts whose workflow has not seen their latest facts — what a crash, or Temporal being
 * down when the API wrote a fact, left behind. Safe to run in every API process: the signal carries the
 * facts version, so a duplicate only makes the workflow reload facts it already has.
 */
import { and, gt, lt, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client';
import * as t from '../db/schema';
import type { WorkflowGateway } from './gateway';

export function startReconciler(deps: { db: Database; temporal: WorkflowGateway; logger: Logger; clock: () => Date }, intervalMs: number): { stop(): void; runOnce(): Promise<number> } {
  const runOnce = async () => {
    // Give the API's own signal a moment before stepping in.
    const settled = new Date(deps.clock().getTime() - 30_000);
    const rows = await deps.db.db
      .select({ id: t.accounts.id, v: t.accounts.factsVersion })
      .from(t.accounts)
      .where(and(gt(t.accounts.factsVersion, t.accounts.workflowSeenVersion), lt(t.accounts.updatedAt, settled)))
      .orderBy(sql`${t.accounts.updatedAt}`)
      .limit(500);
    let sent = 0;
    for (const r of rows) {
      try {
        await deps.temporal.factsChanged(r.id, { factsVersion: r.v, change: 'reconcile' });
        sent++;
      } catch (err) {
        deps.logger.warn({ err, accountId: r.id }, 'reconciler could not signal; will retry');
        break;
      }
    }
    return sent;
  };
  let running = false;
  const timer = intervalMs > 0
    ? setInterval(() => {
        if (running) return;
        running = true;
        runOnce()
          .catch((err) => deps.logger.warn({ err }, 'reconcile pass failed'))
          .finally(() => {
            running = false;
          });
      }, intervalMs)
    : null;
  timer?.unref();
  return { stop: () => timer && clearInterval(timer), runOnce };
}
