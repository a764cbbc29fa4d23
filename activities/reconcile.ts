/** The reconciler's one side effect: re-signal accounts whose workflow has not seen their latest facts. */
import { and, gt, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import * as t from '../db/schema';

export interface AccountSignaller {
  /** Signal-with-start `factsChanged` to the account's workflow. */
  factsChanged(accountId: string, factsVersion: number): Promise<void>;
}

export function createReconcileActivities({ db, signaller, clock = () => new Date() }: { db: Db; signaller: AccountSignaller; clock?: () => Date }) {
  return {
    async resignalDrifted(input: { graceSeconds: number; limit: number }): Promise<{ signalled: number }> {
      const cutoff = new Date(clock().getTime() - input.graceSeconds * 1000);
      const drifted = await db
        .select({ id: t.accounts.id, v: t.accounts.factsVersion })
        .from(t.accounts)
        .where(and(gt(t.accounts.factsVersion, t.accounts.workflowSeenVersion), lt(t.accounts.updatedAt, cutoff)))
        .orderBy(sql`${t.accounts.updatedAt}`)
        .limit(input.limit);
      for (const a of drifted) await signaller.factsChanged(a.id, a.v);
      return { signalled: drifted.length };
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
