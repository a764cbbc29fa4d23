/**
 * `npm run import -- file.csv [--kind invoices|payments|clients] [--dry-run] [--date-order mdy|dmy]`
 * Imports a CSV straight into PostgreSQL (DATABASE_URL), all or nothing, with a progress bar; the
 * reconciler (or the next fact change) brings the account workflows up to date afterwards.
 */
import fs from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { openDatabase } from '../db/client';
import { ImportKind } from '../domain/api/ingestion';
import { runImport } from '../api/imports/run';

const Args = z.object({
  file: z.string({ error: 'name the CSV file: npm run import -- file.csv' }),
  kind: ImportKind.optional(),
  dryRun: z.boolean(),
  dateOrder: z.enum(['auto', 'mdy', 'dmy']),
  databaseUrl: z.string({ error: 'DATABASE_URL is not set: the PostgreSQL to import into' }).regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres://'),
});

function parseArgs(argv: string[], env: Record<string, string | undefined>) {
  const out: Record<string, unknown> = { dryRun: false, dateOrder: 'auto', databaseUrl: env.DATABASE_URL };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') out.dryRun = true;
    else if (a === '--kind') out.kind = argv[++i];
    else if (a === '--date-order') out.dateOrder = argv[++i];
    else if (!a.startsWith('--')) out.file = a;
    else throw new Error(`unknown option ${a}`);
  }
  return Args.parse(out);
}

async function main() {
  let args: z.infer<typeof Args>;
  try {
    args = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(err instanceof z.ZodError ? err.issues.map((i) => i.message).join('\n') : (err as Error).message);
    process.exit(2);
  }
  const text = fs.readFileSync(args.file, 'utf8');
  const database = openDatabase(args.databaseUrl, { max: 2 });
  const bar = new SingleBar({ format: 'importing [{bar}] {value}/{total} rows', hideCursor: true }, Presets.shades_classic);
  let started = false;
  try {
    const { report } = await runImport(
      database.db,
      text,
      {
        kind: args.kind,
        dryRun: args.dryRun,
        dateOrder: args.dateOrder,
        today: new Date().toISOString().slice(0, 10),
        onProgress(done, total) {
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        },
      },
      { type: 'user', name: 'CSV import (command line)' },
    );
    if (started) bar.stop();
    if (report.errors.length) {
      console.error(`Nothing was imported: ${report.errors.length} problem(s).`);
      for (const e of report.errors.slice(0, 100)) console.error(`  line ${e.row}${e.column ? `, ${e.column}` : ''}: ${e.message}`);
      process.exitCode = 1;
      return;
    }
    const { kind, accountsCreated, accountsUpdated, invoicesCreated, invoicesUpdated, paymentsRecorded, creditNotesRecorded, skipped } = report;
    console.log(
      `${args.dryRun ? 'Dry run (nothing written)' : 'Imported'} ${report.rows} ${kind} row(s): ` +
        `${accountsCreated} client(s) created, ${accountsUpdated} updated; ${invoicesCreated} invoice(s) created, ${invoicesUpdated} updated; ` +
        `${paymentsRecorded} payment(s), ${creditNotesRecorded} credit note(s); ${skipped} unchanged.`,
    );
  } finally {
    if (started) bar.stop();
    await database.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
