// geoip-country ships no types; this is the part Vigil uses.
declare module 'geoip-country' {
  export interface GeoCountry {
    /** ISO 3166-1 alpha-2, upper-case. */
    country: string;
    /** Two-letter continent code, upper-case (AF, AN, AS, EU, NA, OC, SA). */
    continent?: string;
  }
  /** A dotted quad, an IPv6 text, or an IPv4 address as an unsigned 32-bit integer. */
  export function lookup(ip: string | number): GeoCountry | null;
}
