import { ConfigError } from '../common/env';
import { loadProbeConfig } from './config';

describe('PROBE_LATLONG', () => {
  it('reads the location as latitude,longitude; empty or unset announces none', () => {
    expect(loadProbeConfig({ LOCATION: 'eu-1', PROBE_LATLONG: '48.86, 2.35' }).PROBE_LATLONG).toEqual([48.86, 2.35]);
    expect(loadProbeConfig({ LOCATION: 'eu-1', PROBE_LATLONG: ' ' }).PROBE_LATLONG).toBeNull();
    expect(loadProbeConfig({ LOCATION: 'eu-1' }).PROBE_LATLONG).toBeNull();
  });

  it('refuses a bad value, naming the variable and the reason', () => {
    expect(() => loadProbeConfig({ LOCATION: 'eu-1', PROBE_LATLONG: 'paris' })).toThrow(ConfigError);
    expect(() => loadProbeConfig({ LOCATION: 'eu-1', PROBE_LATLONG: 'paris' })).toThrow(
      /PROBE_LATLONG: must be "<latitude>,<longitude>" in degrees, such as 48.86,2.35/,
    );
    expect(() => loadProbeConfig({ LOCATION: 'eu-1', PROBE_LATLONG: '2.35,248.86' })).toThrow(
      /PROBE_LATLONG: longitude must be from -180 to 180 \(it is 248.86\)/,
    );
  });
});
