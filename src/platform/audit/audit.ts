import { sql } from 'kysely';
import type { Tx } from '../db/database';
import type { Actor } from '../events/outbox';

export interface AuditEntry {
  tenantId: string | null;
  enterpriseId?: string | null;
  action: string; // e.g. 'create', 'update', 'suspend'
  entityType: string; // e.g. 'enterprise'
  entityId: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditOrigin {
  actor: Actor;
  requestId?: string | null;
  ip?: string | null;
}

/** Secrets never reach the audit trail, whatever a caller passes as before/after. */
const SECRET_KEYS = /pass(word)?|secret|token|ki$|opc|totp|otpauth|challenge|hash|api_?key/i;
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : redact(v)]),
    );
  }
  return value;
}

/** Appends an audit record in the caller's transaction, so the trail and the change commit together. */
export async function recordAudit(tx: Tx, origin: AuditOrigin, entry: AuditEntry): Promise<void> {
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(redact(v)));
  await sql`insert into audit_log (tenant_id, enterprise_id, actor_type, actor_id, actor_name, action, entity_type,
                                   entity_id, before, after, request_id, ip)
            values (${entry.tenantId}, ${entry.enterpriseId ?? null}, ${origin.actor.type}, ${origin.actor.id},
                    ${origin.actor.name ?? null}, ${entry.action}, ${entry.entityType}, ${entry.entityId},
                    ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb, ${origin.requestId ?? null}, ${origin.ip ?? null})`.execute(tx);
}
