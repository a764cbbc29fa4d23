/**
 * The set-based path for the common case of an invoice import: new invoices for accounts that have
 * nothing else going on in the file. Writing them one by one through the ledger (savepoint, account
 * lock, balance recompute, event, version bump per row) made a 100,000-row file take minutes; here
 * they go in with a few multi-row INSERTs, then one recompute, one facts-version bump and one summary
 * event per account — in the caller's transaction, so all-or-nothing and dry runs hold.
 *
 * An account stays on the row-by-row ledger path when anything in the file needs the ledger's money
 * logic: a payment or credit note, an invoice already partly paid, a zero amount, an existing invoice
 * whose figures change, or payments waiting to be applied. Its rows then behave exactly as before.
 */
import { sql } from 'drizzle-orm';
import { appendEvent, type EventActor } from '../events';
import * as ledger from '../ledger';

type Tx = ledger.Tx;
export type Who = { externalRef: string | null; name: string };
export interface InvoiceItem {
  line: number;
  who: Who;
  number: string;
  issueDate: string;
  dueDate: string | null;
  amountCents: number;
  openCents: number | null;
  currency: string;
}
export type PlannedItem = { line: number; op: string; who?: Who } & Partial<InvoiceItem>;

export const whoKey = (w: Who) => (w.externalRef ? `ref:${w.externalRef}` : `name:${w.name.toLowerCase()}`);

export interface BulkResult {
  /** Who-keys whose rows the bulk path took; the row-by-row loop skips them. */
  handled: Set<string>;
  accountsCreated: number;
  invoicesCreated: number;
  /** Accounts whose facts changed, with their new facts version. */
  touched: Map<string, number>;
}

const BATCH = 10_000;
// Arrays go over the wire as text[] and are cast in SQL: postgres.js serializes text arrays, not every element type.

const plainInvoice = (it: PlannedItem): it is PlannedItem & InvoiceItem & { op: 'invoice' } =>
  it.op === 'invoice' && (it.amountCents ?? 0) > 0 && (it.openCents === null || it.openCents === undefined || it.openCents >= it.amountCents!);

/**
 * Resolves (and creates) the accounts of eligible rows, writes their new invoices and bumps each
 * account once. `accounts` is the caller's who-key → account id cache, filled for the rows left over.
 */
