import { describe, expect, it } from 'vitest';
import { allocationCsv, nextState, refusal, tmfState } from './orders.fns';

describe('order states', () => {
  it('allows cancellation only before allocation', () => {
    expect(nextState('AWAITING_APPROVAL', 'cancel')).toBe('CANCELLED');
    expect(nextState('PENDING', 'cancel')).toBe('CANCELLED');
    expect(nextState('IN_PROGRESS', 'cancel')).toBeNull();
    expect(nextState('COMPLETED', 'cancel')).toBeNull();
    expect(refusal('IN_PROGRESS', 'cancel')).toContain('allocated already');
  });
  it('approves and rejects only orders awaiting approval', () => {
    expect(nextState('AWAITING_APPROVAL', 'approve')).toBe('PENDING');
    expect(nextState('PENDING', 'approve')).toBeNull();
    expect(nextState('AWAITING_APPROVAL', 'reject')).toBe('CANCELLED');
    expect(refusal('PENDING', 'approve')).toBe('only an order awaiting approval can be approved (state PENDING)');
  });
  it('allocates pending orders and completes allocated ones', () => {
    expect(nextState('PENDING', 'allocate')).toBe('IN_PROGRESS');
    expect(nextState('AWAITING_APPROVAL', 'allocate')).toBeNull();
    expect(nextState('IN_PROGRESS', 'complete')).toBe('COMPLETED');
    expect(nextState('PENDING', 'fail')).toBe('FAILED');
    expect(refusal('CANCELLED', 'complete')).toBe('an order in state CANCELLED cannot be completed');
  });
  it('names states as TMF622 does', () => {
    expect(['AWAITING_APPROVAL', 'PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED'].map((s) => tmfState(s as never)))
      .toEqual(['pending', 'acknowledged', 'inProgress', 'completed', 'failed', 'cancelled']);
  });
  it('writes the allocation list', () => {
    expect(allocationCsv('o1', [{ iccid: '8901', imsi: '0010', msisdn: null, eid: null, matchingId: 'K-1' }]))
      .toBe('order_id,iccid,imsi,msisdn,eid,matching_id\r\no1,8901,0010,,,K-1\r\n');
  });
});
