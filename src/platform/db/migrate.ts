import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { DatabaseService } from './database';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../migrations');

export interface MigrationFile {
  name: string;
  checksum: string;
  sql: string;
}

/** Migration files in apply order: `NNNN_<module>_<what>.sql`, sorted by name. */
export function listMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const text = readFileSync(join(dir, name), 'utf8');
      return { name, sql: text, checksum: createHash('sha256').update(text).digest('hex').slice(0, 16) };
    });
}

const LOCK_KEY = 4_242_001; // one migrator at a time across processes

/**
 * Applies every migration not yet applied, each in its own transaction, under a session advisory lock so
 * that several processes starting at once migrate once. A changed file that was already applied is an error:
 * migrations are history, a fix is a new file.
 */
export async function migrate(dbs: DatabaseService, log: (msg: string) => void = () => {}): Promise<string[]> {
  await dbs.exec(`create table if not exists cmp_migrations (
      name text primary key, checksum text not null, applied_at timestamptz not null default now())`);
  const files = listMigrations();
  const applied: string[] = [];
  await dbs.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${LOCK_KEY})`.execute(conn);
    try {
      const done = await sql<{ name: string; checksum: string }>`select name, checksum from cmp_migrations`.execute(conn);
      const known = new Map(done.rows.map((r) => [r.name, r.checksum]));
      for (const f of files) {
        const prev = known.get(f.name);
        if (prev !== undefined) {
          if (prev !== f.checksum) throw new Error(`migration ${f.name} was changed after it was applied`);
          continue;
        }
        log(`applying ${f.name}`);
        await sql.raw(`begin;\n${f.sql}\n;insert into cmp_migrations(name, checksum) values ('${f.name}', '${f.checksum}');\ncommit;`).execute(conn).catch(async (e) => {
          await sql`rollback`.execute(conn).catch(() => {});
          throw new Error(`migration ${f.name} failed: ${(e as Error).message}`);
        });
        applied.push(f.name);
      }
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_KEY})`.execute(conn);
    }
  });
  return applied;
}

/** Names of migration files that are not applied yet (readiness check). */
export async function pendingMigrations(dbs: DatabaseService): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from cmp_migrations`.execute(dbs.db).catch(() => ({ rows: [] }));
  const done = new Set(rows.rows.map((r) => r.name));
  return listMigrations().map((f) => f.name).filter((n) => !done.has(n));
}
