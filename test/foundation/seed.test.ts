/** The demo portfolio loads into a fresh database, tells the stories the walk-through relies on, and loads once. */
import * as argon2 from '@node-rs/argon2';
import { DEMO_PASSWORD, demoProfiles, demoUsers, seedDemo } from '../../db/seed';
import { createTestDatabase, type TestDatabase } from '../support/db';

const now = new Date('2026-11-25T15:00:00Z');
const today = '2026-11-25';

describe('seedDemo', () => {
  let t: TestDatabase;
  let firstRun: Awaited<ReturnType<typeof seedDemo>>;

  beforeAll(async () => {
    t = await createTestDatabase();
    firstRun = await seedDemo(t, { now });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const accountByName = async (name: string) => {
    const [a] = await t.sql`select * from accounts where name = ${name}`;
    expect(a).toBeDefined();
    return a;
  };

  it('loads about 60 MSP clients with contacts, across segments, modes and time zones', async () => {
    expect(firstRun.seeded).toBe(true);
    const [{ n }] = await t.sql`select count(*)::int as n from accounts`;
    expect(n).toBeGreaterThanOrEqual(55);
    expect(n).toBeLessThanOrEqual(65);
    const segments = await t.sql`select distinct segment from accounts`;
    expect(segments.map((r) => r.segment).sort()).toEqual(['key_account', 'long_term', 'new_client', 'sensitive', 'standard']);
    const modes = await t.sql`select mode, count(*)::int as n from accounts group by mode`;
    const byMode = Object.fromEntries(modes.map((r) => [r.mode, r.n]));
    expect(byMode.copilot).toBeGreaterThan(byMode.autonomous);
    expect(byMode.autonomous).toBeGreaterThan(0);
    const zones = (await t.sql`select distinct time_zone from accounts`).map((r) => r.time_zone as string);
    expect(zones.filter((z) => !z.startsWith('America/')).length).toBeGreaterThanOrEqual(1);
    expect(zones.length).toBeGreaterThanOrEqual(5);
    const [{ missing }] = await t.sql`
      select count(*)::int as missing from accounts a
      where not exists (select 1 from contacts c where c.account_id = a.id and c.is_primary and c.email like '%@%')`;
    expect(missing).toBe(0);
    const [{ v }] = await t.sql`select count(*)::int as v from accounts where facts_version <> 1`;
    expect(v).toBe(0);
  });

  it('has every named profile with the history its story needs', async () => {
    for (const name of Object.values(demoProfiles)) await accountByName(name);

    const longTerm = await accountByName(demoProfiles.longTermOnTime);
    expect(longTerm.segment).toBe('long_term');
    const [{ late }] = await t.sql`
      select count(*)::int as late from invoices where account_id = ${longTerm.id} and status = 'paid' and paid_at::date > due_date`;
    expect(late).toBe(0);

    const habitual = await accountByName(demoProfiles.habitualLatePayer);
    const [{ avg, paid }] = await t.sql`
      select avg(paid_at::date - due_date)::float as avg, count(*)::int as paid
      from invoices where account_id = ${habitual.id} and status = 'paid'`;
    expect(paid).toBeGreaterThanOrEqual(10);
    expect(avg).toBeGreaterThanOrEqual(25);
    expect(avg).toBeLessThanOrEqual(35);

    const newClient = await accountByName(demoProfiles.newClient);
    expect(newClient.segment).toBe('new_client');
    expect(newClient.client_since > '2026-08-01').toBe(true);

    expect((await accountByName(demoProfiles.keyAccount)).segment).toBe('key_account');
    expect((await accountByName(demoProfiles.sensitive)).segment).toBe('sensitive');
    expect((await accountByName(demoProfiles.ach)).payment_method).toBe('ach');
    expect((await accountByName(demoProfiles.card)).payment_method).toBe('card');
    expect((await accountByName(demoProfiles.check)).payment_method).toBe('check');

    const disputing = await accountByName(demoProfiles.disputing);
    const disputes = await t.sql`
      select d.status, i.status as invoice_status from disputes d join invoices i on i.id = d.invoice_id where d.account_id = ${disputing.id}`;
    expect(disputes).toEqual([{ status: 'open', invoice_status: 'open' }]);

    const promising = await accountByName(demoProfiles.promiseToPay);
    const promises = await t.sql`select status, promised_date from promises where account_id = ${promising.id}`;
    expect(promises).toHaveLength(1);
    expect(promises[0].status).toBe('open');
    expect(promises[0].promised_date > today).toBe(true);

    const collections = await accountByName(demoProfiles.collections);
    const [{ oldest }] = await t.sql`
      select max(${today}::date - due_date)::int as oldest from invoices where account_id = ${collections.id} and status = 'open'`;
    expect(oldest).toBeGreaterThan(90);
    expect(Number(collections.balance_cents)).toBeGreaterThan(75_000);
  });

  it('spreads open invoices from not yet due to 120 days overdue, with a year of paid history and some part payments', async () => {
    const [aging] = await t.sql`
      select count(*) filter (where due_date > ${today}::date)::int as not_due,
             count(*) filter (where ${today}::date - due_date between 1 and 30)::int as d30,
             count(*) filter (where ${today}::date - due_date between 31 and 90)::int as d90,
             count(*) filter (where ${today}::date - due_date between 91 and 120)::int as d120,
             count(*) filter (where ${today}::date - due_date > 120)::int as beyond
      from invoices where status = 'open'`;
    expect(aging.not_due).toBeGreaterThan(0);
    expect(aging.d30).toBeGreaterThan(0);
    expect(aging.d90).toBeGreaterThan(0);
    expect(aging.d120).toBeGreaterThan(0);
    expect(aging.beyond).toBe(0);

    const [history] = await t.sql`
      select count(*)::int as paid, (${now.toISOString()}::timestamptz - min(paid_at) > interval '300 days') as "yearBack"
      from invoices where status = 'paid'`;
    expect(history.paid).toBeGreaterThan(400);
    expect(history.yearBack).toBe(true);
    const [{ missingPaidAt }] = await t.sql`
      select count(*)::int as "missingPaidAt" from invoices where status = 'paid' and (paid_at is null or balance_cents <> 0)`;
    expect(missingPaidAt).toBe(0);

    const [{ partial }] = await t.sql`
      select count(*)::int as partial from invoices where status = 'open' and balance_cents < amount_cents and balance_cents > 0`;
    expect(partial).toBeGreaterThan(0);
    const [{ future }] = await t.sql`select count(*)::int as future from payments where received_at > ${now.toISOString()}::timestamptz`;
    expect(future).toBe(0);
  });

  it('keeps every balance equal to amount minus allocations, and each account balance the sum of its invoices', async () => {
    const invoiceMismatch = await t.sql`
      select i.number from invoices i
      left join payment_allocations pa on pa.invoice_id = i.id
      group by i.id having i.balance_cents <> i.amount_cents - coalesce(sum(pa.amount_cents), 0)`;
    expect(invoiceMismatch).toEqual([]);
    const paymentMismatch = await t.sql`
      select p.id from payments p join payment_allocations pa on pa.payment_id = p.id
      group by p.id having p.amount_cents <> sum(pa.amount_cents)`;
    expect(paymentMismatch).toEqual([]);
    const accountMismatch = await t.sql`
      select a.name from accounts a left join invoices i on i.account_id = a.id and i.status = 'open'
      group by a.id having a.balance_cents <> coalesce(sum(i.balance_cents), 0)`;
    expect(accountMismatch).toEqual([]);
  });

  it('creates one demo login per role that verifies with the demo password', async () => {
    const users = await t.sql`select email, role, password_hash from users order by email`;
    expect(users.map((u) => u.role).sort()).toEqual(['admin', 'caller', 'clerk', 'manager', 'viewer']);
    for (const demo of demoUsers) {
      const user = users.find((u) => u.email === demo.email);
      expect(user?.role).toBe(demo.role);
      expect(await argon2.verify(user!.password_hash, DEMO_PASSWORD)).toBe(true);
    }
    expect(await argon2.verify(users[0].password_hash, 'not-the-password')).toBe(false);
  });

  it('stores the settings, the default policies and a seed.loaded event', async () => {
    const settings = await t.sql`select key, value from settings`;
    const byKey = Object.fromEntries(settings.map((s) => [s.key, s.value]));
    expect(byKey.pay_link_template).toContain('{accountId}');
    expect(byKey.collections_floor_cents).toBe(75_000);
    expect(byKey.sender_identity).toMatchObject({ email: expect.stringContaining('@') });
    expect(byKey.holidays).toContainEqual({ date: '2026-11-26', name: 'Thanksgiving Day' });
    expect(byKey.business_hours).toMatchObject({ start: '09:00', end: '17:00' });

    const policies = await t.sql`select name, version, definition from policies where active`;
    expect(policies.length).toBeGreaterThanOrEqual(1);
    expect(policies.some((p) => (p.definition as { segments: string[] }).segments.length === 0)).toBe(true);

    const events = await t.sql`select data from events where type = 'seed.loaded'`;
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ accounts: firstRun.accounts });
  });

  it('changes nothing when run again, and draws the same portfolio each time', async () => {
    const snapshot = async () => {
      const [c] = await t.sql`
        select (select count(*) from accounts)::int as accounts, (select count(*) from invoices)::int as invoices,
               (select count(*) from payments)::int as payments, (select count(*) from users)::int as users,
               (select count(*) from events)::int as events, (select count(*) from policies)::int as policies,
               (select sum(balance_cents) from accounts)::bigint as balance`;
      return c;
    };
    const before = await snapshot();
    const again = await seedDemo(t, { now: new Date(now.getTime() + 86_400_000) });
    expect(again.seeded).toBe(false);
    expect(await snapshot()).toEqual(before);

    const other = await createTestDatabase();
    try {
      await seedDemo(other, { now });
      const rows = (db: TestDatabase) => db.sql`select id, name, balance_cents from accounts order by id`;
      expect(await rows(other)).toEqual(await rows(t));
    } finally {
      await other.destroy();
    }
  });
});
