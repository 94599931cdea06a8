import type { NextFunction, Request, Response } from 'express';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

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
  const reason = 'must be JSON, sent with Content-Type: application/json';
  res.status(400).json({ error: `request body ${reason}`, details: [{ field: '(body)', reason }] });
}
