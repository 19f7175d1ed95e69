import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenantFixture, type TenantFixture } from '../support/fixtures';
import { startSftpPeer, type SftpPeer } from '../support/sftp-peer';
import { drain, seedSims } from '../lifecycle/helpers';

// The SFTP file adapter against a real OpenSSH sshd on loopback: batched CSV files in the configured layout.
let t: TestPlatform;
let peer: SftpPeer;
let f: TenantFixture;

beforeAll(async () => {
  [t, peer] = await Promise.all([startTestPlatform(), startSftpPeer()]);
  f = await createTenantFixture(t.platform);
});
afterAll(async () => {
  await peer?.stop();
  await t?.close();
});

const columns = [
  { header: 'ICCID', value: '{{sim.iccid}}' }, { header: 'IMSI', value: '{{sim.imsi}}' }, { header: 'ACTION', value: '{{event.type}}' },
  { header: 'STATUS', value: '{{status}}' },
];

describe('SFTP file target', () => {
  it('writes one CSV file per batch, in order, with the configured columns and delimiter', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/v1/provisioning/targets', headers: f.headers.tenantAdmin,
      payload: {
        name: 'host-hlr-files', kind: 'SFTP', secret: peer.privateKey, eventTypes: ['lifecycle.sim.activated', 'lifecycle.sim.suspended'],
        config: { host: peer.host, port: peer.port, username: peer.username, hostKeySha256: peer.hostKeySha256, filePrefix: 'hlr', delimiter: ';',
          stateMap: { ACTIVE: 'A', SUSPEND: 'S' }, columns },
      },
    });
    expect(res.statusCode).toBe(201);
    const sims = await seedSims(t.platform, f.tenantId, f.enterpriseId, 3);
    const job = await t.app.inject({ method: 'POST', url: '/api/v1/sims/bulk', headers: f.headers.tenantAdmin, payload: { action: 'activate', simIds: sims.map((s) => s.id) } });
    expect(job.statusCode).toBe(202);
    await drain(t.platform);
    await t.app.inject({ method: 'POST', url: `/api/v1/sims/${sims[0].id}/actions/suspend`, headers: f.headers.tenantAdmin, payload: {} });
    await drain(t.platform);

    const files = readdirSync(peer.dataDir).sort();
    expect(files).toHaveLength(2);
    expect(files.every((n) => /^hlr-\d{8}T\d{6}Z-\d+\.csv$/.test(n))).toBe(true);
    const first = readFileSync(join(peer.dataDir, files[0]), 'utf8').trim().split('\r\n');
    expect(first[0]).toBe('ICCID;IMSI;ACTION;STATUS');
    expect(first.slice(1).sort()).toEqual(sims.map((s) => `${s.iccid};${s.imsi};lifecycle.sim.activated;A`).sort());
    const second = readFileSync(join(peer.dataDir, files[1]), 'utf8').trim().split('\r\n');
    expect(second).toEqual(['ICCID;IMSI;ACTION;STATUS', `${sims[0].iccid};${sims[0].imsi};lifecycle.sim.suspended;S`]);
    const states = await t.platform.core.dbs.system((tx) => sql<{ state: string }>`select state from sims where id = any(${sims.map((s) => s.id)}::uuid[]) order by iccid`.execute(tx));
    expect(states.rows.map((r) => r.state).sort()).toEqual(['ACTIVE', 'ACTIVE', 'SUSPEND']);
    const d = (await t.app.inject({ url: `/api/v1/provisioning/deliveries?simId=${sims[0].id}&sort=id`, headers: f.headers.tenantAdmin })).json().items;
    expect(d.map((x: { status: string; externalRef: string }) => [x.status, x.externalRef])).toEqual([['SUCCEEDED', files[0]], ['SUCCEEDED', files[1]]]);
  });

  it('retries when the server refuses the connection (wrong host key), and nothing is half-written', async () => {
    const g = await createTenantFixture(t.platform);
    await t.app.inject({
      method: 'POST', url: '/api/v1/provisioning/targets', headers: g.headers.tenantAdmin,
      payload: { name: 'pinned-wrong', kind: 'SFTP', secret: peer.privateKey, eventTypes: ['lifecycle.sim.activated'],
        config: { host: peer.host, port: peer.port, username: peer.username, hostKeySha256: '0'.repeat(64), columns } },
    });
    const before = readdirSync(peer.dataDir).length;
    const [s] = await seedSims(t.platform, g.tenantId, g.enterpriseId, 1);
    await t.app.inject({ method: 'POST', url: `/api/v1/sims/${s.id}/actions/activate`, headers: g.headers.tenantAdmin, payload: {} });
    await drain(t.platform);
    const [d] = (await t.app.inject({ url: `/api/v1/provisioning/deliveries?simId=${s.id}`, headers: g.headers.tenantAdmin })).json().items;
    expect(d).toMatchObject({ status: 'PENDING', attempts: 1, lastResultCode: 'SFTP', lastError: expect.stringContaining('SFTP upload failed') });
    expect(readdirSync(peer.dataDir).length).toBe(before);
    expect((await t.app.inject({ url: `/api/v1/sims/${s.id}`, headers: g.headers.tenantAdmin })).json().pendingState).toBe('ACTIVE');
  });
});
