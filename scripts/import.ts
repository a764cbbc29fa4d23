/**
 * `npm run import -- FILE [--dry-run] [--kind invoices|payments|clients|balances] [--date-order mdy|dmy] [--currency GBP] [--settle-absent]`
 * Imports a downloaded report or table (.xlsx or .csv) into the running product: the same PostgreSQL and
 * Temporal `npm start` uses, found from the same settings (DATABASE_URL / PG_PORT, TEMPORAL_ADDRESS /
 * TEMPORAL_PORT; nothing extra to set), all or nothing, then signals the touched accounts' workflows so
 * their next actions change at once.
 * `npm run import -- --check FILE` reads the file with no database and ends with one line:
 * `check: <shape>, <invoices> invoices, <credits> credits, <customers> customers, open <total> <currency>, <errors> errors`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { and, eq, inArray } from 'drizzle-orm';
import postgres from 'postgres';
import { z } from 'zod';
import { openDatabase } from '../db/client';
import { embeddedDatabaseUrl } from '../db/embedded';
import * as t from '../db/schema';
import { ImportKind } from '../domain/api/ingestion';
import { checkFile, checkLine, runImport } from '../api/imports/run';
import { createTemporalGateway } from '../api/gateway';
import { parseStartConfig } from './start/config';

const Args = z.object({
  file: z.string({ error: 'name the file: npm run import -- report.xlsx (or --check report.xlsx)' }),
  kind: ImportKind.optional(),
  check: z.boolean(),
  dryRun: z.boolean(),
  settleAbsent: z.boolean(),
  dateOrder: z.enum(['auto', 'mdy', 'dmy']),
  currency: z.string().regex(/^[A-Z]{3}$/, '--currency takes a three-letter code such as USD').optional(),
});

function parseArgs(argv: string[]) {
  const out: Record<string, unknown> = { dryRun: false, check: false, settleAbsent: false, dateOrder: 'auto' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') out.dryRun = true;
    else if (a === '--check') out.check = true;
    else if (a === '--settle-absent') out.settleAbsent = true;
    else if (a === '--kind') out.kind = argv[++i];
    else if (a === '--date-order') out.dateOrder = argv[++i];
    else if (a === '--currency') out.currency = argv[++i]?.toUpperCase();
    else if (!a.startsWith('--')) out.file = a;
    else throw new Error(`unknown option ${a}`);
  }
  return Args.parse(out);
}

const TASK_QUEUE = 'tactful-accounts';

/** The database and Temporal `npm start` runs with the same environment: external when set, else its embedded defaults. */
export function productConfig(env: NodeJS.ProcessEnv) {
  const start = parseStartConfig(env, false);
  return {
    databaseUrl: start.postgres.kind === 'external' ? start.postgres.url : embeddedDatabaseUrl(start.postgres.port),
    where: start.postgres.kind === 'external' ? 'DATABASE_URL' : `the embedded PostgreSQL on 127.0.0.1:${start.postgres.port}`,
    temporal: {
      address: start.temporal.kind === 'external' ? start.temporal.address : `127.0.0.1:${start.temporal.port}`,
      namespace: start.temporal.namespace,
      taskQueue: env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE,
    },
  };
}

