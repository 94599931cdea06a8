import { certReading, type CertReading, type CertState, nextCert } from './cert';

const DAY = 86_400_000;
const EXPIRES = Date.UTC(2026, 11, 7, 12);
const read = (level: CertReading['level'], days: number, expires = EXPIRES, location = 'eu-1'): CertReading => ({
  level,
  days_left: days,
  expires_at: expires,
  at: expires - days * DAY - 1000,
  location,
});
const kept = (level: CertState['level'], days: number, expires = EXPIRES): CertState => ({
  checkId: 'c1',
  address: '192.0.2.1',
  ...read(level, days, expires),
});
const next = (current: CertState | null, reading: CertReading) => nextCert(current, 'c1', '192.0.2.1', reading);

describe('certReading', () => {
  const base = { at: 1, location: 'eu-1' };

  it('reads a result without a warning as ok, one with a warning as expiring, at most one day left as critical', () => {
    expect(certReading({ ...base, cert_days_left: 40, cert_expires_at: EXPIRES })).toMatchObject({ level: 'ok', days_left: 40 });
    const warning = 'certificate expires in 2 days (2026-12-07)';
    expect(certReading({ ...base, warning, cert_days_left: 2, cert_expires_at: EXPIRES })).toMatchObject({ level: 'expiring' });
    expect(certReading({ ...base, warning, cert_days_left: 1, cert_expires_at: EXPIRES })).toMatchObject({ level: 'critical' });
    expect(
      certReading({ ...base, warning: 'certificate expired on 2026-12-07', cert_days_left: -3, cert_expires_at: EXPIRES }),
    ).toMatchObject({
      level: 'critical',
      expires_at: EXPIRES,
      location: 'eu-1',
    });
  });

  it('has no reading without the days left and the date (no cert_expiry_days, no TLS answer, an undated certificate)', () => {
    expect(certReading(base)).toBeNull();
    expect(certReading({ ...base, warning: 'certificate expiry unknown (the server sent no certificate date)' })).toBeNull();
    expect(certReading({ ...base, cert_days_left: 2 })).toBeNull();
  });
});

describe('nextCert', () => {
  it('says nothing of a certificate outside its window that was never in it', () => {
    expect(next(null, read('ok', 80))).toBeUndefined();
  });

  it('announces entering the window once, with the days left and the date, then nothing while the days count down', () => {
    const entered = next(null, read('expiring', 6))!;
    expect(entered.event).toEqual({
      checkId: 'c1',
      address: '192.0.2.1',
      level: 'expiring',
      previous: 'ok',
      renewed: false,
      days_left: 6,
      expires_at: EXPIRES,
      at: EXPIRES - 6 * DAY - 1000,
      location: 'eu-1',
    });
    expect(entered.state).toMatchObject({ level: 'expiring', days_left: 6, expires_at: EXPIRES });
    for (const days of [6, 5, 4, 3, 2]) expect(next(entered.state, read('expiring', days))).toBeUndefined();
  });

  it('announces critical once when it comes, and never steps back down for the same certificate', () => {
    const critical = next(kept('expiring', 3), read('critical', 1))!;
    expect(critical.event).toMatchObject({ level: 'critical', previous: 'expiring', renewed: false, days_left: 1 });
    expect(next(critical.state, read('critical', 0))).toBeUndefined();
    expect(next(critical.state, read('critical', -2))).toBeUndefined();
    // A probe whose clock lags reads 2 days: no flap.
    expect(next(critical.state, read('expiring', 2))).toBeUndefined();
  });

  it('does not flap at the window edge nor when the window is made shorter: ok for the same certificate changes nothing', () => {
    expect(next(kept('expiring', 6), read('ok', 7))).toBeUndefined();
    expect(next(kept('expiring', 20), read('ok', 19))).toBeUndefined();
  });

  it('announces a renewed certificate (a later date) out of the window, and the kept state goes', () => {
    const renewed = next(kept('expiring', 3), read('ok', 89, EXPIRES + 87 * DAY))!;
    expect(renewed.state).toBeNull();
    expect(renewed.event).toMatchObject({
      level: 'ok',
      previous: 'expiring',
      renewed: true,
      days_left: 89,
      expires_at: EXPIRES + 87 * DAY,
    });
  });

  it('takes a renewed certificate still within the window afresh: expiring again, from critical', () => {
    const again = next(kept('critical', 1), read('expiring', 5, EXPIRES + 4 * DAY))!;
    expect(again.event).toMatchObject({ level: 'expiring', previous: 'critical', renewed: true, days_left: 5 });
    expect(again.state).toMatchObject({ level: 'expiring', expires_at: EXPIRES + 4 * DAY });
  });

  it('goes straight to critical when the first reading in the window has at most a day left', () => {
    expect(next(null, read('critical', 0))!.event).toMatchObject({ level: 'critical', previous: 'ok', renewed: false });
  });
});
