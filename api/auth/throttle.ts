/**
 * Sign-in throttling per account and per address, in PostgreSQL so every API process shares it.
 * Only failures count. After `limit` failures in the window the key is locked for a minute, and each
 * further lockout doubles that (to a day at most); a day without a lockout forgets the history. The
 * lockout itself is one audit row; the refused attempts while locked write none, so a flood cannot
 * fill the events table.
 */
import { and, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { appendEvent } from '../../db/events';
import * as t from '../../db/schema';
import type { ApiConfig } from '../config';

const MAX_LOCK_MS = 24 * 3_600_000;
const FORGET_AFTER_MS = 24 * 3_600_000;

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const ipKey = (ip: string | null | undefined) => `ip:${ip ?? 'unknown'}`;

/** When the first of the keys that is locked opens again, or null when none is. */
export async function lockedUntil(db: Db, keys: string[], now: Date): Promise<Date | null> {
  const rows = await db
    .select({ lockedUntil: t.loginThrottle.lockedUntil })
    .from(t.loginThrottle)
    .where(and(inArray(t.loginThrottle.key, keys), gt(t.loginThrottle.lockedUntil, now)));
  const until = rows.map((r) => r.lockedUntil!.getTime());
  return until.length ? new Date(Math.max(...until)) : null;
}

/**
 * Counts a failure against each key; locks a key that reached its limit. The count and the lockout are
 * single statements, so concurrent failures lock once and write one audit row.
 */
export async function recordFailure(
  db: Db,
  config: ApiConfig,
  keys: { key: string; limit: number }[],
  now: Date,
  detail: { email: string; ip: string | null },
): Promise<void> {
  // Raw SQL parameters must be strings: the driver does not encode a Date inside sql``.
  const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const windowStart = ts(new Date(now.getTime() - config.loginRateLimit.windowMs));
  const forgetBefore = ts(new Date(now.getTime() - FORGET_AFTER_MS));
  const at = ts(now);
  const base = config.loginRateLimit.lockoutMs ?? 60_000;
  for (const { key, limit } of keys) {
    const [row] = await db
      .insert(t.loginThrottle)
      .values({ key, failures: 1, windowStartedAt: now, updatedAt: now })
      .onConflictDoUpdate({
        target: t.loginThrottle.key,
        set: {
          // Attempts that raced past the lock check while it was being set do not count towards the next one.
          failures: sql`case when ${t.loginThrottle.lockedUntil} > ${at} then ${t.loginThrottle.failures} when ${t.loginThrottle.windowStartedAt} < ${windowStart} then 1 else ${t.loginThrottle.failures} + 1 end`,
          windowStartedAt: sql`case when ${t.loginThrottle.windowStartedAt} < ${windowStart} then ${at} else ${t.loginThrottle.windowStartedAt} end`,
          lockouts: sql`case when ${t.loginThrottle.updatedAt} < ${forgetBefore} then 0 else ${t.loginThrottle.lockouts} end`,
          updatedAt: now,
        },
      })
      .returning();
    if (row.failures < limit) continue;
    // Only the statement that finds the count still at the limit locks, so a burst locks once.
    const [locked] = await db
      .update(t.loginThrottle)
      .set({
        failures: 0,
        windowStartedAt: now,
        lockouts: sql`${t.loginThrottle.lockouts} + 1`,
        lockedUntil: sql`${at} + least(${base}::bigint * power(2, least(${t.loginThrottle.lockouts}, 20))::bigint, ${MAX_LOCK_MS}::bigint) * interval '1 millisecond'`,
      })
      .where(sql`${t.loginThrottle.key} = ${key} and ${t.loginThrottle.failures} >= ${limit} and (${t.loginThrottle.lockedUntil} is null or ${t.loginThrottle.lockedUntil} <= ${at})`)
      .returning();
    if (!locked) continue;
    await appendEvent(db, {
      type: 'auth.locked_out',
      actor: { type: 'client', name: key.startsWith('account:') ? detail.email : detail.ip },
      data: { key, lockedUntil: locked.lockedUntil!.toISOString(), lockouts: locked.lockouts, email: detail.email, ip: detail.ip },
    });
  }
}

/** A successful sign-in clears the account's failures (not the address's: others share it). */
export async function recordSuccess(db: Db, email: string): Promise<void> {
  await db.delete(t.loginThrottle).where(eq(t.loginThrottle.key, accountKey(email)));
}

/** An admin opens a locked account at once; answers whether it was locked. */
export async function unlockAccount(db: Db, email: string, now: Date): Promise<boolean> {
  const [r] = await db.delete(t.loginThrottle).where(eq(t.loginThrottle.key, accountKey(email))).returning();
  return Boolean(r?.lockedUntil && r.lockedUntil > now);
}
