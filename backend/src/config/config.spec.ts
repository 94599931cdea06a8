import { loadConfig } from './config';

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
});
