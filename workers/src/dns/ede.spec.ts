import { appendEde } from './ede';
import { decode, query } from './testing/client';

describe('appendEde', () => {
  it('adds INFO-CODE to the OPT that ends a message: the OPT grows by 6 bytes, the message too', () => {
    const q = query('www.example.net', 'A', { udpSize: 1232 });
    // The query as an answer: a question and an OPT, nothing else (what a REFUSED is).
    const dst = Buffer.alloc(q.length + 6);
    q.copy(dst);
    const len = appendEde(dst, 0, q.length, false, q.length - 11, 20);
    expect(len).toBe(q.length + 6);
    const opt = decode(dst.subarray(0, len)).additionals![0] as unknown as { options: { code: number; data: Buffer }[] };
    expect(opt.options.map((o) => [o.code, o.data.toString('hex')])).toEqual([[15, '0014']]);
  });

  it('keeps an option already there, and the TCP length prefix in step', () => {
    const q = query('www.example.net', 'A', { ecs: { ip: '192.0.2.0', prefix: 24 } });
    const dst = Buffer.alloc(2 + q.length + 6 + 10);
    dst.writeUInt16BE(q.length, 10);
    q.copy(dst, 12);
    const len = appendEde(dst, 10, 2 + q.length, true, 12 + q.length - 11 - 11, 20);
    expect(dst.readUInt16BE(10)).toBe(len - 2);
    const opt = decode(dst.subarray(12, 10 + len)).additionals![0] as unknown as { options: { code: number }[] };
    expect(opt.options.map((o) => o.code)).toEqual([8, 15]);
  });
});
