/**
 * Figure 4: GET /api/queue (first page, default sort) with 100,000 drafts waiting in PostgreSQL,
 * under 100 concurrent connections, against GET /healthz of the same app in the same process.
 */
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import pino from 'pino';
import { createApp } from '../api/app';
import { createSession } from '../api/auth/principal';
import { defaultApiConfig } from '../api/config';
import { createTemporalGateway } from '../api/gateway';
import { createDatabase, type PgServer } from './infra';
import { sleep } from './stats';

/**
 * The load comes from autocannon's command line in a process of its own, as clerks' browsers would be:
 * sharing the API's event loop, the load generator itself decided the tail (p99 1.8 s in process vs
 * 0.4 s outside, same code). This is the part of its JSON report the benchmark reads.
 */
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
}

function autocannon(url: string, connections: number, seconds: number, headers: Record<string, string>): Promise<CannonResult> {
  const args = [require.resolve('autocannon/autocannon.js'), '--json', '-c', String(connections), '-d', String(seconds)];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  args.push(url);
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`autocannon failed: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as CannonResult);
    }),
  );
}

export interface EndpointSample {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

export interface QueueRun {
  messages: number;
  connections: number;
  seconds: number;
  queue: EndpointSample;
  health: EndpointSample;
  /** The same load while a clerk approves the draft at the top of the page every CHURN_MS (and a new one arrives). */
  busy: EndpointSample & { changes: number };
}

/** Ten approvals a second: a busy team. Each changes the first page, so every kept page is read again. */
const CHURN_MS = 100;

function approveTopEvery(sql: import('postgres').Sql, ms: number): { stop(): Promise<number> } {
  let changes = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = Date.now();
      await sql.begin(async (tx) => {
        const [top] = await tx`
          update messages set status = 'approved', decided_at = now()
          where id = (select id from messages where status = 'pending_approval' order by created_at, id limit 1 for update skip locked)
          returning account_id, amount_cents, days_overdue`;
        if (!top) return;
        await tx`
          insert into messages (account_id, step_id, cycle_key, status, to_email, subject, body_text, draft_subject, draft_body_text,
                                tone, source, fact_check, requires_approval, amount_cents, days_overdue, invoice_ids)
          values (${top.account_id}, 'first_reminder', ${'n' + changes}, 'pending_approval', 'ap@client.example', 'Invoice reminder',
                  'Hello, a friendly reminder.', 'Invoice reminder', 'Hello, a friendly reminder.', 'neutral', 'template',
                  '{"passed": true}'::jsonb, true, ${top.amount_cents}, ${top.days_overdue}, '{}'::uuid[])`;
      });
      changes++;
      await sleep(Math.max(0, ms - (Date.now() - t0)));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return changes;
    },
  };
}

export async function seedQueue(sql: import('postgres').Sql, messages: number): Promise<void> {
  const accounts = Math.max(1, Math.ceil(messages / 10));
  await sql`
    insert into accounts (external_ref, name, mode, client_since, facts_version)
    select 'Q-' || g, 'Queue Client ' || g, 'copilot', current_date - 500, 1 from generate_series(1, ${accounts}) g`;
  // Ten drafts per account, each its own cycle, so the one-live-draft-per-step rule holds.
  await sql`
    insert into messages (account_id, step_id, cycle_key, status, to_email, subject, body_text, draft_subject, draft_body_text,
                          tone, source, fact_check, sensitive_reasons, requires_approval, amount_cents, days_overdue, invoice_ids, created_at)
    select a.id, 'first_reminder', 'c' || k, 'pending_approval', 'ap@client.example', 'Invoice reminder', 'Hello, a friendly reminder.',
           'Invoice reminder', 'Hello, a friendly reminder.', 'neutral', 'template', '{"passed": true}'::jsonb,
           case when k % 7 = 0 then '{step_sensitive}'::text[] else '{}'::text[] end, true, 50000 + k * 100, 3 + k,
           '{}'::uuid[], now() - (k || ' hours')::interval - (random() * interval '1 hour')
    from accounts a cross join generate_series(1, 10) k
    where a.external_ref like 'Q-%'`;
  // A table in steady use has been vacuumed (autovacuum), so index-only scans can skip the heap.
  await sql`vacuum analyze messages`;
  await sql`analyze`;
}

export async function queueRun(pg: PgServer, messages: number, connections: number, seconds: number, rounds: number): Promise<QueueRun[]> {
  const db = await createDatabase(pg, 20);
  // Never called: the queue list and /healthz read PostgreSQL only. Lazy, so nothing connects.
  const temporal = createTemporalGateway({ address: '127.0.0.1:1', namespace: 'default' });
  let server: Server | undefined;
  try {
    await seedQueue(db.sql, messages);
    const config = defaultApiConfig();
    const [user] = await db.sql`insert into users (email, name, role, password_hash) values ('clerk@bench.example', 'Bench Clerk', 'clerk', 'x') returning id`;
    const session = await createSession(db.db, String(user.id), config, new Date(), {});
    const app = createApp({ db, temporal, clock: () => new Date(), logger: pino({ level: 'silent' }), config });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    const headers = { cookie: `${config.session.cookieName}=${session.cookieValue}` };
    const hit = async (path: string, duration: number): Promise<EndpointSample> => {
      const r = await autocannon(base + path, connections, duration, headers);
      return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx + r.errors };
    };
    // autocannon stops sending when its time is up, but the app still works off the requests it
    // accepted; the next measurement starts only once they are answered.
    const drain = async () => {
      await sleep(1000);
      for (let i = 0; i < 60; i++) {
        const t0 = Date.now();
        await fetch(base + '/api/queue', { headers });
        if (Date.now() - t0 < 2000) return;
      }
    };
    await hit('/healthz', 2);
    await hit('/api/queue', 2);
    await drain();
    const out: QueueRun[] = [];
    for (let i = 0; i < rounds; i++) {
      const health = await hit('/healthz', seconds);
      const queue = await hit('/api/queue', seconds);
      await drain();
      const churn = approveTopEvery(db.sql, CHURN_MS);
      const busySample = await hit('/api/queue', seconds);
      const changes = await churn.stop();
      await drain();
      out.push({ messages, connections, seconds, queue, health, busy: { ...busySample, changes } });
    }
    return out;
  } finally {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await temporal.close();
    await db.dispose();
  }
}
