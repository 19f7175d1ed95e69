import { describe, expect, it } from 'vitest';
import {
  SIM_STATES, STATE_ACTIONS, TRANSITIONS, bulkResultCsv, parseIdentifierCsv, partyOf, planStateChange, testLimitReached,
  type Party, type SimState, type StateAction,
} from './lifecycle.fns';

const base = { pending: null, holds: [] as Party[], party: 'TENANT' as Party, accountSuspended: false };

describe('transition table', () => {
  // Every (state, action) pair: allowed exactly when the table lists it, to the state it names.
  const expected: Record<SimState, Partial<Record<StateAction, SimState>>> = {
    WARM: { ready: 'READY', terminate: 'TERMINATE' },
    READY: { 'test-activate': 'TEST_ACTIVE', activate: 'ACTIVE', terminate: 'TERMINATE' },
    TEST_ACTIVE: { activate: 'ACTIVE', terminate: 'TERMINATE' },
    ACTIVE: { suspend: 'SUSPEND', terminate: 'TERMINATE' },
    SUSPEND: { resume: 'ACTIVE', terminate: 'TERMINATE' },
    TERMINATE: {},
  };
  for (const state of SIM_STATES) {
    for (const action of STATE_ACTIONS) {
      const to = expected[state][action];
      // resume needs the caller's hold; suspend from SUSPEND is a hold-only change (tested below)
      const holds: Party[] = state === 'SUSPEND' ? ['TENANT'] : [];
      if (state === 'SUSPEND' && action === 'suspend') continue;
      it(`${action} from ${state} is ${to ? `allowed to ${to}` : 'refused'}`, () => {
        const plan = planStateChange({ ...base, state, action, holds });
        if (to) expect(plan).toMatchObject({ kind: 'transition', to });
        else expect(plan.kind).toBe('refused');
      });
    }
  }
  it('matches the exported table', () => expect(TRANSITIONS).toEqual(expected));

  it('refuses anything on a terminated SIM, and every change while one is in flight', () => {
    expect(planStateChange({ ...base, state: 'TERMINATE', action: 'activate' })).toEqual({ kind: 'refused', reason: 'the SIM is terminated; TERMINATE is final' });
    const r = planStateChange({ ...base, state: 'READY', pending: 'ACTIVE', action: 'terminate' });
    expect(r).toEqual({ kind: 'refused', reason: 'a change to ACTIVE is still being applied by the network' });
  });

  it('blocks new activations of a suspended account but not terminations', () => {
    expect(planStateChange({ ...base, state: 'READY', action: 'activate', accountSuspended: true }).kind).toBe('refused');
    expect(planStateChange({ ...base, state: 'READY', action: 'test-activate', accountSuspended: true }).kind).toBe('refused');
    expect(planStateChange({ ...base, state: 'READY', action: 'terminate', accountSuspended: true }).kind).toBe('transition');
  });
});

describe('suspension holds of several parties', () => {
  it('a second party adds a hold without a state change; resuming lifts only the own hold', () => {
    expect(planStateChange({ ...base, state: 'ACTIVE', action: 'suspend', party: 'ENTERPRISE' }))
      .toEqual({ kind: 'transition', to: 'SUSPEND', addHold: 'ENTERPRISE', removeHolds: [] });
    expect(planStateChange({ ...base, state: 'SUSPEND', holds: ['ENTERPRISE'], action: 'suspend', party: 'DUNNING' }))
      .toEqual({ kind: 'hold', addHold: 'DUNNING', removeHolds: [] });
    expect(planStateChange({ ...base, state: 'SUSPEND', holds: ['ENTERPRISE', 'DUNNING'], action: 'resume', party: 'DUNNING' }))
      .toEqual({ kind: 'hold', addHold: null, removeHolds: ['DUNNING'] });
    expect(planStateChange({ ...base, state: 'SUSPEND', holds: ['ENTERPRISE'], action: 'resume', party: 'DUNNING' }))
      .toEqual({ kind: 'refused', reason: 'the SIM is not suspended by DUNNING; it is held by ENTERPRISE' });
    expect(planStateChange({ ...base, state: 'SUSPEND', holds: ['ENTERPRISE'], action: 'resume', party: 'ENTERPRISE' }))
      .toEqual({ kind: 'transition', to: 'ACTIVE', addHold: null, removeHolds: ['ENTERPRISE'] });
  });
  it('a suspension while the first is still being applied adds a hold; the same party twice is refused', () => {
    expect(planStateChange({ ...base, state: 'ACTIVE', pending: 'SUSPEND', holds: ['TENANT'], action: 'suspend', party: 'DUNNING' }).kind).toBe('hold');
    expect(planStateChange({ ...base, state: 'SUSPEND', holds: ['TENANT'], action: 'suspend', party: 'TENANT' }).kind).toBe('refused');
  });
  it('terminate removes every hold', () => {
    expect(planStateChange({ ...base, state: 'SUSPEND', holds: ['TENANT', 'DUNNING'], action: 'terminate' }))
      .toEqual({ kind: 'transition', to: 'TERMINATE', addHold: null, removeHolds: ['TENANT', 'DUNNING'] });
  });
  it('derives the party from the caller', () => {
    expect(partyOf({ kind: 'user', role: 'enterprise_user' })).toBe('ENTERPRISE');
    expect(partyOf({ kind: 'api_key', role: 'tenant_admin' })).toBe('TENANT');
    expect(partyOf({ kind: 'system', role: 'tenant_admin' })).toBe('SYSTEM');
  });
});

describe('test limits', () => {
  const start = new Date('2026-01-01T00:00:00Z');
  const limits = { dataBytes: 1000, sms: 5, days: 7 };
  it('ends on whichever limit is reached first', () => {
    expect(testLimitReached(limits, { dataBytes: 999, sms: 4 }, start, new Date('2026-01-07T23:59:59Z'))).toBeNull();
    expect(testLimitReached(limits, { dataBytes: 1000, sms: 0 }, start, start)).toMatch(/data limit/);
    expect(testLimitReached(limits, { dataBytes: 0, sms: 5 }, start, start)).toMatch(/SMS limit/);
    expect(testLimitReached(limits, { dataBytes: 0, sms: 0 }, start, new Date('2026-01-08T00:00:00Z'))).toMatch(/7 days/);
    expect(testLimitReached({ dataBytes: null, sms: null, days: null }, { dataBytes: 1e12, sms: 1e6 }, start, new Date('2030-01-01'))).toBeNull();
  });
});

describe('bulk CSV', () => {
  it('reads identifiers, skips a header and reports every bad line', () => {
    const r = parseIdentifierCsv('iccid,note\n8988303000000000011,a\n\nbad-one\n8988303000000000011\n214070000000001\n');
    expect(r.identifiers).toEqual(['8988303000000000011', '214070000000001']);
    expect(r.errors).toEqual([
      { line: 4, field: 'identifier', reason: '"bad-one" is not an ICCID, IMSI, MSISDN or SIM id' },
      { line: 5, field: 'identifier', reason: '8988303000000000011 repeats line 2' },
    ]);
    expect(parseIdentifierCsv('iccid\n').errors).toEqual([{ line: 1, field: 'csv', reason: 'names no SIM' }]);
  });
  it('writes a result line per SIM, quoting where needed', () => {
    expect(bulkResultCsv([{ seq: 1, identifier: '123456', simId: null, outcome: 'REFUSED', changeId: null, changeStatus: null, detail: 'no SIM, "123456"' }]))
      .toBe('line,identifier,sim_id,outcome,change_id,change_status,detail\n1,123456,,REFUSED,,,"no SIM, ""123456"""\n');
  });
});
