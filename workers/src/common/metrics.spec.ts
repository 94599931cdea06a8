import { Counter, Registry } from 'prom-client';
import { boundPort, startMetricsServer } from './metrics';

describe('startMetricsServer', () => {
  it('serves the registry and /healthz, and survives a server error after listening (EMFILE on accept)', async () => {
    const registry = new Registry();
    new Counter({ name: 'vigil_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    let ready = false;
    const errors: string[] = [];
    const server = await startMetricsServer(
      registry,
      0,
      '127.0.0.1',
      () => (ready ? { ready, status: 'ok', detail: { zones: 1 } } : { ready, status: 'loading' }),
      (e) => void errors.push(e.message),
    );
    try {
      const url = `http://127.0.0.1:${boundPort(server)}`;
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('vigil_test_total 3');
      const loading = await fetch(`${url}/healthz`);
      expect([loading.status, await loading.json()]).toEqual([503, { status: 'loading' }]);
      ready = true;
      const ok = await fetch(`${url}/healthz`);
      expect([ok.status, await ok.json()]).toEqual([200, { status: 'ok', zones: 1 }]);
      // With no 'error' listener this emit throws, as the real one would end the process.
      expect(() => server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }))).not.toThrow();
      expect(errors).toEqual(['accept EMFILE']);
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
