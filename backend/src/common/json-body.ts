import type { NextFunction, Request, Response } from 'express';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Zone files may also come as the body itself, in one of these types. */
export const ZONE_FILE_TYPES = ['text/plain', 'text/dns'];
/** The one route that takes a zone file; also the largest bodies (a zone of a million records). */
export const IMPORT_ROUTE = '/v2/zones/:zone/import';
export const IMPORT_BODY_LIMIT = '256mb';
const IMPORT_PATH = /^\/v2\/zones\/[^/]+\/import\/?$/;

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
}

/**
 * Request bodies are JSON. A body of another type (a form, plain text) would otherwise be parsed
 * as a form or silently ignored, so it is refused before any parser runs, in the API's 400 shape.
 */
export function requireJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (!WITH_BODY.has(req.method) || !hasBody(req) || req.is('application/json')) return next();
  if (IMPORT_PATH.test(req.path) && req.is(ZONE_FILE_TYPES)) return next();
  const reason = IMPORT_PATH.test(req.path)
    ? `must be a zone file (Content-Type: ${ZONE_FILE_TYPES.join(' or ')}) or JSON {"content": "..."}`
    : 'must be JSON, sent with Content-Type: application/json';
  res.status(400).json({ error: `request body ${reason}`, details: [{ field: '(body)', reason }] });
}
