// After encode: an Extended DNS Error (RFC 8914) for an answer that carries no records, only the
// question and its OPT (the REFUSED to a name in no hosted zone). Pure: it edits the written bytes.
import { EDNS_OPTION_EDE } from './constants';

/**
 * Appends the option (INFO-CODE, no EXTRA-TEXT) to the OPT record that ends the message written
 * at `at` (length `len`, with the 2-byte prefix when `tcp`) and starts at `optAt`; the OPT's
 * RDLENGTH and the TCP length grow by its 6 bytes. Returns the new length. `dst` must have room.
 */
export function appendEde(dst: Buffer, at: number, len: number, tcp: boolean, optAt: number, code: number): number {
  const end = at + len;
  dst.writeUInt16BE(EDNS_OPTION_EDE, end);
  dst.writeUInt16BE(2, end + 2);
  dst.writeUInt16BE(code, end + 4);
  dst.writeUInt16BE(dst.readUInt16BE(optAt + 9) + 6, optAt + 9);
  if (tcp) dst.writeUInt16BE(len - 2 + 6, at);
  return len + 6;
}
