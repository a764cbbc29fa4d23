/**
 * Figure 5: a 100,000-row invoice CSV (QuickBooks-style columns) through the import path the API
 * runs (parse, validate, then every row through the ledger in one transaction) against a raw COPY of
 * the same rows into the same table. Both start from the same accounts; both end with the rows in
 * `invoices`. Compared as rows per second.
 */
import { runImport } from '../api/imports/run';
import { createDatabase, type PgServer } from './infra';

export interface ImportRun {
  rows: number;
  importSeconds: number;
  copySeconds: number;
  importRowsPerSecond: number;
  copyRowsPerSecond: number;
  committed: boolean;
}

const ACCOUNTS = 1000;

function csvFor(rows: number): { text: string; lines: string[][] } {
  const lines: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const a = (i % ACCOUNTS) + 1;
    const day = 1 + (i % 28);
    lines.push([`C-${a}`, `Import Client ${a}`, `INV-${i + 1}`, `2026-01-${String(day).padStart(2, '0')}`, `2026-02-${String(day).padStart(2, '0')}`, `${(100 + (i % 900)).toFixed(2)}`]);
  }
  const text = ['Customer ID,Customer,Num,Date,Due Date,Amount', ...lines.map((l) => l.join(','))].join('\n');
  return { text, lines };
}

async function insertAccounts(sql: import('postgres').Sql): Promise<Map<string, string>> {
  const rows = await sql`
    insert into accounts (external_ref, name, client_since, facts_version)
    select 'C-' || g, 'Import Client ' || g, '2025-01-01', 1 from generate_series(1, ${ACCOUNTS}) g returning id, external_ref`;
  return new Map(rows.map((r) => [String(r.external_ref), String(r.id)]));
}

export async function importRun(pg: PgServer, rows: number): Promise<ImportRun> {
  const { text, lines } = csvFor(rows);
  const viaImport = await createDatabase(pg, 5);
  const viaCopy = await createDatabase(pg, 5);
  try {
    await insertAccounts(viaImport.sql);
    const t0 = performance.now();
    const { report } = await runImport(viaImport.db, text, { kind: 'invoices', dryRun: false, dateOrder: 'auto', today: '2026-03-01' }, { type: 'integration', name: 'bench' });
    const importSeconds = (performance.now() - t0) / 1000;
    if (report.errors.length) throw new Error(`import refused the file: ${JSON.stringify(report.errors.slice(0, 3))}`);

    const ids = await insertAccounts(viaCopy.sql);
    const c0 = performance.now();
    const body = lines.map((l) => [ids.get(l[0]), l[2], l[3], l[4], Math.round(Number(l[5]) * 100), Math.round(Number(l[5]) * 100), 'open'].join('\t')).join('\n') + '\n';
    const stream = await viaCopy.sql`copy invoices (account_id, number, issue_date, due_date, amount_cents, balance_cents, status) from stdin`.writable();
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('finish', resolve);
      stream.end(body);
    });
    const copySeconds = (performance.now() - c0) / 1000;
    const [{ n }] = await viaCopy.sql`select count(*)::int n from invoices`;
    const [{ m }] = await viaImport.sql`select count(*)::int m from invoices`;
    if (n !== rows || m !== rows) throw new Error(`expected ${rows} invoices, COPY has ${n}, import has ${m}`);
    return { rows, importSeconds, copySeconds, importRowsPerSecond: rows / importSeconds, copyRowsPerSecond: rows / copySeconds, committed: report.committed };
  } finally {
    await viaImport.dispose();
    await viaCopy.dispose();
  }
}
