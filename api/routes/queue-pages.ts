/**
 * Queue pages read once and served again for as long as PostgreSQL would still answer the same.
 *
 * Many clerks open the same first page of the queue, and reading, scoring and serialising fifty drafts
 * was most of what the API did under load. A page is kept with the snapshot it was read at. Before a
 * kept page is served, one small query asks whether any transaction that snapshot did not see has since
 * committed a change to what pages show (queue_changes, filled by triggers: messages, promises, an
 * account's name, segment or mode). If one has, the page is read again. So a served page is never older
 * than the request: it is what a fresh read at the moment of the check would return.
 *
 * Requests for the same page arriving in the same turn of the event loop share one check or one read,
 * which is sent only after all of them arrived, so none of them is answered from before it was made.
 */
import type postgres from 'postgres';
import { perDatabase } from '../../db/client';

interface Snapshot {
  /** pg_snapshot as text, and its xmin. */
  snapshot: string;
  xmin: string;
}

interface KeptPage extends Snapshot {
  /** The items as JSON text, and the count of every draft the filter matches, at the same snapshot. */
  json: string;
  total: number;
  /** Clock time of the read, and when the page stops being served (its "minutes waiting" change; at most MAX_AGE_MS). */
  readAt: number;
  validUntil: number;
}

/** Kept at most this long, well inside the hour for which queue_changes rows are kept. */
const MAX_AGE_MS = 5 * 60_000;
const MAX_PAGES = 500;
const PRUNE_EVERY_MS = 10 * 60_000;

/** One shared promise for callers that arrive before the work is sent. */
class Batches<T> {
  private readonly waiting = new Map<string, Promise<T>>();
  run(key: string, work: () => Promise<T>): Promise<T> {
    const queued = this.waiting.get(key);
    if (queued) return queued;
    const p = new Promise<T>((resolve, reject) =>
      setImmediate(() => {
        this.waiting.delete(key);
        work().then(resolve, reject);
      }),
    );
    this.waiting.set(key, p);
    return p;
  }
}

interface PageStore {
  pages: Map<string, KeptPage>;
  /** Counting every waiting draft is the one part of a page that grows with the queue: a count is kept per filter and reused while nothing changed. */
  totals: Map<string, Snapshot & { total: number }>;
  checks: Batches<boolean>;
  reads: Batches<KeptPage>;
  prunedAt: number;
}
const storeOf = perDatabase((_sql: postgres.Sql): PageStore => ({ pages: new Map(), totals: new Map(), checks: new Batches(), reads: new Batches(), prunedAt: 0 }));

const UNCHANGED = `select not exists (
  select 1 from queue_changes where txid >= $2::bigint and not pg_visible_in_snapshot(txid::text::xid8, $1::pg_snapshot)
) as unchanged`;

/** Whether what pages show is the same now (for `sql`'s snapshot: a transaction's, or a new one) as at `then`. */
async function unchangedSince(sql: postgres.Sql | postgres.TransactionSql, page: Snapshot): Promise<boolean> {
  const [row] = await sql.unsafe<{ unchanged: boolean }[]>(UNCHANGED, [page.snapshot, page.xmin], { prepare: true });
  return row.unchanged;
}

export interface PageRead {
  /** The page's rows as JSON text, read in `tx`, and when a clock-derived field in them changes. */
  items(tx: postgres.TransactionSql, readAt: number): Promise<{ json: string; validUntil: number }>;
  /** How many drafts the filter matches, counted in `tx`. */
  count(tx: postgres.TransactionSql): Promise<number>;
}

/**
 * The page for `key` (and the total for its filter, `totalKey`), from the store when nothing it shows
 * has changed, else read in one snapshot and kept. `now` is the request's clock time.
 */
export async function queuePage(sql: postgres.Sql, key: string, totalKey: string, now: number, read: PageRead): Promise<{ json: string; total: number }> {
  const store = storeOf(sql);
  const kept = store.pages.get(key);
  if (kept && now >= kept.readAt && now < kept.validUntil) {
    if (await store.checks.run(`${key}\u0000${kept.snapshot}`, () => unchangedSince(sql, kept))) return kept;
  }
  return store.reads.run(key, async () => {
    const fresh = await sql.begin('isolation level repeatable read read only', async (tx) => {
      const [s] = await tx.unsafe<Snapshot[]>('select pg_current_snapshot()::text as snapshot, pg_snapshot_xmin(pg_current_snapshot())::text as xmin', [], {
        prepare: true,
      });
      const counted = store.totals.get(totalKey);
      const [items, total] = await Promise.all([
        read.items(tx, now),
        counted && (await unchangedSince(tx, counted)) ? counted.total : read.count(tx),
      ]);
      return { ...s, json: items.json, total, readAt: now, validUntil: Math.min(items.validUntil, now + MAX_AGE_MS) };
    });
    keep(store.pages, key, fresh);
    keep(store.totals, totalKey, { snapshot: fresh.snapshot, xmin: fresh.xmin, total: fresh.total });
    prune(sql, store, now);
    return fresh;
  });
}

function keep<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_PAGES) map.delete(map.keys().next().value!);
}

/**
 * queue_changes only has to remember the last few minutes (pages are kept five); rows an hour old go.
 * At most every ten minutes, after a read, without holding up the request.
 */
function prune(sql: postgres.Sql, store: PageStore, now: number): void {
  if (now - store.prunedAt < PRUNE_EVERY_MS) return;
  store.prunedAt = now;
  sql`delete from queue_changes where recorded_at < now() - interval '1 hour'`.catch(() => {
    store.prunedAt = 0;
  });
}
