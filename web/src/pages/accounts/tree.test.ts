import { describe, expect, it } from 'vitest';
import { buildTree, descendants, flatten } from './tree';
import type { BusinessUnit } from './types';

const unit = (id: string, name: string, parentId: string | null = null): BusinessUnit => ({
  id, name, parentId, enterpriseId: 'e', unitId: id.toUpperCase(), status: 'ACTIVE', contacts: [], addresses: [], createdAt: '2026-01-01T00:00:00Z',
});

describe('business-unit tree', () => {
  const units = [unit('c', 'Zeta'), unit('a', 'North'), unit('b', 'Trucks', 'a'), unit('d', 'Vans', 'a'), unit('e', 'Cold chain', 'b')];

  it('orders each level by name, children right under their parent, with their depth', () => {
    expect(flatten(buildTree(units)).map((n) => [n.unit.name, n.depth])).toEqual([
      ['North', 0], ['Trucks', 1], ['Cold chain', 2], ['Vans', 1], ['Zeta', 0],
    ]);
  });

  it('shows a unit whose parent is not in the list at the top instead of losing it', () => {
    expect(flatten(buildTree([unit('x', 'Orphan', 'gone'), unit('y', 'Root')])).map((n) => [n.unit.name, n.depth]))
      .toEqual([['Orphan', 0], ['Root', 0]]);
  });

  it('knows which units cannot become the parent of a unit: itself and its branch', () => {
    expect([...descendants(units, 'a')].sort()).toEqual(['a', 'b', 'd', 'e']);
    expect([...descendants(units, 'b')].sort()).toEqual(['b', 'e']);
    expect([...descendants(units, 'c')]).toEqual(['c']);
  });
});