export async function bulkInsertInvoices(
  tx: Tx,
  items: readonly PlannedItem[],
  accounts: Map<string, string>,
  actor: EventActor,
  today: string,
): Promise<BulkResult> {
  const result: BulkResult = { handled: new Set(), accountsCreated: 0, invoicesCreated: 0, touched: new Map() };
  const byWho = new Map<string, (PlannedItem & InvoiceItem)[]>();
  const ineligible = new Set<string>();
  for (const it of items) {
    if (!it.who) continue;
    const k = whoKey(it.who);
    if (!plainInvoice(it)) {
      ineligible.add(k);
      continue;
    }
    const list = byWho.get(k) ?? [];
    list.push(it);
    byWho.set(k, list);
  }
  for (const k of ineligible) byWho.delete(k);
  if (byWho.size === 0) return result;

  // Existing accounts, in two queries rather than one per client.
  const refs = [...byWho.values()].map((l) => l[0].who.externalRef).filter((r): r is string => r !== null);
  const names = [...byWho.values()].filter((l) => l[0].who.externalRef === null).map((l) => l[0].who.name.toLowerCase());
  type AccountRow = { id: string; external_ref: string | null; lname: string; terms: number; facts_version: number };
  const found: AccountRow[] = [];
  if (refs.length)
    found.push(...((await tx.execute(sql`select id, external_ref, lower(name) lname, payment_terms_days terms, facts_version from accounts where external_ref = any(${sql.param(refs)}::text[])`)) as unknown as AccountRow[]));
  if (names.length)
    found.push(
      ...((await tx.execute(
        sql`select distinct on (lower(name)) id, external_ref, lower(name) lname, payment_terms_days terms, facts_version from accounts
            where lower(name) = any(${sql.param(names)}::text[]) order by lower(name), created_at`,
      )) as unknown as AccountRow[]),
    );
  const byRef = new Map(found.filter((a) => a.external_ref !== null).map((a) => [a.external_ref!, a]));
  const byName = new Map(found.map((a) => [a.lname, a]));
  const terms = new Map<string, number>();
  for (const [k, list] of byWho) {
    const w = list[0].who;
    let a = w.externalRef ? byRef.get(w.externalRef) : byName.get(w.name.toLowerCase());
    if (!a) {
      // Created as the row-by-row path would: on the client's first invoice in the file.
      const c = await ledger.upsertClient(tx, { externalRef: w.externalRef, name: w.name, clientSince: list[0].issueDate, currency: list[0].currency }, actor, today);
      const [row] = (await tx.execute(sql`select id, external_ref, lower(name) lname, payment_terms_days terms, facts_version from accounts where id = ${c.accountId}`)) as unknown as AccountRow[];
      a = row;
      result.accountsCreated++;
      result.touched.set(a.id, a.facts_version);
    }
    accounts.set(k, a.id);
    terms.set(a.id, a.terms);
  }

  // Two who-keys (a client id on some rows, only the name on others) may name one account: leave it to the ledger.
  const keysOf = new Map<string, string[]>();
  for (const k of byWho.keys()) keysOf.set(accounts.get(k)!, [...(keysOf.get(accounts.get(k)!) ?? []), k]);
  const drop = (accountId: string) => {
    for (const k of keysOf.get(accountId) ?? []) byWho.delete(k);
  };
  for (const [id, ks] of keysOf) if (ks.length > 1) drop(id);

  // Unapplied money waits for the next invoice: the ledger's allocation must see these accounts.
  const ids = [...keysOf.keys()];
  const waiting = (await tx.execute(sql`
    select p.account_id from payments p
    where p.account_id = any(${sql.param(ids)}::text[]::uuid[])
      and p.amount_cents > coalesce((select sum(a.amount_cents) from payment_allocations a where a.payment_id = p.id), 0)
    group by p.account_id`)) as unknown as { account_id: string }[];
  for (const w of waiting) drop(w.account_id);

  const rows: { accountId: string; number: string; issueDate: string; dueDate: string; amountCents: number }[] = [];
  for (const [k, list] of byWho) {
    const accountId = accounts.get(k)!;
    for (const it of list) {
      const dueDate = it.dueDate ?? new Date(Date.parse(`${it.issueDate}T00:00:00Z`) + terms.get(accountId)! * 86_400_000).toISOString().slice(0, 10);
      rows.push({ accountId, number: it.number, issueDate: it.issueDate, dueDate, amountCents: it.amountCents });
    }
  }
  // What is already there: unchanged (or void) rows are no-ops; a changed one sends its account to the ledger.
  const existing = new Map<string, { status: string; issue_date: string; due_date: string; amount_cents: number }>();
  for (let i = 0; i < rows.length; i += BATCH) {
    const b = rows.slice(i, i + BATCH);
    const got = (await tx.execute(sql`
      select i.account_id, i.number, i.status, i.issue_date::text, i.due_date::text, i.amount_cents
      from invoices i join unnest(${sql.param(b.map((r) => r.accountId))}::text[]::uuid[], ${sql.param(b.map((r) => r.number))}::text[]) u(account_id, number)
        on i.account_id = u.account_id and i.number = u.number`)) as unknown as { account_id: string; number: string; status: string; issue_date: string; due_date: string; amount_cents: number }[];
    for (const g of got) existing.set(`${g.account_id}|${g.number}`, g);
  }
  const changed = new Set<string>();
  for (const r of rows) {
    const e = existing.get(`${r.accountId}|${r.number}`);
    if (e && e.status !== 'void' && (e.issue_date !== r.issueDate || e.due_date !== r.dueDate || Number(e.amount_cents) !== r.amountCents)) changed.add(r.accountId);
  }
  for (const id of changed) drop(id);
  for (const k of byWho.keys()) result.handled.add(k);
  const fresh = rows.filter((r) => !changed.has(r.accountId) && !existing.has(`${r.accountId}|${r.number}`));
  if (fresh.length === 0) return result;

  const created = new Map<string, { invoiceId: string; number: string; amountCents: number; dueDate: string }[]>();
  for (let i = 0; i < fresh.length; i += BATCH) {
    const b = fresh.slice(i, i + BATCH);
    const ins = (await tx.execute(sql`
      insert into invoices (account_id, number, issue_date, due_date, amount_cents, balance_cents, status)
      select u.account_id, u.number, u.issue_date, u.due_date, u.amount_cents, u.amount_cents, 'open'
      from unnest(${sql.param(b.map((r) => r.accountId))}::text[]::uuid[], ${sql.param(b.map((r) => r.number))}::text[], ${sql.param(b.map((r) => r.issueDate))}::text[]::date[],
                  ${sql.param(b.map((r) => r.dueDate))}::text[]::date[], ${sql.param(b.map((r) => String(r.amountCents)))}::text[]::bigint[]) u(account_id, number, issue_date, due_date, amount_cents)
      returning id, account_id, number, amount_cents, due_date::text`)) as unknown as { id: string; account_id: string; number: string; amount_cents: number; due_date: string }[];
    for (const r of ins) {
      const list = created.get(r.account_id) ?? [];
      list.push({ invoiceId: r.id, number: r.number, amountCents: Number(r.amount_cents), dueDate: r.due_date });
      created.set(r.account_id, list);
    }
    result.invoicesCreated += ins.length;
  }
  const touchedIds = [...created.keys()];
  for (const [accountId, invoices] of created) {
    await appendEvent(tx, {
      accountId,
      type: 'invoices.imported',
      actor,
      data: { count: invoices.length, amountCents: invoices.reduce((s, i) => s + i.amountCents, 0), invoices },
    });
  }
  // New open invoices only raise a balance, so no account reaches zero here and no draft is withdrawn.
  const bumped = (await tx.execute(sql`
    update accounts a set facts_version = a.facts_version + 1, balance_cents = s.open, updated_at = now()
    from (select account_id, sum(balance_cents) open from invoices where status = 'open' and account_id = any(${sql.param(touchedIds)}::text[]::uuid[]) group by account_id) s
    where a.id = s.account_id
    returning a.id, a.facts_version`)) as unknown as { id: string; facts_version: number }[];
  for (const b of bumped) result.touched.set(b.id, Number(b.facts_version));
  return result;
}
