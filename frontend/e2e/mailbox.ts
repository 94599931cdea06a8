// The e-mails the api sends during the browser tests: a real SMTP server on loopback (the
// backend's test server) and, since the tests run in other processes than the global setup, a
// tiny HTTP endpoint on loopback that lists what it received as JSON.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

// The backend is CommonJS and the panel's package ESM: required, not imported, so that the
// transpiled module's exports are found.
type Smtp = typeof import('../../backend/src/testing/smtp');
const { startSmtpServer } = createRequire(import.meta.url)('../../backend/src/testing/smtp') as Smtp;

/** What a test sees of one mail. */
export interface Mail {
  envelope: { from: string; to: string[] };
  subject: string | undefined;
  text: string | undefined;
}

export async function startMailbox(): Promise<{ smtpPort: number; url: string; close: () => Promise<void> }> {
  const smtp = await startSmtpServer();
  const http = createServer((_req, res) => {
    const mails: Mail[] = smtp.mails.map((m) => ({ envelope: m.envelope, subject: m.subject, text: m.text }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(mails));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    smtpPort: smtp.port,
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: async () => {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      await smtp.close();
    },
  };
}

/** The mails received so far by the setup's SMTP server. */
export async function receivedMails(): Promise<Mail[]> {
  const url = process.env.E2E_MAILBOX_URL;
  if (!url) throw new Error('E2E_MAILBOX_URL is not set: the global setup (e2e/global-setup.ts) did not run');
  return (await (await fetch(url)).json()) as Mail[];
}
