import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openTestDatabase } from '../support/db';
import type { DatabaseService } from '../../src/platform/db';
import { paginate } from '../../src/platform/http/pagination';

let dbs: DatabaseService;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ dbs, close } = await openTestDatabase());
  // Seven rows within one millisecond (microseconds apart), two of them sharing the very same instant.
  await sql`insert into audit_log (actor_type, action, entity_type, entity_id, at)
            select 'system', 'test', 'page', 'r' || i,
                   '2026-01-01T00:00:00.000100Z'::timestamptz + make_interval(secs => least(i, 6) / 1e6)
              from generate_series(1, 7) i`.execute(dbs.db);
});
afterAll(async () => close());

async function walk(sort: string, limit: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await paginate(dbs.db.selectFrom('audit_log' as never).select(['id', 'entity_id', 'at'] as never) as any,
      { limit, cursor, sort }, { at: 'at', id: 'id' }, '-at');
    seen.push(...page.items.map((r: any) => r.entity_id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return seen;
}

describe('keyset pagination', () => {
  it('walks every row exactly once, even within one millisecond, in both directions', async () => {
    for (const limit of [1, 2, 3, 7, 50]) {
      const down = await walk('-at', limit);
      expect(down).toEqual(['r7', 'r6', 'r5', 'r4', 'r3', 'r2', 'r1']);
      expect(await walk('at', limit)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    }
  });

  it('refuses a forged cursor and an unknown sort field', async () => {
    const q = dbs.db.selectFrom('audit_log' as never).selectAll() as any;
    await expect(paginate(q, { limit: 2, cursor: 'not-a-cursor' }, { at: 'at' }, 'at')).rejects.toMatchObject({ status: 422 });
    await expect(paginate(q, { limit: 2, sort: 'password' }, { at: 'at' }, 'at')).rejects.toMatchObject({ status: 422 });
  });
});
