/**
 * The whole product in one test process, from real parts: a fresh PostgreSQL database with the demo
 * portfolio, a Temporal dev server, the real worker (template drafter, outbox mailer), the real API
 * built with createApp and serving the built web app. Browser tests drive it through chromium.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import pino from 'pino';
import { createApp } from '../../../api/app';
import { defaultApiConfig } from '../../../api/config';
import { createTemporalGateway } from '../../../api/gateway';
import * as t from '../../../db/schema';
import { DEMO_PASSWORD, demoUsers, seedDemo } from '../../../db/seed';
import { explainStartFailure, resolveTemporalBinary, sdkExecutable } from '../../../scripts/temporal-binaries';
import { TASK_QUEUE } from '../../../workflows/account/definitions';
import { createTestDatabase, type TestDatabase } from '../../support/db';
import { createTestWorker, tempOutbox } from '../../support/engine';
import { devServerDynamicConfigArgs } from '../../../worker/temporal-dynamic-config';

export const webDist = path.resolve(__dirname, '../../../web/dist');

export interface Stack {
  url: string;
  db: TestDatabase;
  env: TestWorkflowEnvironment;
  outbox: ReturnType<typeof tempOutbox>;
  login: { email: string; password: string; role: string }[];
  stop(): Promise<void>;
}

let runtimeInstalled = false;

export interface StackOptions {
  /**
   * Open every account's business hours around the clock, so a send approved in a test goes out now
   * whatever time the suite runs (the business-hours rule has its own workflow tests).
   */
  alwaysOpen?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const resolved = resolveTemporalBinary('cli');
  const [db, env] = await Promise.all([
    createTestDatabase(),
    TestWorkflowEnvironment.createLocal({ server: { executable: sdkExecutable(resolved), ip: '127.0.0.1', extraArgs: devServerDynamicConfigArgs() } }).catch((err) => {
      throw explainStartFailure('cli', resolved, err);
    }),
  ]);
  try {
    return await assemble(db, env, options);
  } catch (err) {
    await env.teardown().catch(() => {});
    await db.destroy().catch(() => {});
    throw err;
  }
}

async function assemble(db: TestDatabase, env: TestWorkflowEnvironment, options: StackOptions): Promise<Stack> {
  await seedDemo(db, { now: new Date() });
  if (options.alwaysOpen) {
    const allWeek = JSON.stringify({ start: '00:00', end: '23:59', days: [1, 2, 3, 4, 5, 6, 7] });
    await db.sql`update accounts set business_hours = ${allWeek}::jsonb, holidays = '{}'`;
    await db.sql`update settings set value = '[]'::jsonb where key = 'holidays'`;
  }

  const outbox = tempOutbox();
  const { worker } = await createTestWorker(env, db, { mailer: outbox.mailer, taskQueue: TASK_QUEUE });
  const running = worker.run();

  const gateway = createTemporalGateway({ address: env.address, namespace: env.namespace ?? 'default' });
  const app = createApp({
    db,
    temporal: gateway,
    clock: () => new Date(),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    config: defaultApiConfig({ webDist, validateResponses: true, loginRateLimit: { windowMs: 60_000, limit: 10_000 } }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;

  // The demo portfolio is in the database; each account's workflow starts the way the reconciler would.
  const accounts = await db.db.select({ id: t.accounts.id, factsVersion: t.accounts.factsVersion }).from(t.accounts);
  await Promise.all(accounts.map((a) => gateway.factsChanged(a.id, { factsVersion: a.factsVersion, change: 'reconcile' })));

  return {
    url: `http://127.0.0.1:${port}`,
    db,
    env,
    outbox,
    login: demoUsers.map((u) => ({ email: u.email, password: DEMO_PASSWORD, role: u.role })),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await gateway.close();
      stopWorker(worker);
      await running.catch(() => {});
      await env.teardown();
      await db.destroy();
    },
  };
}

function stopWorker(worker: Worker) {
  try {
    worker.shutdown();
  } catch {
    // Already stopping.
  }
}
