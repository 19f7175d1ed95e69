import type { ColumnType, Generated } from 'kysely';
import type { DeliveryStatus } from './provisioning.fns';

/** Kysely types of the tables the provisioning module owns (migrations 0700–0799). */
type Stamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type TargetKind = 'REST' | 'SFTP' | 'CISCO_CC';

export interface ProvisioningTargetsTable {
  tenant_id: string;
  id: Generated<string>;
  name: string;
  kind: TargetKind;
  config: Json<Record<string, unknown>>;
  secret_enc: Buffer | null;
  key_id: string | null;
  inbound_secret_enc: Buffer | null;
  inbound_key_id: string | null;
  event_types: ColumnType<string[], string[] | undefined, string[]>;
  gate: Generated<'ALL' | 'MAPPED_OFFERS'>;
  offer_profiles: Json<Record<string, string>>;
  capabilities: ColumnType<string[], string[] | undefined, string[]>;
  max_attempts: Generated<number>;
  batch_size: Generated<number>;
  enabled: Generated<boolean>;
  created_at: Stamp;
  updated_at: Stamp;
}

export interface ProvisioningDeliveriesTable {
  tenant_id: string;
  id: Generated<number>;
  event_id: string;
  event_seq: number;
  event_type: string;
  target_id: string;
  sim_id: string | null;
  enterprise_id: string | null;
  lane: string;
  change_id: string | null;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  max_attempts: number;
  next_attempt_at: Stamp;
  last_error: string | null;
  last_result_code: string | null;
  external_ref: string | null;
  created_at: Stamp;
  updated_at: Stamp;
  finished_at: Date | null;
  discarded_by: Json<unknown> | null;
  discard_reason: string | null;
}

export interface ExternalKeysTable {
  tenant_id: string;
  entity_type: string;
  entity_id: string;
  target_id: string;
  key_name: string;
  value: string;
  retired_at: Date | null;
  updated_at: Stamp;
}

export interface InboundNotificationsTable {
  tenant_id: string;
  id: Generated<string>;
  source: string;
  sender_event_id: string;
  type: string;
  payload: Json<Record<string, unknown>>;
  status: 'APPLIED' | 'UNMATCHED' | 'IGNORED' | 'FAILED';
  sim_id: string | null;
  detail: string | null;
  received_at: Stamp;
  processed_at: Date | null;
}

declare module '../../platform/db/schema' {
  interface Database {
    provisioning_targets: ProvisioningTargetsTable;
    provisioning_deliveries: ProvisioningDeliveriesTable;
    external_keys: ExternalKeysTable;
    inbound_notifications: InboundNotificationsTable;
  }
}
