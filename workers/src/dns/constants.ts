// Wire-format numbers used across the pipeline (RFC 1035, 3596, 2782, 8659, 6891, 8482, 9460).
import type { RecordType } from '@vigil/contract';

export const QTYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  DS: 43,
  SVCB: 64,
  HTTPS: 65,
  IXFR: 251,
  AXFR: 252,
  MAILB: 253,
  MAILA: 254,
  ANY: 255,
  CAA: 257,
} as const;

export const TYPE_CODE: Record<RecordType, number> = {
  A: QTYPE.A,
  AAAA: QTYPE.AAAA,
  CNAME: QTYPE.CNAME,
  MX: QTYPE.MX,
  TXT: QTYPE.TXT,
  NS: QTYPE.NS,
  SRV: QTYPE.SRV,
  CAA: QTYPE.CAA,
  PTR: QTYPE.PTR,
  SVCB: QTYPE.SVCB,
  HTTPS: QTYPE.HTTPS,
};

export const CLASS_IN = 1;
/** QCLASS * (RFC 1035 3.2.5). */
export const CLASS_ANY = 255;

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** For transfers, NOTIFY and UPDATE: Vigil transfers no zone and takes no updates (RFC 2136, 1996). */
  NOTAUTH: 9,
  /** Extended (12-bit) rcode: the upper 8 bits travel in the OPT record. */
  BADVERS: 16,
} as const;

export const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  9: 'NOTAUTH',
  16: 'BADVERS',
};

/** The UDP payload size we advertise and cap answers to (DNS flag day 2020 value). */
export const EDNS_UDP_SIZE = 1232;
/** Without EDNS0 a UDP answer may not exceed 512 bytes (RFC 1035 4.2.1). */
export const PLAIN_UDP_SIZE = 512;
/** A TCP message is framed by a 16-bit length. */
export const TCP_MAX_SIZE = 65535;

export const EDNS_OPTION_ECS = 8;
/** RFC 8914 Extended DNS Errors, and the INFO-CODEs we send. */
export const EDNS_OPTION_EDE = 15;
export const EDE = {
  /** A name in no zone we host. */
  NOT_AUTHORITATIVE: 20,
} as const;

/** Transport of a query; a number so it can index per-protocol counters. */
export type Protocol = 0 | 1;
export const UDP: Protocol = 0;
export const TCP: Protocol = 1;
export const PROTOCOL_NAMES = ['udp', 'tcp'] as const;
