/**
 * The demo installation: one login per role, the default settings and policies, and the demo
 * portfolio (db/seed/portfolio.ts). `npm start` runs it on every start; it only writes into a
 * database that has no accounts yet, so a real portfolio is never touched.
 *
 * Also runnable on its own: `DATABASE_URL=… tsx db/seed.ts` (docker-compose does this).
 */
import * as argon2 from '@node-rs/argon2';
import { count, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { defaultBusinessHours } from '../domain/facts';
import { Settings, type Holidays } from '../domain/settings';
import { defaultPolicies } from '../domain/policy/default-policy';
import { openDatabase, type Database, type Db } from './client';
import { appendEvent, systemActor } from './events';
import * as schema from './schema';
import { buildPortfolio, demoProfiles } from './seed/portfolio';

export { demoProfiles };

export const DEMO_PASSWORD = 'tactful-demo';
export const demoUsers = [
  { role: 'admin', email: 'admin@tactful.local', name: 'Alex Morgan' },
  { role: 'manager', email: 'manager@tactful.local', name: 'Priya Raman' },
  { role: 'clerk', email: 'clerk@tactful.local', name: 'Jordan Lee' },
  { role: 'caller', email: 'caller@tactful.local', name: 'Sam Ortiz' },
  { role: 'viewer', email: 'viewer@tactful.local', name: 'Casey Brooks' },
] as const satisfies readonly { role: schema.User['role']; email: string; name: string }[];

const usFederalHolidays: Holidays = [
  ['2026-01-01', "New Year's Day"], ['2026-01-19', 'Martin Luther King Jr. Day'], ['2026-02-16', "Washington's Birthday"],
  ['2026-05-25', 'Memorial Day'], ['2026-06-19', 'Juneteenth'], ['2026-07-03', 'Independence Day (observed)'],
  ['2026-09-07', 'Labor Day'], ['2026-10-12', 'Columbus Day'], ['2026-11-11', 'Veterans Day'],
  ['2026-11-26', 'Thanksgiving Day'], ['2026-12-25', 'Christmas Day'],
  ['2027-01-01', "New Year's Day"], ['2027-01-18', 'Martin Luther King Jr. Day'], ['2027-02-15', "Washington's Birthday"],
  ['2027-05-31', 'Memorial Day'], ['2027-06-18', 'Juneteenth (observed)'], ['2027-07-05', 'Independence Day (observed)'],
  ['2027-09-06', 'Labor Day'], ['2027-10-11', 'Columbus Day'], ['2027-11-11', 'Veterans Day'],
  ['2027-11-25', 'Thanksgiving Day'], ['2027-12-24', 'Christmas Day (observed)'], ['2027-12-31', "New Year's Day 2028 (observed)"],
].map(([date, name]) => ({ date, name }));

export const demoSettings: Settings = Settings.parse({
  sender_identity: {
    name: 'Morgan Ellis',
    company: 'Northbridge IT Services',
    email: 'billing@example-msp.com',
    remittanceAddress: ['Northbridge IT Services', 'Attn: Accounts Receivable', '400 Commerce Way, Suite 210', 'Columbus, OH 43215'],
  },
  pay_link_template: 'https://pay.example-msp.com/i/{accountId}',
  business_hours: defaultBusinessHours,
  holidays: usFederalHolidays,
  collections_floor_cents: 75_000,
  // The demo agreement has no late-fee clause, so no demo message may mention one.
  late_fees: { kind: 'none' },
  observe_public_holidays: true,
} satisfies Settings);

export interface SeedResult {
  seeded: boolean;
  accounts: number;
  invoices: number;
  payments: number;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

async function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>, size = 500): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

async function accountCount(db: Pick<Db, 'select'>): Promise<number> {
  const [row] = await db.select({ n: count() }).from(schema.accounts);
  return row.n;
}

export async function seedDemo(database: Database, options: { now: Date }): Promise<SeedResult> {
  const { db } = database;
  const nothing: SeedResult = { seeded: false, accounts: 0, invoices: 0, payments: 0 };
  if ((await accountCount(db)) > 0) return nothing;

  // Hashing is deliberately slow; do it before taking the lock.
  const passwordHash = await argon2.hash(DEMO_PASSWORD);

  return db.transaction(async (tx: Tx) => {
    // Two processes starting at once (API and a seed script) must not both load the portfolio.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('tactful.seed'))`);
    if ((await accountCount(tx)) > 0) return nothing;

    await tx
      .insert(schema.users)
      .values(demoUsers.map((u) => ({ ...u, passwordHash })))
      .onConflictDoNothing();
    const users = await tx
      .select({ id: schema.users.id, email: schema.users.email })
      .from(schema.users)
      .where(inArray(schema.users.email, demoUsers.map((u) => u.email)));
    const idOf = (role: (typeof demoUsers)[number]['role']) => {
      const email = demoUsers.find((u) => u.role === role)!.email;
      const user = users.find((u) => u.email.toLowerCase() === email);
      if (!user) throw new Error(`demo user ${email} is missing after insert`);
      return user.id;
    };

    await tx
      .insert(schema.settings)
      .values(Object.entries(demoSettings).map(([key, value]) => ({ key, value })))
      .onConflictDoNothing();

    const [{ n: policyCount }] = await tx.select({ n: count() }).from(schema.policies);
    if (policyCount === 0) {
      await tx.insert(schema.policies).values(
        defaultPolicies.map((definition) => ({ name: definition.name, version: 1, definition, active: true, createdBy: idOf('admin') })),
      );
    }

    const today = options.now.toISOString().slice(0, 10);
    const p = buildPortfolio({ today, actors: { callerId: idOf('caller'), clerkId: idOf('clerk') } });
    await tx.insert(schema.accounts).values(p.accounts);
    await tx.insert(schema.contacts).values(p.contacts);
    await insertInChunks(p.invoices, (rows) => tx.insert(schema.invoices).values(rows));
    await insertInChunks(p.payments, (rows) => tx.insert(schema.payments).values(rows));
    await insertInChunks(p.allocations, (rows) => tx.insert(schema.paymentAllocations).values(rows));
    if (p.promises.length) await tx.insert(schema.promises).values(p.promises);
    if (p.disputes.length) await tx.insert(schema.disputes).values(p.disputes);

    for (const e of p.events) {
      const email = users.find((u) => u.id === e.actorId)?.email.toLowerCase();
      const name = demoUsers.find((u) => u.email === email)?.name;
      await appendEvent(tx, { accountId: e.accountId, type: e.type, actor: { type: 'user', id: e.actorId, name }, data: e.data });
    }
    const result: SeedResult = { seeded: true, accounts: p.accounts.length, invoices: p.invoices.length, payments: p.payments.length };
    await appendEvent(tx, {
      type: 'seed.loaded',
      actor: systemActor,
      data: { accounts: result.accounts, invoices: result.invoices, payments: result.payments, asOf: today, users: demoUsers.map((u) => u.email) },
    });
    return result;
  });
}

if (require.main === module) {
  const env = z.object({ DATABASE_URL: z.string().url() }).safeParse(process.env);
  if (!env.success) {
    console.error('DATABASE_URL is not set: `tsx db/seed.ts` needs the database to seed.');
    process.exit(1);
  }
  const database = openDatabase(env.data.DATABASE_URL, { max: 2 });
  seedDemo(database, { now: new Date() })
    .then((r) => console.log(r.seeded ? `seeded ${r.accounts} demo accounts, ${r.invoices} invoices, ${r.payments} payments` : 'accounts exist already: nothing seeded'))
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => database.close());
}
