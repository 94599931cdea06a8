import { apiKey, expectInvalid, TestApi } from '../testing/test-app';

/**
 * `__proto__`, `constructor` and `prototype` are deleted from request bodies by the validation
 * pipe (against prototype pollution), so a field with such a name used to vanish and the request
 * succeed without it. They are refused instead, named, on every route.
 */
describe('reserved field names in JSON bodies', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api.close());

  it('refuses __proto__, constructor and prototype at any depth, naming each field', async () => {
    const { agent } = await api.customer('reserved');
    const token = await api.token(agent);
    const post = (url: string, json: string) => api.http().post(url).set(apiKey(token)).type('application/json').send(json);

    expectInvalid(await post('/v2/zones', '{"name": "proto.example", "__proto__": {"enabled": false}}'), '__proto__');
    expectInvalid(await post('/v2/zones', '{"name": "ctor.example", "meta": {"constructor": 1}}'), 'meta.constructor');
    const both = await post('/v2/zones', '{"name": "deep.example", "meta": {"list": [{"prototype": {}}], "__proto__": null}}');
    expectInvalid(both, 'meta.list[0].prototype');
    expectInvalid(both, 'meta.__proto__');
    // Through Gcore's root too, and on a session's request.
    expectInvalid(
      await agent.post('/dns/v2/zones').type('application/json').send('{"name": "gcore.example", "constructor": {}}'),
      'constructor',
    );
    // Nothing was created.
    const zones = await api.http().get('/v2/zones').set(apiKey(token)).expect(200);
    expect(JSON.stringify(zones.body)).not.toMatch(/proto\.example|ctor\.example|deep\.example|gcore\.example/);
  });

  it('refuses them as query parameters too, which the pipe deletes alike', async () => {
    const token = await api.token((await api.customer('query')).agent);
    expectInvalid(await api.http().get('/v2/zones?__proto__=x').set(apiKey(token)), '__proto__');
    expectInvalid(await api.http().get('/v2/zones?limit=5&constructor=1').set(apiKey(token)), 'constructor');
    await api.http().get('/v2/zones?limit=5').set(apiKey(token)).expect(200);
  });

  it('keeps names that only resemble them', async () => {
    const { agent } = await api.customer('resembles');
    const res = await agent
      .post('/v2/zones')
      .type('application/json')
      .send('{"name": "fine.example", "meta": {"constructors": 1, "Prototype": 2, "__proto": 3}}')
      .expect(201);
    expect(res.body.meta).toEqual({ constructors: 1, Prototype: 2, __proto: 3 });
  });
});
