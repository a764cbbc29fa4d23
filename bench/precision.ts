/**
 * Figure 6: how late a scheduled send goes out. Each cohort of autonomous accounts is past due, and
 * its business day (UTC) opens at the same minute boundary 30–150 s ahead, so every workflow drafts
 * nothing yet and sleeps until the open; then all of them draft and send at once, the way a morning
 * batch starts. Scheduled = the minute the business day opens; actual = when the .eml was written.
 */
import fs from 'node:fs';
import { createTemporalGateway } from '../api/gateway';
import { insertPortfolio } from './fixtures';
import { startTactfulWorker, type PgServer } from './infra';
import { startStack } from './stack';
import { mapLimit, percentile, waitUntil } from './stats';

export interface PrecisionCohort {
  accounts: number;
  scheduledAt: string;
  /** Lateness in ms: actual − scheduled. */
  p50: number;
  p99: number;
  max: number;
}

const MINUTE = 60_000;
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export async function precisionRun(pg: PgServer, accountsPerCohort: number, cohorts: number): Promise<PrecisionCohort[]> {
  const stack = await startStack(pg, { dbConnections: 30 });
  const gateway = createTemporalGateway({ address: stack.server.address, namespace: 'default', rpcTimeoutMs: 30_000 });
  try {
    const worker = await startTactfulWorker(stack.temporal, stack.db, stack.outbox.mailer, { maxCachedWorkflows: accountsPerCohort * cohorts * 2 });
    let first = Math.ceil((Date.now() + 45_000) / MINUTE) * MINUTE;
    // 00:00 as a start would read as "open all day" and fire at once.
    if (hhmm(first) === '00:00' || hhmm(first + (cohorts - 1) * MINUTE) < hhmm(first)) first = Math.ceil((Date.now() + (cohorts + 2) * MINUTE) / MINUTE) * MINUTE;
    const plan = Array.from({ length: cohorts }, (_, k) => ({ prefix: `P${k}`, at: first + k * MINUTE }));
    const all: { prefix: string; at: number; ids: string[] }[] = [];
    for (const c of plan) {
      const ids = await insertPortfolio(stack.db.sql, {
        accounts: accountsPerCohort,
        invoicesPerAccount: 1,
        mode: 'autonomous',
        prefix: c.prefix,
        businessHours: { start: hhmm(c.at), end: '00:00', days: [1, 2, 3, 4, 5, 6, 7] },
      });
      all.push({ ...c, ids });
    }
    const ids = all.flatMap((c) => c.ids);
    await mapLimit(ids, 50, (id) => gateway.factsChanged(id, { factsVersion: 1, change: 'invoice_upserted' }));
    if (Date.now() > first) throw new Error('set-up took longer than the lead time; the first cohort was not scheduled ahead');
    await waitUntil(
      'every scheduled send',
      async () => Number((await stack.db.sql`select count(*) n from outbox where status = 'sent'`)[0].n) >= ids.length,
      (cohorts + 15) * MINUTE,
      1000,
    );
    const rows = await stack.db.sql`select account_id, eml_path from outbox`;
    const actual = new Map(rows.map((r) => [String(r.account_id), fs.statSync(String(r.eml_path)).mtimeMs]));
    await worker.stop();
    return all.map((c) => {
      const late = c.ids.map((id) => actual.get(id)! - c.at);
      return { accounts: c.ids.length, scheduledAt: new Date(c.at).toISOString(), p50: percentile(late, 50), p99: percentile(late, 99), max: Math.max(...late) };
    });
  } finally {
    await gateway.close();
    await stack.dispose();
  }
}
