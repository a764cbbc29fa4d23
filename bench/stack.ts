/**
 * One run's private world: its own Temporal dev server and its own database, so workflows left
 * sleeping by one run never wake up in the next and every figure starts from the same empty state.
 */
import { createDatabase, connectTemporal, startTemporal, tempOutbox, type BenchDatabase, type PgServer, type Temporal, type TemporalServer } from './infra';
import type { Mailer } from '../activities/mail/mailer';
import fs from 'node:fs';

export interface Stack {
  server: TemporalServer;
  temporal: Temporal;
  db: BenchDatabase;
  outbox: { dir: string; mailer: Mailer };
  dispose(): Promise<void>;
}

export async function startStack(pg: PgServer, options: { dbConnections?: number; temporal?: boolean } = {}): Promise<Stack> {
  const [server, db] = await Promise.all([startTemporal(), createDatabase(pg, options.dbConnections ?? 20)]);
  const temporal = await connectTemporal(server.address);
  const outbox = tempOutbox();
  return {
    server,
    temporal,
    db,
    outbox,
    async dispose() {
      await temporal.close().catch(() => {});
      await server.stop();
      await db.dispose();
      fs.rmSync(outbox.dir, { recursive: true, force: true });
    },
  };
}
