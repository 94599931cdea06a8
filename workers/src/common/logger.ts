import pino, { type Logger } from 'pino';

export type { Logger };

/** One JSON line per event on stdout; `name` says which process wrote it. */
export function createLogger(name: string, level: string, extra: Record<string, unknown> = {}): Logger {
  return pino({ name, level, base: { pid: process.pid, ...extra } });
}
