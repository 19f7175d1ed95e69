export { recordAudit, redact, type AuditEntry, type AuditOrigin } from './audit';
