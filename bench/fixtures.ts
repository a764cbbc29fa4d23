/**
 * Portfolios written straight into PostgreSQL with set-based SQL: loading 50,000 invoices through the
 * ledger one by one would take longer than the figures being measured (the import figure measures
 * that path on its own).
 */
import type postgres from 'postgres';
import type { Mode } from '../domain/facts';

export interface PortfolioSpec {
  accounts: number;
  invoicesPerAccount: number;
  mode: Mode;
  /** Days past due of the oldest invoice: 5 puts the first reminder (D+3) due right now. */
  daysPastDue?: number;
  /** Local business hours; the default is the whole week, all day, so nothing waits for the morning. */
  businessHours?: { start: string; end: string; days: number[] };
  timeZone?: string;
  prefix?: string;
}

export const allDay = { start: '00:00', end: '00:00', days: [1, 2, 3, 4, 5, 6, 7] };

/** Returns the account ids in creation order. */
export async function insertPortfolio(sql: postgres.Sql, spec: PortfolioSpec): Promise<string[]> {
  const prefix = spec.prefix ?? 'B';
  const hours = JSON.stringify(spec.businessHours ?? allDay);
  const late = spec.daysPastDue ?? 5;
  const tz = spec.timeZone ?? 'UTC';
  // Invoices of $500: well under the large-balance rule, so autonomous accounts send without a person.
  const rows = await sql.begin(async (tx) => {
    const accounts = await tx`
      insert into accounts (external_ref, name, segment, mode, time_zone, business_hours, client_since, payment_terms_days, facts_version)
      select ${prefix} || '-' || g, 'Bench Client ' || ${prefix} || '-' || g, 'standard', ${spec.mode}::mode, ${tz}, ${hours}::jsonb,
             (current_date - 800), 30, 1
      from generate_series(1, ${spec.accounts}) g
      returning id, external_ref`;
    await tx`
      insert into contacts (account_id, name, email, is_primary)
      select id, 'Accounts Payable', 'ap+' || external_ref || '@client.example', true from accounts where external_ref like ${`${prefix}-%`}`;
    await tx`
      insert into invoices (account_id, number, issue_date, due_date, amount_cents, balance_cents, status)
      select a.id, 'INV-' || a.external_ref || '-' || k, current_date - ${late}::int - k - 30, current_date - ${late}::int - k, 50000, 50000, 'open'
      from accounts a cross join generate_series(0, ${spec.invoicesPerAccount - 1}) k
      where a.external_ref like ${`${prefix}-%`}`;
    await tx`
      update accounts a set balance_cents = s.b
      from (select account_id, sum(balance_cents) b from invoices group by account_id) s
      where s.account_id = a.id and a.external_ref like ${`${prefix}-%`}`;
    return accounts;
  });
  const order = new Map(rows.map((r) => [String(r.external_ref), String(r.id)]));
  return Array.from({ length: spec.accounts }, (_, i) => order.get(`${prefix}-${i + 1}`)!);
}
