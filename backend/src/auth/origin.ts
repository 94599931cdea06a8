import { HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { apiError } from '../common/errors';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const header = (req: Request, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** `scheme://host[:port]` of a URL, or `null` (what browsers send for an opaque origin) if it is none. */
function originOf(url: string): string {
  try {
    const { origin } = new URL(url);
    return origin === 'null' || !/^https?:/.test(origin) ? 'null' : origin;
  } catch {
    return 'null';
  }
}

/**
 * CSRF protection for requests authenticated by the session cookie, in addition to SameSite=Strict
 * (which lets a page of the same site, e.g. another port of the same host, send the cookie).
 * A browser states where a request comes from, and page script cannot change either header:
 *
 * - `Origin` (`Referer` when it has none) that is a panel origin (PANEL_ORIGIN) passes;
 * - otherwise `Sec-Fetch-Site`, when the browser sends it (HTTPS and localhost), decides:
 *   `same-origin` (or `none`, the user's own navigation) passes, `same-site` and `cross-site` do not;
 * - otherwise the origin must be the api's own (`scheme://Host`, as the browser addressed it);
 *   `Origin: null` (sandboxed frames, opaque origins) never passes.
 *
 * A write with neither `Origin`, `Referer` nor `Sec-Fetch-Site` passes: every browser sends
 * `Origin` on a request whose method is neither GET nor HEAD (the Fetch standard appends it
 * unconditionally), so such a request is not a browser's, and a program that holds the cookie
 * could send any header it liked (npm start's scripts and the system tests' clients are such).
 * API tokens are not checked: a browser never adds an `Authorization` header by itself.
 */
export function refuseCrossSiteWrite(req: Request, panelOrigins: readonly string[]): void {
  if (!WRITES.has(req.method)) return;
  const origin = header(req, 'origin');
  const referer = header(req, 'referer');
  const claimed = origin !== undefined ? originOf(origin) : referer !== undefined ? originOf(referer) : undefined;
  if (claimed !== undefined && panelOrigins.includes(claimed)) return;
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return;
    throw refusal('Sec-Fetch-Site', `is ${site}`);
  }
  if (claimed === undefined) return;
  if (claimed !== 'null' && claimed === originOf(`${req.protocol}://${req.headers.host ?? ''}`)) return;
  throw refusal(origin !== undefined ? 'Origin' : 'Referer', `is ${claimed}`);
}

function refusal(field: string, what: string) {
  const reason = `${what}: a signed-in change must come from the panel (PANEL_ORIGIN) or the api's own origin`;
  return apiError(HttpStatus.FORBIDDEN, `request from another site refused (${field} ${reason})`, { details: [{ field, reason }] });
}
