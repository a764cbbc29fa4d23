/**
 * A new version of an escalation policy, and the re-plan it causes: every account with open invoices
 * gets a new facts version in the same transaction, so an account whose workflow the caller cannot
 * signal is still picked up by the worker's reconciler.
 */
import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { appendEvent, type EventActor } from '../events';
import * as t from '../schema';
import { defaultPolicies } from '../../domain/policy/default-policy';
import { diffSummary } from '../../domain/policy/diff';
import { PolicyDefinition } from '../../domain/policy/schema';

/** The edit was based on an older version than the newest one stored. */
export class PolicyVersionConflict extends Error {
  override readonly name = 'PolicyVersionConflict';
  constructor(
    readonly policy: string,
    readonly current: number,
    readonly basedOn: number | null,
  ) {
    super(`policy "${policy}" is at version ${current}, the edit was based on ${basedOn ?? 'no stored version'}`);
  }
}

export interface SavedPolicy {
  row: t.PolicyRow;
  /** Accounts told to re-plan, with their new facts version. */
  bumped: { id: string; v: number }[];
}

export async function savePolicyVersion(
  db: Db,
  input: { definition: PolicyDefinition; basedOnVersion: number | null; createdBy: string | null },
  actor: EventActor,
): Promise<SavedPolicy> {
  const { definition, basedOnVersion } = input;
  return db.transaction(async (tx) => {
    // One writer at a time per installation: saves are rare and the version check must not race.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('tactful:policies'))`);
    const [newest] = await tx.select().from(t.policies).where(eq(t.policies.name, definition.name)).orderBy(desc(t.policies.version)).limit(1);
    const current = newest?.version ?? 0;
    if ((basedOnVersion ?? 0) !== current) throw new PolicyVersionConflict(definition.name, current, basedOnVersion);
    const [{ stored }] = await tx.select({ stored: sql<number>`count(*)::int` }).from(t.policies);
    if (stored === 0) {
      // The engine uses only stored policies once any exists; keep the other built-ins in force.
      const others = defaultPolicies.filter((p) => p.name !== definition.name);
      if (others.length) await tx.insert(t.policies).values(others.map((p) => ({ name: p.name, version: 1, definition: p })));
    }
    const before = newest ? (PolicyDefinition.safeParse(newest.definition).data ?? null) : (defaultPolicies.find((p) => p.name === definition.name) ?? null);
    const [row] = await tx.insert(t.policies).values({ name: definition.name, version: current + 1, definition, createdBy: input.createdBy }).returning();
    // The account rows are locked in id order before they are changed: the lock order every writer follows.
    await tx.execute(sql`select id from ${t.accounts} a where exists (select 1 from ${t.invoices} i where i.account_id = a.id and i.status = 'open') order by id for update`);
    const bumped = await tx
      .update(t.accounts)
      .set({ factsVersion: sql`${t.accounts.factsVersion} + 1`, updatedAt: sql`now()` })
      .where(sql`exists (select 1 from ${t.invoices} i where i.account_id = ${t.accounts.id} and i.status = 'open')`)
      .returning({ id: t.accounts.id, v: t.accounts.factsVersion });
    await appendEvent(tx, {
      type: 'policy.changed',
      actor,
      data: { policyId: row.id, name: row.name, version: row.version, basedOnVersion, changes: diffSummary(before, definition), accountsReplanned: bumped.length },
    });
    return { row, bumped };
  });
}
