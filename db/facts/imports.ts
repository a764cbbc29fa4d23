/**
 * An imported file as evidence: its bytes, hash, shape and "as of" date are kept with the import, and
 * every "paid in the books" or "settled in the books" fact points back to it. Imports run one at a
 * time (two overlapping files would race on new accounts), inside the importer's one transaction.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Tx } from '../ledger';
import * as t from '../schema';

/** Takes the import lock and keeps the file; answers its id and the newest earlier report's "as of" date. */
export async function beginImport(
  tx: Tx,
  input: { fileName: string | null; bytes: Uint8Array; shape: string; asOf: string | null; kind: string; actorName: string | null },
): Promise<{ importId: string; newestAsOf: string | null }> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('tactful:import', 0))`);
  const [newest] = await tx.execute<{ as_of: string | null }>(sql`select max(as_of)::text as_of from ${t.imports} where report->>'kind' = 'invoices'`);
  const [imp] = await tx
    .insert(t.imports)
    .values({
      fileName: input.fileName,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      shape: input.shape,
      asOf: input.asOf,
      content: Buffer.from(input.bytes),
      report: { kind: input.kind },
      actorName: input.actorName,
    })
    .returning({ id: t.imports.id });
  return { importId: imp.id, newestAsOf: newest?.as_of ?? null };
}

/** The import's report, kept with its file once every line is done. */
export async function finishImport(tx: Tx, importId: string, report: Record<string, unknown>): Promise<void> {
  await tx.update(t.imports).set({ report }).where(sql`${t.imports.id} = ${importId}`);
}
