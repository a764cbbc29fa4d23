/**
 * The API process's composition root: reads the environment once, builds the dependencies, listens.
 * `npm start` (scripts/start.ts) may instead call `startApi` with a config it built.
 */
import type { Server } from 'node:http';
import pino from 'pino';
import { openDatabase, surviveDriverWriteAfterClose, type Database } from '../db/client';
import { createApp } from './app';
import { parseProcessConfig, type ProcessConfig } from './config';
import { createTemporalGateway } from './gateway';
import { createMetrics } from './observability';

export interface RunningApi {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startApi(config: ProcessConfig, options: { database?: Database } = {}): Promise<RunningApi> {
  const logger = pino({ level: config.logLevel });
  // Requests are answered within 3 s whatever PostgreSQL does (the request deadline in app.ts); the
  // statement timeout is the backstop that frees a connection held by a statement nobody awaits any more.
  const database = options.database ?? openDatabase(config.databaseUrl, { connectTimeoutSeconds: 2, statementTimeoutMs: 10_000 });
  const temporal = createTemporalGateway({ address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue });
  const clock = () => new Date();
  const app = createApp({ db: database, temporal, clock, logger, config: config.api, metrics: createMetrics({ defaultMetrics: true }) });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`Port ${config.port} is already in use; set PORT to another port.`) : err),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  logger.info({ url, temporal: config.temporal.address }, 'API listening');
  return {
    server,
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await temporal.close();
      if (!options.database) await database.close();
    },
  };
}

if (require.main === module) {
  let config: ProcessConfig;
  try {
    config = parseProcessConfig(process.env);
  } catch (err) {
    console.error((err as Error).message);
    // EX_CONFIG: npm start's supervisor does not restart a process that cannot start as configured.
    process.exit(78);
  }
  surviveDriverWriteAfterClose((message) => console.error(message));
  startApi(config).then(
    (api) => {
      const stop = () => {
        api.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err) => {
      console.error(`The API could not start: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