async function reachable(url: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1 from accounts limit 1`;
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

async function main() {
  let args: z.infer<typeof Args>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof z.ZodError ? err.issues.map((i) => i.message).join('\n') : (err as Error).message);
    process.exit(2);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(args.file));
  } catch (err) {
    console.error(`cannot read ${args.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    process.exit(2);
  }
  const options = { kind: args.kind, dryRun: args.dryRun, dateOrder: args.dateOrder, currency: args.currency, settleAbsent: args.settleAbsent };

  if (args.check) {
    const { report } = await checkFile(bytes, options);
    for (const e of report.errors.slice(0, 100)) console.log(`  line ${e.row}${e.column ? `, ${e.column}` : ''}: ${e.message}`);
    for (const x of report.totals.filter((x) => x.fileCents !== x.rowsCents && x.note)) console.log(`  line ${x.line}, ${x.column}: ${x.label} ${(x.fileCents / 100).toFixed(2)} vs rows ${(x.rowsCents / 100).toFixed(2)} (${x.note})`);
    console.log(checkLine(report));
    process.exitCode = report.errors.length ? 1 : 0;
    return;
  }

  let config: ReturnType<typeof productConfig>;
  try {
    config = productConfig(process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const problem = await reachable(config.databaseUrl);
  if (problem) {
    console.error(`Cannot reach ${config.where} (${problem.split('\n')[0]}). Start the product with \`npm start\` in another terminal (same DATA_DIR / PG_PORT / DATABASE_URL), then import again.`);
    process.exit(1);
  }
  const database = openDatabase(config.databaseUrl, { max: 2 });
  const bar = new SingleBar({ format: 'importing [{bar}] {value}/{total} rows', hideCursor: true }, Presets.shades_classic);
  let started = false;
  try {
    const { report, touched } = await runImport(
      database.db,
      bytes,
      {
        ...options,
        fileName: path.basename(args.file),
        today: new Date().toISOString().slice(0, 10),
        onProgress(done, total) {
          if (!process.stdout.isTTY) return;
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        },
      },
      { type: 'user', name: 'import (command line)' },
    );
    if (started) bar.stop();
    started = false;
    console.log(`${report.shape}${report.asOf ? `, as of ${report.asOf}` : ''}`);
    if (report.errors.length) {
      console.error(`Nothing was imported: ${report.errors.length} problem(s).`);
      for (const e of report.errors.slice(0, 100)) console.error(`  line ${e.row}${e.column ? `, ${e.column}` : ''}: ${e.message}`);
      process.exitCode = 1;
      return;
    }
    for (const l of report.lines.filter((x) => !['created', 'unchanged', 'checked'].includes(x.outcome)).slice(0, 200))
      console.log(`  ${l.row === null ? '—' : `line ${l.row}`}: ${l.customer}${l.number ? ` ${l.number}` : ''}: ${l.outcome.replace(/_/g, ' ')}${l.amountCents !== null ? ` ${(l.amountCents / 100).toFixed(2)} ${l.currency ?? ''}` : ''}${l.message ? ` (${l.message})` : ''}`);
    for (const x of report.totals.filter((x) => x.note)) console.log(`  line ${x.line}, ${x.column}: ${x.label} says ${(x.fileCents / 100).toFixed(2)}, the rows ${(x.rowsCents / 100).toFixed(2)}: ${x.note}`);
    for (const n of report.notes) console.log(`  ${n}`);
    if (report.accountsWithoutContact.length) console.log(`  still without a contact to write to: ${report.accountsWithoutContact.join(', ')}`);
    const { kind, accountsCreated, accountsUpdated, invoicesCreated, invoicesUpdated, invoicesUnchanged, paymentsRecorded, creditNotesRecorded, paidInBooks, settledInBooks } = report;
    console.log(
      `${args.dryRun ? 'Dry run (nothing written)' : 'Imported'} ${report.rows} ${kind} row(s): ` +
        `${accountsCreated} client(s) created, ${accountsUpdated} updated; ${invoicesCreated} invoice(s) created, ${invoicesUpdated} updated, ${invoicesUnchanged} unchanged; ` +
        `${paymentsRecorded} payment(s), ${creditNotesRecorded} credit note(s); ${paidInBooks} paid and ${settledInBooks} settled in the books.`,
    );
    if (!report.committed || touched.size === 0) return;
    // As the API does: an account left owing nothing tells its workflow so, which drops its drafts at once.
    const settled = new Set(
      (await database.db.select({ id: t.accounts.id }).from(t.accounts).where(and(inArray(t.accounts.id, [...touched.keys()]), eq(t.accounts.balanceCents, 0)))).map((r) => r.id),
    );
    const gateway = createTemporalGateway({ ...config.temporal, rpcTimeoutMs: 5000 });
    let signaled = 0;
    const failed: string[] = [];
    for (const [accountId, factsVersion] of touched) {
      // Once Temporal has not answered, the rest would only wait out the same deadline each.
      if (failed.length) {
        failed.push(failed[0]);
        continue;
      }
      try {
        await gateway.factsChanged(accountId, { factsVersion, change: 'reconcile', actor: { type: 'user', name: 'import (command line)' }, ...(settled.has(accountId) ? { settled: true } : {}) });
        signaled++;
      } catch (err) {
        failed.push((err as Error).message);
      }
    }
    // close() waits for calls the client may still be retrying, so it is safe after a failure too.
    await gateway.close();
    console.log(
      failed.length
        ? `Signaled ${signaled} account workflow(s); ${failed.length} not reached at ${config.temporal.address} (${failed[0].split('\n')[0]}): the reconciler picks them up within its period.`
        : `Signaled ${signaled} account workflow(s) at ${config.temporal.address}.`,
    );
  } finally {
    if (started) bar.stop();
    await database.close();
  }
}

if (require.main === module)
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
