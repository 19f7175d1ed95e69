import pino, { type Logger } from 'pino';

/** Structured JSON logs; credentials and personal secrets are redacted wherever they appear. */
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie',
  '*.password', '*.newPassword', '*.token', '*.secret', '*.totpCode', '*.apiKey', '*.ki', '*.opc', '*.Ki', '*.OPc',
  'password', 'token', 'secret',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'opencmp' } });
}
