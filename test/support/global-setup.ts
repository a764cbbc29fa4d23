/**
 * One real PostgreSQL server for the whole test run (embedded unless TEST_DATABASE_SERVER_URL or
 * DATABASE_URL names one); each suite makes its own database on it (test/support/db.ts).
 */
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
  const port = await freePort();
  const pg = await startEmbeddedPostgres({ dataDir: path.resolve(__dirname, '../../.data/test-pg'), port });
  process.env.TEST_DATABASE_SERVER_URL = pg.serverUrl;
  (globalThis as { __tactfulPg?: { stop(): Promise<void> } }).__tactfulPg = pg;
}
