import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real OpenSSH sshd with internal-sftp on loopback, for tests (domain/test-peers.md §1.1): key login only,
 * files land in `dataDir`. When the test runs as root, sshd runs as `nobody` and logs `nobody` in.
 */
export interface SftpPeer {
  host: string;
  port: number;
  username: string;
  /** The client's private key (OpenSSH PEM) that the peer accepts. */
  privateKey: string;
  /** hex SHA-256 of the peer's host key blob (what ssh2's `hostHash: 'sha256'` hands to `hostVerifier`). */
  hostKeySha256: string;
  /** Where uploaded files appear (the SFTP session's start directory). */
  dataDir: string;
  /** sshd's log (stderr), for assertions and debugging. */
  log: () => string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`sshd exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not accept connections on port ${port}`);
}

export async function startSftpPeer(): Promise<SftpPeer> {
  const asRoot = process.getuid?.() === 0;
  const username = asRoot ? 'nobody' : execFileSync('id', ['-un']).toString().trim();
  const dir = mkdtempSync(join(tmpdir(), 'cmp-sftp-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'hostkey')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'clientkey')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'clientkey.pub')));
  const port = await freePort();
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/hostkey`, `PidFile ${dir}/sshd.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes', 'AuthenticationMethods publickey', 'UsePAM yes', 'StrictModes no',
    'Subsystem sftp internal-sftp', `ForceCommand internal-sftp -d ${dataDir}`, 'AllowTcpForwarding no', 'X11Forwarding no', '',
  ].join('\n'));
  if (asRoot) {
    execFileSync('chown', ['-R', 'nobody:', dir]);
    chmodSync(dir, 0o755);
  }
  const cmd = asRoot ? 'runuser' : '/usr/sbin/sshd';
  const args = asRoot ? ['-u', 'nobody', '--', '/usr/sbin/sshd', '-D', '-e', '-f', join(dir, 'sshd_config')] : ['-D', '-e', '-f', join(dir, 'sshd_config')];
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  try {
    await waitForPort(port, child);
  } catch (e) {
    child.kill();
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  const pubBlob = Buffer.from(readFileSync(join(dir, 'hostkey.pub'), 'utf8').split(' ')[1], 'base64');
  return {
    host: '127.0.0.1', port, username, dataDir,
    privateKey: readFileSync(join(dir, 'clientkey'), 'utf8'),
    hostKeySha256: createHash('sha256').update(pubBlob).digest('hex'),
    log: () => log,
    // Stopped by the PID this test started (runuser execs nothing else: its child is sshd, which exits on SIGTERM to the group).
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        try {
          const pid = Number(readFileSync(join(dir, 'sshd.pid'), 'utf8').trim());
          if (pid) process.kill(pid, 'SIGTERM');
        } catch { /* no pid file yet */ }
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
