/** The one way the processes open PostgreSQL: the `postgres` driver under drizzle. */
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;
export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export function openDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * A value kept per open database (prepared statements, shared counts), made on first use. Keyed by the
 * handle, not globally: tests open many databases in one process, and a closed one is forgotten.
 */
export function perDatabase<K extends object, V>(make: (db: K) => V): (db: K) => V {
  const values = new WeakMap<K, V>();
  return (db) => {
    let v = values.get(db);
    if (v === undefined) values.set(db, (v = make(db)));
    return v;
  };
}

export { schema };
