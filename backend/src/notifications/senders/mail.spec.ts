import { createServer, type Server } from 'node:net';
import { loadConfig } from '../../config/config';
import { startSmtpServer, type TestSmtpServer } from '../../testing/smtp';
import { Mailer, MailError } from './mail';

const FROM = 'vigil@example.test';

/** The mailer the api would build from these settings, against 127.0.0.1:port. */
function mailerFor(port: number, env: Record<string, string> = {}, timeoutMs?: number): Mailer {
  const config = loadConfig({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_FROM: FROM, ...env });
  return Mailer.fromConfig(config, { timeoutMs })!;
}

const message = { to: ['ops@example.test'], subject: 'Test', text: 'Hello' };

/** What the promise rejected with, which must be a MailError. */
async function failure(p: Promise<unknown>): Promise<MailError> {
  const e = await p.then(
    () => new Error('it succeeded'),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MailError);
  return e as MailError;
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('Mailer', () => {
  let smtp: TestSmtpServer | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  it('is null when SMTP_HOST is unset', () => {
    expect(Mailer.fromConfig(loadConfig({}))).toBeNull();
  });

  it('delivers a mail with its subject, text, HTML, sender, recipients and headers', async () => {
    smtp = await startSmtpServer();
    const sent = await mailerFor(smtp.port).send({
      to: ['ops@example.test', 'oncall@example.test'],
      subject: 'DOWN: www.example.com A 192.0.2.1',
      text: '192.0.2.1 is down',
      html: '<p>192.0.2.1 is <b>down</b></p>',
      headers: { 'X-Vigil-Delivery': 'abc123' },
    });
    const [mail] = await smtp.waitFor(1);
    expect(mail).toMatchObject({
      envelope: { from: FROM, to: ['ops@example.test', 'oncall@example.test'] },
      from: [FROM],
      to: ['ops@example.test', 'oncall@example.test'],
      subject: 'DOWN: www.example.com A 192.0.2.1',
      text: '192.0.2.1 is down',
      html: '<p>192.0.2.1 is <b>down</b></p>',
      secure: false,
      user: undefined,
    });
    expect(mail.headers.get('x-vigil-delivery')).toBe('abc123');
    expect(mail.headers.get('from')).toMatchObject({ value: [{ name: 'Vigil', address: FROM }] });
    expect(mail.headers.get('message-id')).toBe(sent.messageId);
    expect(sent.rejected).toEqual([]);
  });

  it('logs in when the server requires it', async () => {
    smtp = await startSmtpServer({ auth: { user: 'vigil', pass: 'right-password' } });
    await mailerFor(smtp.port, { SMTP_USER: 'vigil', SMTP_PASSWORD: 'right-password' }).send(message);
    const [mail] = await smtp.waitFor(1);
    expect(mail.user).toBe('vigil');
  });

  // Not permanent: a refused login is the operator's settings, not the message or its recipients.
  // Deliveries retry (their jobs outlive a restart), so they go out once SMTP_PASSWORD is fixed;
  // providers also answer 535 to a login they throttle or an account they lock for a while.
  it('fails on a wrong password, not permanently, naming the server and the settings', async () => {
    smtp = await startSmtpServer({ auth: { user: 'vigil', pass: 'right-password' } });
    const e = await failure(mailerFor(smtp.port, { SMTP_USER: 'vigil', SMTP_PASSWORD: 'wrong-password' }).send(message));
    expect(e.message).toBe(
      `SMTP server 127.0.0.1:${smtp.port}: Invalid login: 535 Invalid username or password (check SMTP_USER and SMTP_PASSWORD)`,
    );
    expect(e).toMatchObject({ permanent: false, code: 'EAUTH', responseCode: 535 });
    expect(smtp.mails).toHaveLength(0);

    // No login given where one is required: the server's 530, the same kind of failure.
    const none = await failure(mailerFor(smtp.port).send(message));
    expect(none.message).toContain('530');
    expect(none.permanent).toBe(false);
  });

  it('fails permanently when the server refuses the recipient with 550, and not on a 4xx', async () => {
    smtp = await startSmtpServer({ rejectRecipient: (a) => (a.startsWith('nobody@') ? true : a.startsWith('full@') ? 452 : false) });
    const mailer = mailerFor(smtp.port);
    const refused = await failure(mailer.send({ ...message, to: ['nobody@example.test'] }));
    expect(refused.message).toBe(
      `SMTP server 127.0.0.1:${smtp.port}: Can't send mail - all recipients were rejected: 550 No such user here: nobody@example.test`,
    );
    expect(refused).toMatchObject({ permanent: true, code: 'EENVELOPE', responseCode: 550 });

    const later = await failure(mailer.send({ ...message, to: ['full@example.test'] }));
    expect(later).toMatchObject({ permanent: false, responseCode: 452 });

    // One of two refused: the other gets it, and the result names the refused one.
    const sent = await mailer.send({ ...message, to: ['nobody@example.test', 'ops@example.test'] });
    expect(sent.rejected).toEqual(['nobody@example.test']);
    const [mail] = await smtp.waitFor(1);
    expect(mail.envelope.to).toEqual(['ops@example.test']);
  });

  it('refuses a mail without recipients, permanently, before connecting', async () => {
    const e = await failure(mailerFor(1).send({ ...message, to: [] }));
    expect(e).toMatchObject({ message: 'an e-mail needs at least one recipient', permanent: true });
  });

  it('fails, not permanently, when the server is down or does not answer', async () => {
    const closed = createServer();
    const port = await listening(closed);
    await new Promise((resolve) => closed.close(resolve));
    const down = await failure(mailerFor(port).send(message));
    expect(down.message).toBe(`SMTP server 127.0.0.1:${port}: connection refused (is it running, and is SMTP_PORT right?)`);
    expect(down).toMatchObject({ permanent: false, code: 'ESOCKET' });

    // Takes the connection and never greets (as a plain client on an implicit-TLS port sees it).
    const silent = createServer(() => undefined);
    const silentPort = await listening(silent);
    try {
      const started = Date.now();
      const e = await failure(mailerFor(silentPort, {}, 300).send(message));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(e.message).toBe(
        `SMTP server 127.0.0.1:${silentPort}: no answer within the timeout: Greeting never received (is SMTP_TLS right for this port?)`,
      );
      expect(e).toMatchObject({ permanent: false, code: 'ETIMEDOUT' });
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('verifies the settings against a live server, and names the server and the reason against a dead one', async () => {
    smtp = await startSmtpServer({ auth: { user: 'vigil', pass: 'right-password' } });
    await expect(mailerFor(smtp.port, { SMTP_USER: 'vigil', SMTP_PASSWORD: 'right-password' }).verify()).resolves.toBeUndefined();
    const wrong = await failure(mailerFor(smtp.port, { SMTP_USER: 'vigil', SMTP_PASSWORD: 'wrong-password' }).verify());
    expect(wrong.message).toContain(`SMTP server 127.0.0.1:${smtp.port}: Invalid login: 535`);
    const port = smtp.port;
    await smtp.close();
    smtp = undefined;
    const dead = await failure(mailerFor(port).verify());
    expect(dead.message).toBe(`SMTP server 127.0.0.1:${port}: connection refused (is it running, and is SMTP_PORT right?)`);
  });

  it('speaks implicit TLS with SMTP_TLS=true, accepting a self-signed certificate only with SMTP_ALLOW_INVALID_CERT', async () => {
    smtp = await startSmtpServer({ secure: true, auth: { user: 'vigil', pass: 'right-password' } });
    const login = { SMTP_TLS: 'true', SMTP_USER: 'vigil', SMTP_PASSWORD: 'right-password' };
    await mailerFor(smtp.port, { ...login, SMTP_ALLOW_INVALID_CERT: 'true' }).send(message);
    const [mail] = await smtp.waitFor(1);
    expect(mail).toMatchObject({ secure: true, user: 'vigil', subject: 'Test' });

    const checked = await failure(mailerFor(smtp.port, login).send(message));
    expect(checked.message).toBe(
      `SMTP server 127.0.0.1:${smtp.port}: TLS failed: self-signed certificate (SMTP_ALLOW_INVALID_CERT=true accepts it)`,
    );
    expect(checked.permanent).toBe(false);
    expect(smtp.mails).toHaveLength(1);
  });

  it('upgrades with STARTTLS when the server offers it, checking the certificate as well', async () => {
    smtp = await startSmtpServer({ starttls: true });
    await mailerFor(smtp.port, { SMTP_ALLOW_INVALID_CERT: 'true' }).send(message);
    const [mail] = await smtp.waitFor(1);
    expect(mail.secure).toBe(true);
    const checked = await failure(mailerFor(smtp.port).send(message));
    expect(checked.message).toContain('TLS failed: self-signed certificate');
  });

  it('says TLS failed when SMTP_TLS=true meets a plain server', async () => {
    smtp = await startSmtpServer();
    const e = await failure(mailerFor(smtp.port, { SMTP_TLS: 'true' }).send(message));
    expect(e.message).toBe(
      `SMTP server 127.0.0.1:${smtp.port}: TLS failed: ERR_SSL_WRONG_VERSION_NUMBER (is SMTP_TLS right for this port?)`,
    );
    expect(e.permanent).toBe(false);
  });
});
