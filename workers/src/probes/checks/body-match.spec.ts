import { BodyMatcher } from './body-match';

describe('BodyMatcher', () => {
  const matcher = new BodyMatcher({ threads: 1 });
  afterAll(() => matcher.close());

  it('matches in its thread, and tells an invalid pattern at once', async () => {
    expect(await matcher.match('^all ok$', 'all ok')).toEqual({ matched: true });
    expect(await matcher.match('^ok', 'not ok')).toEqual({ matched: false });
    expect(await matcher.match('(a)\\1', 'aa')).toEqual({ error: expect.stringMatching(/^invalid regexp: /) });
  });

  it("serves owners in turn: one tenant's queued matches do not go before another's", async () => {
    const order: string[] = [];
    const m = (owner: string, name: string) => matcher.match('o', 'ok', owner).then(() => void order.push(name));
    // a1 runs at once; the rest wait for the one thread.
    await Promise.all([m('a.test', 'a1'), m('a.test', 'a2'), m('a.test', 'a3'), m('b.test', 'b1'), m('a.test', 'a4'), m('c.test', 'c1')]);
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'a4']);
  });

  it('makes a match that ran over its budget no vote, and its pattern no vote for a while without matching', async () => {
    const tight = new BodyMatcher({ budgetMs: 50 });
    try {
      const costly = '[\\w\\s]{1000}[\\w\\s]{500}!';
      const text = 'ab '.repeat(20_000);
      expect(await tight.match(costly, text)).toEqual({ noVote: 'regexp_budget', reason: `regexp /${costly}/ ran over its 50 ms budget` });
      expect(await tight.match(costly, 'short')).toEqual({
        noVote: 'regexp_budget',
        reason: `regexp /${costly}/ ran over its 50 ms budget lately`,
      });
      // Another pattern gets a fresh thread at once.
      expect(await tight.match('^ab', text)).toEqual({ matched: true });
    } finally {
      await tight.close();
    }
  });
});
