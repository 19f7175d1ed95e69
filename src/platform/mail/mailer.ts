import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../config';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** False when SMTP_URL is not configured: messages are then dropped (and logged without their body). */
  readonly enabled: boolean;
  /** Sends one message; resolves true when the SMTP server accepted it. */
  send(message: MailMessage): Promise<boolean>;
}

/** Outgoing e-mail over SMTP (SMTP_URL, e.g. smtp://user:pass@host:587). One transport per process. */
export function createMailer(config: Pick<Config, 'SMTP_URL' | 'PUBLIC_URL'>, log: Logger): Mailer {
  const from = `OpenCMP <no-reply@${config.PUBLIC_URL ? new URL(config.PUBLIC_URL).hostname : 'opencmp.local'}>`;
  if (!config.SMTP_URL) {
    return {
      enabled: false,
      async send(m) {
        log.info({ to: m.to, subject: m.subject }, 'SMTP_URL is not set: e-mail not sent');
        return false;
      },
    };
  }
  const transport = nodemailer.createTransport(config.SMTP_URL);
  return {
    enabled: true,
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
      return true;
    },
  };
}
