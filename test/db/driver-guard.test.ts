/**
 * A process survives the postgres driver's write to a connection PostgreSQL closed (db/client.ts,
 * porsager/postgres#1154) — and only that: any other uncaught error still ends it, for the supervisor.
 * Each case runs in a child process, where the error is thrown from a timer as the driver throws it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function run(thrower: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-guard-'));
  // A module at the driver's own path, so the stack names it as the real failure does.
  const driver = path.join(dir, 'node_modules/postgres/cjs/src');
  fs.mkdirSync(driver, { recursive: true });
  fs.writeFileSync(path.join(driver, 'connection.js'), 'exports.nextWrite = () => { let socket = null; return socket.write(Buffer.alloc(1)); };\n');
  fs.writeFileSync(path.join(dir, 'other.js'), 'exports.boom = () => { let x = null; return x.write(1); };\n');
  const script = `
    const { surviveDriverWriteAfterClose } = require(${JSON.stringify(path.join(root, 'db/client.ts'))});
    surviveDriverWriteAfterClose((m) => console.log('survived: ' + m));
    setImmediate(() => require(${JSON.stringify(thrower === 'driver' ? path.join(driver, 'connection.js') : path.join(dir, 'other.js'))})[${JSON.stringify(thrower === 'driver' ? 'nextWrite' : 'boom')}]());
    setTimeout(() => { console.log('still running'); process.exit(0); }, 200);
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("the driver's write after a closed connection", () => {
  it('is survived: the process logs it and keeps serving', () => {
    const r = run('driver');
    expect(r.output).toMatch(/survived: PostgreSQL closed a connection/);
    expect(r.output).toMatch(/still running/);
    expect(r.status).toBe(0);
  });

  it('any other uncaught error still ends the process with code 1', () => {
    const r = run('other');
    expect(r.output).not.toMatch(/still running/);
    expect(r.status).toBe(1);
  });
});
