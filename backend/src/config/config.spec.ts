import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('takes an empty SUPPORT_EMAIL and SUPPORT_PASSWORD as unset, as docker compose passes them', () => {
    const c = loadConfig({ SUPPORT_EMAIL: '', SUPPORT_PASSWORD: '' });
    expect(c.SUPPORT_EMAIL).toBeUndefined();
    expect(c.SUPPORT_PASSWORD).toBeUndefined();
  });

  it('still refuses a bad or half-given support user, naming the variable', () => {
    expect(() => loadConfig({ SUPPORT_EMAIL: 'not-an-address', SUPPORT_PASSWORD: 'long-enough-password' })).toThrow(
      'SUPPORT_EMAIL: must be an e-mail address',
    );
    expect(() => loadConfig({ SUPPORT_EMAIL: 'support@example.com', SUPPORT_PASSWORD: '' })).toThrow(
      'SUPPORT_EMAIL and SUPPORT_PASSWORD must be set together',
    );
    expect(loadConfig({ SUPPORT_EMAIL: 'support@example.com', SUPPORT_PASSWORD: 'long-enough-password' }).SUPPORT_EMAIL).toBe(
      'support@example.com',
    );
  });

  it('takes PANEL_ORIGIN as a list of origins, normalised, and names a bad one', () => {
    expect(loadConfig({ PANEL_ORIGIN: 'http://localhost:8080, https://Vigil.example/ ,' }).PANEL_ORIGIN).toEqual([
      'http://localhost:8080',
      'https://vigil.example',
    ]);
    expect(loadConfig({}).PANEL_ORIGIN).toEqual(['http://localhost:5173']);
    expect(() => loadConfig({ PANEL_ORIGIN: 'http://localhost:8080,panel' })).toThrow('PANEL_ORIGIN.1: must be a URL');
    expect(() => loadConfig({ PANEL_ORIGIN: ' , ' })).toThrow('PANEL_ORIGIN: must list at least one origin');
  });

  it('takes DNS_PREVIEW_SERVER as host:port, IPv6 in brackets, empty as unset, and names a bad one', () => {
    expect(loadConfig({ DNS_PREVIEW_SERVER: '127.0.0.1:5300' }).DNS_PREVIEW_SERVER).toEqual({ host: '127.0.0.1', port: 5300 });
    expect(loadConfig({ DNS_PREVIEW_SERVER: '[::1]:53' }).DNS_PREVIEW_SERVER).toEqual({ host: '::1', port: 53 });
    expect(loadConfig({ DNS_PREVIEW_SERVER: 'dns:53' }).DNS_PREVIEW_SERVER).toEqual({ host: 'dns', port: 53 });
    expect(loadConfig({ DNS_PREVIEW_SERVER: '' }).DNS_PREVIEW_SERVER).toBeUndefined();
    for (const bad of ['127.0.0.1', '::1:53', 'dns:0', 'dns:70000', 'udp://dns:53']) {
      expect(() => loadConfig({ DNS_PREVIEW_SERVER: bad })).toThrow(
        'DNS_PREVIEW_SERVER: must be host:port, such as 127.0.0.1:53 or [::1]:53',
      );
    }
  });

  describe('SMTP', () => {
    const smtp = { SMTP_HOST: 'smtp.example.com', SMTP_FROM: 'vigil@example.com' };

    it('leaves e-mail off when SMTP_HOST is unset, empty variables included', () => {
      const c = loadConfig({ SMTP_HOST: '', SMTP_PORT: '', SMTP_TLS: '', SMTP_USER: '', SMTP_PASSWORD: '', SMTP_FROM: '' });
      expect(c.SMTP_HOST).toBeUndefined();
      expect(c.SMTP_FROM).toBeUndefined();
    });

    it('defaults to port 587 with STARTTLS when offered, or 465 with SMTP_TLS=true, and checks certificates', () => {
      expect(loadConfig(smtp)).toMatchObject({ SMTP_PORT: 587, SMTP_TLS: false, SMTP_ALLOW_INVALID_CERT: false });
      expect(loadConfig({ ...smtp, SMTP_TLS: 'true' })).toMatchObject({ SMTP_PORT: 465, SMTP_TLS: true });
      expect(loadConfig({ ...smtp, SMTP_PORT: '2525', SMTP_TLS: 'yes', SMTP_ALLOW_INVALID_CERT: '1' })).toMatchObject({
        SMTP_PORT: 2525,
        SMTP_TLS: true,
        SMTP_ALLOW_INVALID_CERT: true,
      });
      const login = loadConfig({ ...smtp, SMTP_USER: 'vigil', SMTP_PASSWORD: 'secret' });
      expect([login.SMTP_USER, login.SMTP_PASSWORD]).toEqual(['vigil', 'secret']);
    });

    it('refuses bad values, a line each', () => {
      const bad = () => loadConfig({ SMTP_HOST: 'smtp://smtp.example.com:587', SMTP_PORT: '70000', SMTP_TLS: 'maybe', SMTP_FROM: 'vigil' });
      expect(bad).toThrow(ConfigError);
      expect(bad).toThrow(
        'Invalid configuration:\n' +
          '  SMTP_HOST: must be a host name or IP address (without scheme or port: the port is SMTP_PORT)\n' +
          '  SMTP_PORT: must be a port number\n' +
          '  SMTP_TLS: must be true or false\n' +
          '  SMTP_FROM: must be an e-mail address',
      );
      expect(loadConfig({ ...smtp, SMTP_HOST: '192.0.2.25' }).SMTP_HOST).toBe('192.0.2.25');
      expect(loadConfig({ ...smtp, SMTP_HOST: '2001:db8::25' }).SMTP_HOST).toBe('2001:db8::25');
    });

    it('refuses settings that do not go together, a line each, without showing the password', () => {
      const message = (env: Record<string, string>) => {
        try {
          loadConfig(env);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          return (e as Error).message;
        }
        throw new Error('loadConfig accepted it');
      };
      expect(message({ SMTP_HOST: 'smtp.example.com', SMTP_PASSWORD: 'hunter2-secret' })).toBe(
        'Invalid configuration:\n' +
          '  SMTP_FROM: required with SMTP_HOST (the sender address of notification e-mails)\n' +
          '  SMTP_USER and SMTP_PASSWORD must be set together',
      );
      expect(message({ SMTP_FROM: 'vigil@example.com', SMTP_PORT: '25', SMTP_USER: 'vigil' })).toBe(
        'Invalid configuration:\n' +
          '  SMTP_PORT: is set but SMTP_HOST is not (set SMTP_HOST to send e-mail)\n' +
          '  SMTP_USER: is set but SMTP_HOST is not (set SMTP_HOST to send e-mail)\n' +
          '  SMTP_FROM: is set but SMTP_HOST is not (set SMTP_HOST to send e-mail)',
      );
      expect(message({ ...smtp, SMTP_TLS: 'true', SMTP_PORT: '587' })).toBe(
        'Invalid configuration:\n  SMTP_TLS: port 587 takes STARTTLS, not implicit TLS: set SMTP_TLS=false, or SMTP_PORT to the TLS port (465)',
      );
      expect(message({ ...smtp, SMTP_PORT: '465' })).toBe(
        'Invalid configuration:\n  SMTP_TLS: port 465 takes implicit TLS: set SMTP_TLS=true',
      );
      expect(message({ ...smtp, SUPPORT_EMAIL: 'support@example.com', SMTP_USER: 'vigil' })).toBe(
        'Invalid configuration:\n  SUPPORT_EMAIL and SUPPORT_PASSWORD must be set together\n  SMTP_USER and SMTP_PASSWORD must be set together',
      );
    });
  });
});
