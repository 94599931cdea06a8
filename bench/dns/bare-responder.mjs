// The ceiling: a bare dns-packet UDP responder that answers every query with one fixed A record.
// No zone lookup, no health, no pickers: what Node itself costs per query on this machine.
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

const port = Number(process.env.PORT ?? 5399);
const sock = createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  let q;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return;
  }
  const answer = dnsPacket.encode({
    type: 'response',
    id: q.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: q.questions,
    answers: [{ type: 'A', name: q.questions[0].name, ttl: 60, data: '192.0.2.1' }],
  });
  sock.send(answer, rinfo.port, rinfo.address);
});
sock.bind(port, '127.0.0.1', () => process.send?.('ready'));
