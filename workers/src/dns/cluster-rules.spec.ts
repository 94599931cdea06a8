import { combineHealth, RestartPolicy } from './cluster-rules';

describe('RestartPolicy', () => {
  const rules = { firstDelayMs: 100, maxDelayMs: 1000, maxCrashes: 5, windowMs: 60_000 };

  it('restarts with a doubling delay, up to the cap, and gives up at the limit of crashes within the window', () => {
    const p = new RestartPolicy({ ...rules, maxCrashes: 6 });
    expect([0, 1, 2, 3, 4].map((t) => p.exited(1, t * 1000))).toEqual([
      { restartInMs: 100 },
      { restartInMs: 200 },
      { restartInMs: 400 },
      { restartInMs: 800 },
      { restartInMs: 1000 },
    ]);
    expect(p.exited(1, 5000)).toEqual({ giveUp: 'DNS process 1 died 6 times within 60 s' });
  });

  it('counts each process on its own, and forgets crashes older than the window', () => {
    const p = new RestartPolicy(rules);
    for (let i = 0; i < 4; i++) p.exited(1, i);
    expect(p.exited(2, 10)).toEqual({ restartInMs: 100 });
    // A minute later, the four crashes of process 1 no longer count: it starts over.
    expect(p.exited(1, 60_004)).toEqual({ restartInMs: 100 });
    for (let i = 0; i < 3; i++) p.exited(1, 60_005 + i);
    expect(p.exited(1, 60_010)).toEqual({ giveUp: 'DNS process 1 died 5 times within 60 s' });
  });
});

describe('combineHealth', () => {
  const ok = (process: number, zones = 3) => ({
    process,
    pid: 100 + process,
    listening: true,
    report: { ready: true, status: 'ok', detail: { zones } },
  });

  it('is ready and ok when every process is, with each one in the detail', () => {
    expect(combineHealth([ok(1), ok(2)])).toEqual({
      ready: true,
      status: 'ok',
      detail: {
        processes: [
          { process: 1, pid: 101, ready: true, status: 'ok', zones: 3 },
          { process: 2, pid: 102, ready: true, status: 'ok', zones: 3 },
        ],
      },
    });
  });

  it('is not ready while one process loads, has not answered, or is not listening yet', () => {
    const loading = { process: 2, pid: 102, listening: false, report: { ready: false, status: 'loading' } };
    expect(combineHealth([ok(1), loading])).toMatchObject({ ready: false, status: 'loading' });
    expect(combineHealth([ok(1), { process: 2, pid: null, listening: false, report: null }])).toMatchObject({
      ready: false,
      status: 'starting',
    });
    const loadedNotListening = { ...ok(2), listening: false };
    expect(combineHealth([ok(1), loadedNotListening])).toMatchObject({ ready: false, status: 'starting' });
    expect(combineHealth([])).toMatchObject({ ready: false, status: 'starting' });
  });

  it('says stale when one process answers from its snapshot, and a not-ready one comes first', () => {
    const stale = { ...ok(2), report: { ready: true, status: 'stale', detail: { snapshotAgeSeconds: 40 } } };
    const combined = combineHealth([ok(1), stale]);
    expect(combined).toMatchObject({ ready: true, status: 'stale' });
    expect((combined.detail!.processes as unknown[])[1]).toEqual({
      process: 2,
      pid: 102,
      ready: true,
      status: 'stale',
      snapshotAgeSeconds: 40,
    });
    const restarting = { process: 3, pid: null, listening: false, report: { ready: false, status: 'restarting' } };
    expect(combineHealth([ok(1), stale, restarting])).toMatchObject({ ready: false, status: 'restarting' });
  });
});
