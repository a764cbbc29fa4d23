/**
 * A real IMAP server for tests: Debian's dovecot (`apt-get install dovecot-imapd`), started on a free
 * port with its whole configuration, state and mail in a temporary directory — never a mock of IMAP.
 * As root it runs its login and mail processes as the package's unprivileged `dovenull`/`dovecot`
 * users; as anyone else, as that user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const DOVECOT = process.env.DOVECOT_BIN ?? '/usr/sbin/dovecot';

export interface ImapPeer {
  host: string;
  port: number;
  user: string;
  pass: string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`dovecot exited (${child.exitCode}):\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dovecot did not listen on ${port}`);
}

export async function startImapServer(): Promise<ImapPeer> {
  if (!fs.existsSync(DOVECOT)) throw new Error(`${DOVECOT} not found: apt-get install -y dovecot-imapd (or set DOVECOT_BIN)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tactful-imap-'));
  fs.chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  const me = os.userInfo();
  const mailUser = root ? 'dovecot' : me.username;
  const home = path.join(dir, 'home');
  fs.mkdirSync(home, { mode: 0o777 });
  fs.chmodSync(home, 0o777);
  const port = await freePort();
  const user = 'ar@northwind.example';
  const pass = 'imap-test-password';
  fs.writeFileSync(path.join(dir, 'passwd'), `${user}:{PLAIN}${pass}\n`);
  const log = path.join(dir, 'dovecot.log');
  fs.writeFileSync(
    path.join(dir, 'dovecot.conf'),
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${log}
info_log_path = ${log}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
default_login_user = ${root ? 'dovenull' : me.username}
default_internal_user = ${mailUser}
default_internal_group = ${root ? 'dovecot' : (os.userInfo().gid ?? me.username)}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${root ? 'dovecot' : me.uid} gid=${root ? 'dovecot' : me.gid} home=${home}/%n
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  chroot =
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
`,
  );
  const child = spawn(DOVECOT, ['-F', '-c', path.join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  await waitForPort(port, child, log);
  return {
    host: '127.0.0.1',
    port,
    user,
    pass,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
