// Minimal types for net-ping 1.2 (it ships none): only what the ICMP check uses.
declare module 'net-ping' {
  import type { EventEmitter } from 'node:events';

  export const NetworkProtocol: { IPv4: 1; IPv6: 2 };

  export interface SessionOptions {
    networkProtocol?: 1 | 2;
    packetSize?: number;
    retries?: number;
    sessionId?: number;
    timeout?: number;
    ttl?: number;
  }

  export class Session extends EventEmitter {
    /** Read by pingHost() when a request is queued: each request keeps the value it saw. */
    timeout: number;
    pingHost(target: string, callback: (error: Error | null, target: string, sent?: Date, rcvd?: Date) => void): this;
    close(): this;
  }

  export function createSession(options?: SessionOptions): Session;

  export class DestinationUnreachableError extends Error {
    source: string;
  }
  export class PacketTooBigError extends Error {
    source: string;
  }
  export class ParameterProblemError extends Error {
    source: string;
  }
  export class RedirectReceivedError extends Error {
    source: string;
  }
  export class RequestTimedOutError extends Error {}
  export class SourceQuenchError extends Error {
    source: string;
  }
  export class TimeExceededError extends Error {
    source: string;
  }
}
