/**
 * The real parts for `npm run chaos`, each on its own free port under a temporary directory: an
 * embedded PostgreSQL, a Temporal dev server, a real SMTP server that counts what it accepted, the
 * API (in this process, as api/main.ts builds it) and the worker as a child process that trials kill.
 * PostgreSQL and Temporal can be stopped and started again in place.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { defaultApiConfig } from '../../api/config';
import { createTemporalGateway } from '../../api/gateway';
import { signWebhook } from '../../api/routes/ingestion';
import { openDatabase, type Database } from '../../db/client';
import { ensureDatabase, freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../db/embedded';
import { migrateDatabase } from '../../db/migrate';
import { startSmtpPeer, type SmtpPeer } from '../../test/support/smtp';
import { bundleWorkflowsToFile, startWorkerProcess, type WorkerProcess, type WorkerProcessConfig } from '../../test/support/worker-process';
import { devServerDynamicConfigArgs } from '../../worker/temporal-dynamic-config';
import { canConnect, waitFor } from '../start/supervisor';
import { resolveTemporalBinary } from '../temporal-binaries';

export const WEBHOOK_SECRET = 'chaos-webhook-secret-0123456789';
export const TASK_QUEUE = 'chaos-accounts';

export interface HttpAnswer {
  status: number;
  body: any;
  ms: number;
  retryAfter: string | null;
}

export class ChaosStack {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-chaos-'));
  pg!: EmbeddedPostgresHandle;
  pgPort = 0;
  databaseUrl = '';
  database!: Database;
  temporal?: ChildProcess;
  temporalBinary = '';
  temporalPort = 0;
  smtp!: SmtpPeer;
  apiUrl = '';
  private server?: Server;
  private apiDb?: Database;
  private gateway?: ReturnType<typeof createTemporalGateway>;
  private bundle = '';
  worker?: WorkerProcess;
  versions: Record<string, string> = {};

  async start(log: (line: string) => void): Promise<void> {
    fs.chmodSync(this.dir, 0o755);
    [this.pgPort, this.temporalPort] = [await freePort(), await freePort()];
    await this.startPostgres();
    this.databaseUrl = await ensureDatabase(this.pg.serverUrl, 'tactful');
    await migrateDatabase(this.databaseUrl);
    this.database = openDatabase(this.databaseUrl, { max: 4 });
    const [{ version }] = await this.database.sql`select version()`;
    this.versions.postgresql = String(version).split(' on ')[0];
    log(`postgres on ${this.pgPort}`);

    const resolved = resolveTemporalBinary('cli');
    if (resolved.type !== 'existing-path') throw new Error('no Temporal CLI found on this machine (see scripts/temporal-binaries.ts)');
    this.temporalBinary = resolved.path;
    this.versions.temporal = await new Promise<string>((resolve) => {
      const p = spawn(this.temporalBinary, ['--version']);
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('close', () => resolve(out.trim()));
    });
    await this.startTemporal();
    log(`temporal on ${this.temporalPort}`);

    this.smtp = await startSmtpPeer();
    this.apiDb = openDatabase(this.databaseUrl, { max: 10, connectTimeoutSeconds: 2, statementTimeoutMs: 10_000 });
    this.gateway = createTemporalGateway({ address: `127.0.0.1:${this.temporalPort}`, namespace: 'default', taskQueue: TASK_QUEUE });
    const app = createApp({
      db: this.apiDb,
      temporal: this.gateway,
      clock: () => new Date(),
      logger: pino({ level: 'silent' }),
      config: defaultApiConfig({ webhookSecret: WEBHOOK_SECRET, loginRateLimit: { windowMs: 60_000, limit: 1_000_000 } }),
    });
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    this.apiUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.bundle = await bundleWorkflowsToFile();
    log('api and workflow bundle ready');
  }

  async startPostgres(): Promise<void> {
    this.pg = await startEmbeddedPostgres({ dataDir: path.join(this.dir, 'pg'), port: this.pgPort });
  }

  async stopPostgres(): Promise<void> {
    await this.pg.stop();
  }

  async startTemporal(): Promise<void> {
    const args = ['server', 'start-dev', '--headless', '--db-filename', path.join(this.dir, 'temporal.db'), '--ip', '127.0.0.1', '--port', String(this.temporalPort), '--log-level', 'error', ...devServerDynamicConfigArgs()];
    this.temporal = spawn(this.temporalBinary, args, { stdio: 'ignore', detached: true });
    await waitFor('the Temporal dev server', () => canConnect(this.temporalPort), { timeoutMs: 60_000 });
    // The namespace answers a moment after the port opens. Asked on a connection of its own, so the
    // part's return is measured apart from how soon the API's long-lived connection notices it.
    await waitFor('the Temporal namespace', () => this.temporalAnswers(), { timeoutMs: 60_000, intervalMs: 250 });
  }

  private probe?: Connection;

  /**
   * One probe connection for the stack's life, each question bounded by a deadline: the client retries
   * an unavailable server on a timer, and closing a connection under such a retry throws from the
   * timer ("Channel has been shut down") — which once ended a whole run after its last trial.
   */
  private async temporalAnswers(): Promise<boolean> {
    this.probe ??= Connection.lazy({
      address: `127.0.0.1:${this.temporalPort}`,
      connectTimeout: 1_000,
      channelArgs: { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500 },
    });
    const probe = this.probe;
    try {
      await probe.withDeadline(Date.now() + 1_000, () => probe.workflowService.describeNamespace({ namespace: 'default' }));
      return true;
    } catch {
      return false;
    }
  }

  async stopTemporal(): Promise<void> {
    const p = this.temporal;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    process.kill(-p.pid!, 'SIGKILL');
    await exited;
  }

  startWorker(options: Pick<WorkerProcessConfig, 'faultPoint' | 'faultEvery'> = {}): WorkerProcess {
    this.worker = startWorkerProcess({ temporalAddress: `127.0.0.1:${this.temporalPort}`, taskQueue: TASK_QUEUE, databaseUrl: this.databaseUrl, smtpUrl: this.smtp.url, workflowBundlePath: this.bundle, ...options });
    return this.worker;
  }

  /** A signed webhook delivery, answered however the API answers (never thrown). */
  async webhook(event: object): Promise<HttpAnswer> {
    const raw = JSON.stringify(event);
    return this.request('POST', '/api/webhooks/payments', raw, { 'content-type': 'application/json', 'x-tactful-signature': signWebhook(WEBHOOK_SECRET, Math.floor(Date.now() / 1000), raw) });
  }

  async request(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const start = Date.now();
    try {
      const res = await fetch(`${this.apiUrl}${url}`, { method, body, headers, signal: AbortSignal.timeout(20_000) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* keep the text */
      }
      return { status: res.status, body: parsed, ms: Date.now() - start, retryAfter: res.headers.get('retry-after') };
    } catch (err) {
      return { status: 0, body: String(err), ms: Date.now() - start, retryAfter: null };
    }
  }

  async stop(): Promise<void> {
    await this.worker?.kill().catch(() => {});
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    await this.gateway?.close().catch(() => {});
    await this.apiDb?.close().catch(() => {});
    await this.database?.close().catch(() => {});
    await this.smtp?.close().catch(() => {});
    await this.stopTemporal().catch(() => {});
    await this.pg?.stop().catch(() => {});
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
