/**
 * `npm run simulate -- --accounts 200 --days 120 [--seed N] [--mode autonomous|copilot|mixed]`
 * Plays a generated portfolio through the real workflows on the time-skipping server and prints
 * every message that went out, then the totals. `--quiet` prints the totals only, `--json` the
 * summary as JSON. The invariants the engine promises make the exit code non-zero when broken.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { formatSends, formatTotals } from './simulate/report';
import { runSimulation } from './simulate/run';

export { runSimulation, type SimulationOptions, type SimulationSummary } from './simulate/run';
export { generatePortfolio, type AccountPlan } from './simulate/portfolio';

const Args = z.object({
  accounts: z.coerce.number().int().min(1).max(10_000).default(200),
  days: z.coerce.number().int().min(1).max(730).default(120),
  seed: z.coerce.number().int().default(1),
  mode: z.enum(['autonomous', 'copilot', 'mixed']).default('mixed'),
  'approve-after-hours': z.coerce.number().min(0).default(0),
  quiet: z.boolean().default(false),
  json: z.boolean().default(false),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      accounts: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      mode: { type: 'string' },
      'approve-after-hours': { type: 'string' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    console.error(`simulate: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
    process.exit(2);
  }
  const args = parsed.data;
  const progress = args.json
    ? undefined
    : ({ day, days, sent, elapsedMs }: { day: number; days: number; sent: number; elapsedMs: number }) => {
        if (day % 10 === 0 || day === days) process.stderr.write(`day ${day}/${days}: ${sent} sent, ${(elapsedMs / 1000).toFixed(0)} s\n`);
      };
  const summary = await runSimulation({
    accounts: args.accounts,
    days: args.days,
    seed: args.seed,
    mode: args.mode,
    approveAfterHours: args['approve-after-hours'],
    databaseServerUrl: process.env.DATABASE_URL,
    onProgress: progress,
  });
  if (args.json) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    if (!args.quiet) {
      console.log('Sent (simulated day, client-local business day and time, time zone, account, segment/mode, step, tone):');
      for (const line of formatSends(summary)) console.log(`  ${line}`);
      console.log();
    }
    for (const line of formatTotals(summary)) console.log(line);
  }
  const t = summary.totals;
  const broken = t.maxMessagesPerAccountIn3Days > 1 || t.sentOutsideBusinessHours > 0 || t.sentAfterPaid > 0 || t.workflowsNotRunning > 0;
  process.exit(broken ? 1 : 0);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
