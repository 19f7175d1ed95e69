import type { BusinessUnit } from './types';

/** The business-unit tree, as pure functions (tested in tree.test.ts). */

export interface TreeNode {
  unit: BusinessUnit;
  depth: number;
  children: TreeNode[];
}

/** Business units as a forest under their enterprise, siblings by name; units whose parent is missing become roots. */
export function buildTree(units: BusinessUnit[]): TreeNode[] {
  const byParent = new Map<string | null, BusinessUnit[]>();
  const ids = new Set(units.map((u) => u.id));
  for (const u of units) {
    const parent = u.parentId && ids.has(u.parentId) ? u.parentId : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), u]);
  }
  const seen = new Set<string>();
  const grow = (parent: string | null, depth: number): TreeNode[] =>
    (byParent.get(parent) ?? [])
      .filter((u) => !seen.has(u.id) && seen.add(u.id))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((u) => ({ unit: u, depth, children: grow(u.id, depth + 1) }));
  return grow(null, 0);
}

export function flatten(nodes: TreeNode[]): TreeNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/** `id` and its descendants: the units that cannot become its parent. */
export function descendants(units: BusinessUnit[], id: string): Set<string> {
  const out = new Set<string>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units) if (u.parentId && out.has(u.parentId) && !out.has(u.id)) { out.add(u.id); grew = true; }
  }
  return out;
}
