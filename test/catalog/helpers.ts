import { sql } from 'kysely';
import type { TestPlatform } from '../support/platform';
import type { Headers } from '../support/fixtures';
import { ZONES } from '../../src/modules/catalog/catalog.fixtures';

export const C = '/api/v1/catalog';
export const TMF = '/tmf-api/productCatalogManagement/v4';

export function caller(t: TestPlatform) {
  return (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, headers: Headers, payload?: unknown) =>
    t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
}

/** The tenant's rating zones (HOME, EU, WORLD) through the API. */
export async function createZones(t: TestPlatform, headers: Headers): Promise<void> {
  for (const z of ZONES) {
    const r = await caller(t)('PUT', `${C}/zones/${z.code}`, headers, { name: z.name, plmns: z.plmns });
    if (r.statusCode !== 200) throw new Error(`zone ${z.code}: ${r.statusCode} ${r.body}`);
  }
}

/** Event types recorded for one aggregate, in order. */
export async function eventsOf(t: TestPlatform, aggregateId: string): Promise<string[]> {
  const r = await t.platform.core.dbs.system((tx) =>
    sql<{ type: string }>`select type from outbox_events where aggregate_id = ${aggregateId} order by id`.execute(tx));
  return r.rows.map((x) => x.type);
}

export async function auditOf(t: TestPlatform, entityId: string): Promise<{ action: string; entity_type: string }[]> {
  const r = await t.platform.core.dbs.system((tx) =>
    sql<{ action: string; entity_type: string }>`select action, entity_type from audit_log where entity_id = ${entityId} order by id`.execute(tx));
  return r.rows;
}

export async function countRows(t: TestPlatform, table: string, tenantId: string): Promise<number> {
  const r = await t.platform.core.dbs.system((tx) =>
    sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(tx));
  return r.rows[0].n;
}
