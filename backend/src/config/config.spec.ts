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

  it('takes PANEL_ORIGIN as a list of origins, normalised, and names a bad one', () => {
    expect(loadConfig({ PANEL_ORIGIN: 'http://localhost:8080, https://Vigil.example/ ,' }).PANEL_ORIGIN).toEqual([
      'http://localhost:8080',
      'https://vigil.example',
    ]);
    expect(loadConfig({}).PANEL_ORIGIN).toEqual(['http://localhost:5173']);
    expect(() => loadConfig({ PANEL_ORIGIN: 'http://localhost:8080,panel' })).toThrow('PANEL_ORIGIN.1: must be a URL');
    expect(() => loadConfig({ PANEL_ORIGIN: ' , ' })).toThrow('PANEL_ORIGIN: must list at least one origin');
  });
});
