/** A fresh, migrated database per test suite on the run's PostgreSQL server. */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type Database } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';

export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_SERVER_URL;
  if (!url) throw new Error('TEST_DATABASE_SERVER_URL is not set: run the tests through jest (npm test)');
  return url;
}

export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(`${serverUrl()}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  return {
    url: `${serverUrl()}/${name}`,
    async drop() {
      const a = postgres(`${serverUrl()}/postgres`, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export interface TestDatabase extends Database {
  url: string;
  /** Closes the connections and drops the database. */
  destroy(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const empty = await createEmptyDatabase();
  await migrateDatabase(empty.url);
  const database = openDatabase(empty.url);
  return {
    ...database,
    url: empty.url,
    async destroy() {
      await database.close();
      await empty.drop();
    },
  };
}
