import { rotationStart } from './rotate';
import { servedA } from './testing/zones';

describe('rotationStart', () => {
  it('starts one record further on each answer', () => {
    const set = servedA([{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }, { content: ['192.0.2.3'] }]);
    expect([0, 1, 2, 3].map(() => rotationStart(set, 3))).toEqual([0, 1, 2, 0]);
    // The start follows the size of what the pickers left.
    expect(rotationStart(set, 2)).toBe(0);
  });

  it('does not rotate single records or a weighted order', () => {
    const set = servedA([{ content: ['192.0.2.1'] }, { content: ['192.0.2.2'] }], { pickers: [{ type: 'weighted_shuffle' }] });
    expect([rotationStart(set, 2), rotationStart(set, 2)]).toEqual([0, 0]);
    const one = servedA([{ content: ['192.0.2.1'] }]);
    expect([rotationStart(one, 1), rotationStart(one, 1)]).toEqual([0, 0]);
  });
});
