import { z } from 'zod';
import { sql, type SelectQueryBuilder } from 'kysely';
import { ValidationError } from './errors';

/** Query parameters every list endpoint accepts (plus its own filters). */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('page size'),
  cursor: z.string().optional().describe('the nextCursor of the previous page'),
  sort: z.string().optional().describe('field to sort by, prefixed with - for descending'),
});
export type PageQuery = z.infer<typeof pageQuery>;

export function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination over a Kysely query: order by (sort column, id) and continue after the last row of the
 * previous page, so pages stay stable while rows are added. `columns` maps public sort names to SQL columns.
 */
export async function paginate<DB, TB extends keyof DB, O extends Record<string, unknown>>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: PageQuery,
  columns: Record<string, string>,
  defaultSort: string,
  idColumn = 'id',
): Promise<Page<O>> {
  const sortSpec = page.sort ?? defaultSort;
  const desc = sortSpec.startsWith('-');
  const name = desc ? sortSpec.slice(1) : sortSpec;
  const column = columns[name];
  if (!column) throw ValidationError.field('sort', `must be one of ${Object.keys(columns).map((c) => `${c}, -${c}`).join(', ')}`);
  let q = query;
  if (page.cursor) {
    let cur: [unknown, string];
    try {
      cur = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'));
      if (!Array.isArray(cur) || cur.length !== 2) throw new Error();
    } catch {
      throw ValidationError.field('cursor', 'is not a cursor this API issued');
    }
    const cmp = sql.raw(desc ? '<' : '>');
    q = q.where(sql<boolean>`(${sql.ref(column)}, ${sql.ref(idColumn)}) ${cmp} (${cur[0]}, ${cur[1]})`) as typeof q;
  }
  const dir = desc ? 'desc' : 'asc';
  // The cursor keeps the sort value as PostgreSQL prints it: a JS Date would cut timestamps to milliseconds
  // and skip or repeat rows written within the same millisecond.
  const rows = (await q
    .select(sql<string>`${sql.ref(column)}::text`.as('__sort_key') as never)
    .orderBy(sql.ref(column), dir)
    .orderBy(sql.ref(idColumn), dir)
    .limit(page.limit + 1)
    .execute()) as Array<O & { __sort_key: string | null }>;
  const more = rows.length > page.limit;
  const items = (more ? rows.slice(0, page.limit) : rows).map(({ __sort_key: _k, ...item }) => item as unknown as O);
  const last = more ? rows[page.limit - 1] : undefined;
  const idKey = idColumn.split('.').at(-1)!;
  return {
    items,
    nextCursor: last
      ? Buffer.from(JSON.stringify([last.__sort_key, (last as Record<string, unknown>)[idKey]])).toString('base64url')
      : null,
  };
}
