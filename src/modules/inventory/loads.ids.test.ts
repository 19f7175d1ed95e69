import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './loads.service';

describe('timeOrderedId', () => {
  it('makes version-7 UUIDs that sort in creation order, also within one millisecond', () => {
    const ids = [timeOrderedId(1_700_000_000_000), timeOrderedId(1_700_000_000_000), timeOrderedId(1_700_000_000_000), timeOrderedId(1_700_000_000_001)];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
    expect(ids[0].replace(/-/g, '').slice(0, 12)).toBe((1_700_000_000_000).toString(16).padStart(12, '0'));
  });
});
