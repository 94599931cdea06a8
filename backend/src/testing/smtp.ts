// A real SMTP server (smtp-server) on 127.0.0.1 that records the mails it takes, for the tests
// of the e-mail channel: optionally requiring AUTH, optionally on implicit TLS or offering
// STARTTLS with a self-signed certificate made by the openssl CLI.
import { type ParsedMail, simpleParser } from 'mailparser';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

export interface RecordedMail {
  /** The envelope: MAIL FROM and the accepted RCPT TO addresses. */
  envelope: { from: string; to: string[] };
  /** The From and To headers' addresses. */
  from: string[];
  to: string[];
  subject: string | undefined;
  text: string | undefined;
  html: string | false | undefined;
  /** Every header, parsed (names in lower case). */
  headers: ParsedMail['headers'];
  /** The user that logged in, if one did. */
  user: string | undefined;
  /** Whether the session was on TLS (implicit or after STARTTLS). */
  secure: boolean;
}

export interface SmtpServerOptions {
  /** Require AUTH (PLAIN or LOGIN) with this user and password. */
  auth?: { user: string; pass: string };
  /** Implicit TLS from the first byte, with a self-signed certificate. */
  secure?: boolean;
  /** Offer STARTTLS (self-signed certificate); otherwise a plain server does not. */
  starttls?: boolean;
  /** Refuse a recipient at RCPT TO: true for 550, or the reply code to answer. */
  rejectRecipient?: (address: string) => boolean | number;
}

export interface TestSmtpServer {
  port: number;
  mails: RecordedMail[];
  /** Resolves with the mails once there are `n`; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<RecordedMail[]>;
  close(): Promise<void>;
}

let certificate: { key: Buffer; cert: Buffer } | undefined;

/** A self-signed certificate for localhost and 127.0.0.1, made once; no openssl is an error, not a skip. */
function testCertificate(): { key: Buffer; cert: Buffer } {
  if (certificate) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-smtp-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  try {
    const subject = ['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-keyout', key, '-out', cert, ...subject], {
      stdio: 'pipe',
    });
    certificate = { key: readFileSync(key), cert: readFileSync(cert) };
    return certificate;
  } catch (e) {
    throw new Error(`the TLS test SMTP server needs the openssl CLI (Debian: openssl): ${(e as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const addresses = (a: ParsedMail['from'] | ParsedMail['to']) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address ?? ''));

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const mails: RecordedMail[] = [];
  const waiters = new Set<() => void>();
  const tls = options.secure || options.starttls ? testCertificate() : {};
  const server = new SMTPServer({
    ...tls,
    secure: options.secure ?? false,
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 500,
    // A plain server without STARTTLS takes AUTH in the clear: the tests' loopback only.
    allowInsecureAuth: true,
    authOptional: !options.auth,
    disabledCommands: [...(options.auth ? [] : ['AUTH']), ...(options.secure || options.starttls ? [] : ['STARTTLS'])],
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        return callback(null, { user: auth.username });
      }
      callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      const refused = options.rejectRecipient?.(address.address) ?? false;
      if (refused === false) return callback();
      const err: SMTPServerError = new Error(`No such user here: ${address.address}`);
      err.responseCode = refused === true ? 550 : refused;
      callback(err);
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          mails.push({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            from: addresses(parsed.from),
            to: addresses(parsed.to),
            subject: parsed.subject,
            text: parsed.text,
            html: parsed.html,
            headers: parsed.headers,
            user: session.user as string | undefined,
            secure: session.secure,
          });
          for (const wake of waiters) wake();
          callback();
        },
        (e: Error) => callback(e),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Errors of one client's session (a test's client hanging up) are not the server's.
  server.on('error', () => undefined);

  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    waitFor(n, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (mails.length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(mails.slice(0, n));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${n} mails within ${timeoutMs} ms, got ${mails.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
