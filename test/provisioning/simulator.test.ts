import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { startNetworkSimulator, type NetworkSimulator } from '../../src/modules/provisioning';

// The network simulator: subscriber upserts with a stable key, idempotent deletes, batches, auth, failures.
let sim: NetworkSimulator;
beforeAll(async () => { sim = await startNetworkSimulator({ token: 't0k', random: () => 0.5 }); });
afterAll(async () => sim?.close());

const call = (method: string, path: string, body?: unknown, token = 't0k') => fetch(sim.url + path, {
  method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
});

describe('network simulator', () => {
  it('upserts subscribers keeping the key it generated, deletes idempotently, and refuses bad input', async () => {
    const a = await (await call('PUT', '/subscribers/001010000000009', { iccid: '8988300000000000009', status: 'TEST' })).json();
    const b = await (await call('PUT', '/subscribers/001010000000009', { status: 'ACTIVE' })).json();
    expect(b).toMatchObject({ status: 'ACTIVE', iccid: '8988300000000000009', subscriberKey: a.subscriberKey, updates: 2 });
    expect((await call('PUT', '/subscribers/001010000000009', { status: 'BOGUS' })).status).toBe(400);
    expect((await call('DELETE', '/subscribers/001010000000009')).status).toBe(204);
    expect((await call('DELETE', '/subscribers/001010000000009')).status).toBe(204);
    expect((await call('GET', '/subscribers/001010000000009')).status).toBe(404);
    expect((await call('GET', '/subscribers', undefined, 'wrong')).status).toBe(401);
  });

  it('answers batches item by item and fails the share of operations asked for', async () => {
    sim.set({ failNext: 1, failStatus: 503 });
    const r = await (await call('POST', '/batch', { operations: [
      { method: 'PUT', path: '/subscribers/001010000000010', body: { status: 'ACTIVE' } },
      { method: 'PUT', path: '/subscribers/001010000000011', body: { status: 'ACTIVE' } },
      { method: 'PUT', path: '/rws/api/v1/devices/8988300000000000011', body: { status: 'ACTIVATED', ratePlan: 'RP1' } },
    ] })).json();
    expect(r.results.map((x: { status: number }) => x.status)).toEqual([503, 200, 200]);
    expect(sim.devices.get('8988300000000000011')).toMatchObject({ status: 'ACTIVATED', ratePlan: 'RP1' });
    sim.set({ failureRate: 0.6 }); // random() is 0.5: every call fails
    expect((await call('GET', '/subscribers')).status).toBe(503);
    sim.set({ failureRate: 0 });
    expect((await call('GET', '/subscribers')).status).toBe(200);
  });
});

describe('cmp simulate-network', () => {
  let child: ChildProcess | undefined;
  afterAll(() => { child?.kill('SIGTERM'); });
  it('starts from the command line with latency and failure rate', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'simulate-network', '--port', '0', '--latency-ms', '1', '--failure-rate', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => child!.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('listening')) resolve(d.toString()); }));
    const url = /listening on (http:\/\/[\d.:]+)/.exec(line)![1];
    const res = await fetch(`${url}/subscribers/001010000000077`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'ACTIVE' }) });
    expect(res.status).toBe(200);
    expect((await res.json()).subscriberKey).toMatch(/^SUB-/);
  }, 30_000);
});
