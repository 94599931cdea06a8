import { prerequisite } from './prerequisite';

describe('prerequisite', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  });

  it('is met when there is no problem, under CI or not', () => {
    process.env.CI = 'true';
    expect(prerequisite('Unbound', null)).toBe(true);
    delete process.env.CI;
    expect(prerequisite('Unbound', null)).toBe(true);
  });

  it('fails under CI when missing, naming what and why', () => {
    process.env.CI = 'true';
    expect(() => prerequisite('Unbound', 'spawn unbound ENOENT')).toThrow('Unbound is missing in CI: spawn unbound ENOENT');
  });

  it('lets the caller skip, saying why, outside CI', () => {
    delete process.env.CI;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(prerequisite('Unbound', 'spawn unbound ENOENT')).toBe(false);
    expect(warn).toHaveBeenCalledWith('skipping tests that need Unbound: spawn unbound ENOENT');
    warn.mockRestore();
  });
});
