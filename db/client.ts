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

export interface DatabaseOptions {
  max?: number;
  /** Give up opening a connection after this long: a stopped or unreachable server is an error, not a wait. */
  connectTimeoutSeconds?: number;
  /**
   * PostgreSQL cancels any statement running longer (statement_timeout), freeing the connection for
   * the next request. Off unless set; the API sets it (api/main.ts).
   */
  statementTimeoutMs?: number;
}

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 2,
    ...(options.statementTimeoutMs ? { connection: { statement_timeout: options.statementTimeoutMs } } : {}),
    onnotice: () => {},
  });
  const db = drizzle(preparedStatements(sql), { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/**
 * drizzle tells the driver not to prepare a statement unless the query is named (`prepare: false`).
 * The driver must then learn a statement's parameter types before it can bind them, on every run: a
 * Parse/Describe round trip, then Bind/Execute in a second one, and the statements queued behind it on
 * the connection wait for both, so nothing is pipelined. Prepared, a statement is described once per
 * connection and every later run is one Bind/Execute that the driver pipelines with its neighbours.
 * Connections are replaced every 30–60 minutes (the driver's max_lifetime), which bounds the statements
 * each one keeps.
 */
function preparedStatements<S extends postgres.Sql | postgres.TransactionSql>(sql: S): S {
  return new Proxy(sql, {
    get(target, prop) {
      if (prop === 'unsafe') {
        return (query: string, params?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, params, { ...options, prepare: true });
      }
      if (prop === 'begin') {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.TransactionSql) => unknown;
          return (target as postgres.Sql).begin(...(args as [string]), (tx) => fn(preparedStatements(tx)));
        };
      }
      if (prop === 'savepoint') {
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.TransactionSql) => unknown;
          return (target as postgres.TransactionSql).savepoint(...(args as [string]), (tx) => fn(preparedStatements(tx)));
        };
      }
      return Reflect.get(target, prop);
    },
  });
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

/**
 * The `postgres` driver (3.4.x) can throw from its own write path when a connection closes while
 * statements are queued on it — "Cannot read properties of null (reading 'write')" from
 * connection.js (porsager/postgres#1154, open). It happens when PostgreSQL stops under load; the
 * statements of that connection fail with it, the pool opens a new one when the server is back, and
 * the process is otherwise sound. Thrown from a timer, it is uncaught and used to stop the whole API
 * mid-outage (issue 19's chaos run).
 */
export function isDriverWriteAfterClose(err: unknown): boolean {
  return err instanceof TypeError && /reading 'write'/.test(err.message) && /[\\/]postgres[\\/](cjs[\\/])?src[\\/]connection\.js/.test(err.stack ?? '');
}

/**
 * Keeps a process running through that one driver failure and only that one: anything else uncaught
 * ends the process as Node would (printed, exit code 1), for `npm start`'s supervisor to restart it.
 */
export function surviveDriverWriteAfterClose(log: (message: string) => void): () => void {
  const handler = (err: Error) => {
    if (isDriverWriteAfterClose(err)) {
      log(`PostgreSQL closed a connection while statements were queued on it; they fail, the process carries on (${err.message})`);
      return;
    }
    console.error(err);
    process.exit(1);
  };
  process.on('uncaughtException', handler);
  return () => process.off('uncaughtException', handler);
}
