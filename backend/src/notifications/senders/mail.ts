// E-mail over SMTP with nodemailer, through the operator's server (SMTP_* settings): one
// connection a message, short timeouts, and errors that say whether trying again can help.
import nodemailer, { type NodemailerError, type SMTPSentMessageInfo, type SMTPTransportOptions, type Transporter } from 'nodemailer';
import type { AppConfig } from '../../config/config';

export type MailConfig = Pick<
  AppConfig,
  'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_TLS' | 'SMTP_USER' | 'SMTP_PASSWORD' | 'SMTP_FROM' | 'SMTP_ALLOW_INVALID_CERT'
>;

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

export interface MailSent {
  /** The Message-ID the delivered copy carries (the server's, when it replaces ours: Microsoft 365, SES). */
  messageId: string;
  /** Recipients the server refused while it took the message for the others. */
  rejected: string[];
}

/**
 * A send or a check that failed, in one line naming the server. `permanent`: the server
 * refused the message or its recipients for good (a 5xx reply), so sending it again gets the
 * same answer. Not permanent: it could not be reached, timed out, answered 4xx, or refused
 * the login (the operator's settings, not the message: retries go through once they are fixed).
 */
export class MailError extends Error {
  override readonly name = 'MailError';

  constructor(
    message: string,
    readonly permanent: boolean,
    /** nodemailer's code (ESOCKET, ETIMEDOUT, EAUTH, EENVELOPE, ...), and the SMTP reply code if there was one. */
    readonly code?: string,
    readonly responseCode?: number,
  ) {
    super(message);
  }
}

const DEFAULT_TIMEOUT_MS = 5000;

export class Mailer {
  private readonly transport: Transporter<SMTPSentMessageInfo, SMTPTransportOptions>;
  /** host:port, as the messages name the server. */
  readonly server: string;

  private constructor(
    private readonly config: MailConfig & { SMTP_HOST: string; SMTP_FROM: string },
    timeoutMs: number,
  ) {
    this.server = `${config.SMTP_HOST.includes(':') ? `[${config.SMTP_HOST}]` : config.SMTP_HOST}:${config.SMTP_PORT}`;
    const options: SMTPTransportOptions = {
      host: config.SMTP_HOST,
      port: config.SMTP_PORT,
      // Implicit TLS; otherwise nodemailer upgrades with STARTTLS when the server offers it.
      secure: config.SMTP_TLS,
      auth: config.SMTP_USER !== undefined ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD } : undefined,
      tls: { rejectUnauthorized: !config.SMTP_ALLOW_INVALID_CERT },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
      // Inactivity once talking: a server may take a while to accept the message's data.
      socketTimeout: 3 * timeoutMs,
    };
    this.transport = nodemailer.createTransport(options);
  }

  /** The mailer of the SMTP_* settings, or null when SMTP_HOST is unset (loadConfig made sure SMTP_FROM is set with it). */
  static fromConfig(config: MailConfig, options: { timeoutMs?: number } = {}): Mailer | null {
    const { SMTP_HOST, SMTP_FROM } = config;
    if (SMTP_HOST === undefined || SMTP_FROM === undefined) return null;
    return new Mailer({ ...config, SMTP_HOST, SMTP_FROM }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  /** Connects, says EHLO, upgrades to TLS and logs in as a send would, then quits; throws a MailError. */
  async verify(): Promise<void> {
    try {
      await this.transport.verify();
    } catch (e) {
      throw this.failure(e as NodemailerError);
    }
  }

  async send(mail: Mail): Promise<MailSent> {
    if (mail.to.length === 0) throw new MailError('an e-mail needs at least one recipient', true);
    try {
      const info = await this.transport.sendMail({
        from: { name: 'Vigil', address: this.config.SMTP_FROM },
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
        // What we send is text we made: it never names a file or URL to read.
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      return { messageId: info.serverMessageId ?? info.messageId, rejected: info.rejected };
    } catch (e) {
      throw this.failure(e as NodemailerError);
    }
  }

  close(): void {
    this.transport.close();
  }

  private failure(e: NodemailerError): MailError {
    const code = e.code;
    // A refused login (535, or 530 when none was given) is the server's settings: not permanent.
    const login = code === 'EAUTH' || e.responseCode === 530;
    const permanent = e.permanent === true && !login;
    return new MailError(`SMTP server ${this.server}: ${this.reason(e, login)}`, permanent, code, e.responseCode);
  }

  private reason(e: NodemailerError, login: boolean): string {
    const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
    const original = e.originalCode ?? '';
    if (original === 'ECONNREFUSED') return 'connection refused (is it running, and is SMTP_PORT right?)';
    if (e.code === 'ETIMEDOUT') {
      const hint = e.timeoutType === 'GREETING_TIMEOUT' ? ' (is SMTP_TLS right for this port?)' : '';
      return `no answer within the timeout: ${oneLine(e.message)}${hint}`;
    }
    if (login) return `${oneLine(e.message)} (check SMTP_USER and SMTP_PASSWORD)`;
    if (/^(ERR_SSL_|ERR_TLS_)|CERT|SELF_SIGNED/.test(original)) {
      const hint = /CERT|SELF_SIGNED/.test(original) ? 'SMTP_ALLOW_INVALID_CERT=true accepts it' : 'is SMTP_TLS right for this port?';
      // OpenSSL's own text is a multi-line dump; its code says it.
      return `TLS failed: ${original.startsWith('ERR_SSL_') ? original : oneLine(e.message)} (${hint})`;
    }
    return oneLine(e.message) + (original && !e.message.includes(original) ? ` (${original})` : '');
  }
}
